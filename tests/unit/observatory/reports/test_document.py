"""The monthly report as a PDF: every indicator's figures, the note, the charts."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from PIL import Image
from pypdf import PdfReader

from services.observatory.indicators.domain import Indicator
from services.observatory.reports.document import (
    SUPPRESSED,
    MonthlyReport,
    Section,
    monthly_pdf,
    suppression_note,
)
from services.observatory.reports.period import Month
from tests.unit.observatory.exports.breakdowns import RULE, by_municipio

MADE = datetime(2025, 4, 2, 8, 15, tzinfo=UTC)


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (560, 260), colour).save(out, format="PNG")
    return out.getvalue()


def _report(*sections: Section) -> MonthlyReport:
    return MonthlyReport(Month(2025, 3), MADE, 5, sections)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


RECEIVED = by_municipio([12, None, 7, None, 30, 5, 6, 8, 9], total=90)
OPEN = by_municipio(
    [None, None, 17, None, None, None, None, None, None],
    total=None,
    indicator=Indicator.REFERRALS_HANDED_OVER,
)


def test_the_report_names_its_month_and_when_it_was_made() -> None:
    text = _text(monthly_pdf(_report(Section(RECEIVED, []))))
    assert "Rapporto mensile" in text
    assert "marzo 2025" in text
    assert "March 2025" in text
    assert "01/03/2025" in text
    assert "31/03/2025" in text
    assert "02/04/2025 10:15" in text  # Milan time


def test_each_indicators_row_has_its_total_and_municipi_suppressed_ones_as_dashes() -> None:
    text = _text(monthly_pdf(_report(Section(RECEIVED, []), Section(OPEN, []))))
    words = text.split()
    received = words.index("referrals_received")
    assert "90 12 — 7 — 30 5 6 8 9" in " ".join(words[received:])
    opened = words.index("referrals_handed_over")
    assert "— — — 17 — — — — — —" in " ".join(words[opened:])


def test_the_suppression_note_is_in_italian_and_english_with_the_threshold() -> None:
    text = " ".join(_text(monthly_pdf(_report(Section(RECEIVED, [])))).split())
    italian, english = suppression_note(5)
    assert "Nota sulla riservatezza." in text
    assert "inferiore a 5" in text
    assert "Note on confidentiality." in text
    assert "every figure under 5" in text
    assert f"{SUPPRESSED} dato oscurato" in text
    assert RULE.split(",")[0] in text
    assert italian.startswith("<b>Nota")
    assert english.startswith("<b>Note")


def test_the_charts_are_embedded_as_images() -> None:
    charts = [_png("steelblue"), _png("grey"), _png("navy")]  # the same image is embedded once
    pdf = monthly_pdf(_report(Section(RECEIVED, charts[:2]), Section(OPEN, charts[2:])))
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 3
    assert all(image.image is not None and image.image.size == (560, 260) for image in images)
