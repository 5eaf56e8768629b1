"""The monthly report as a PDF (reportlab's platypus): a coordinator's summary to send on.

Page one: the title, the month, when the report was made, a table of every indicator's
figures for the month (the total and each Municipio, a suppressed figure as "—") and the note
on suppression, in Italian with English. Then the charts of the indicators drawn. Figures are the
published ones (`BreakdownPublic`), never recomputed here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kit.db import CITY_ZONE
from services.observatory.indicators.schemas import BreakdownCellPublic, BreakdownPublic
from services.observatory.reports.period import Month

SUPPRESSED = "—"
MARGIN = 18 * mm
NAME_WIDTH, TOTAL_WIDTH = 150, 56
GRID, HEADING_GREY = colors.HexColor("#9a9a9a"), colors.HexColor("#e8e8e8")

_STYLES = getSampleStyleSheet()
TITLE = _STYLES["Title"]
HEADING = _STYLES["Heading2"]
BODY = _STYLES["BodyText"]
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=9.5)


@dataclass(frozen=True)
class Section:
    """One indicator: its figures for the month (by Municipio) and its charts (PNG)."""

    figures: BreakdownPublic
    charts: Sequence[bytes]


@dataclass(frozen=True)
class MonthlyReport:
    month: Month
    generated_at: datetime
    threshold: int
    sections: Sequence[Section]


def shown(cell: BreakdownCellPublic) -> str:
    return SUPPRESSED if cell.value is None else str(cell.value)


def _name(figures: BreakdownPublic) -> str:
    """The indicator's name in Italian · in English, escaped for a paragraph."""
    return escape(f"{figures.name.it} · {figures.name.en}")


def _day(moment: datetime) -> str:
    return moment.astimezone(CITY_ZONE).strftime("%d/%m/%Y")


def _opening(report: MonthlyReport) -> list[Flowable]:
    month = report.month
    last_day = month.end - timedelta(days=1)  # wall-clock arithmetic: the city's last day
    made = report.generated_at.astimezone(CITY_ZONE).strftime("%d/%m/%Y %H:%M")
    return [
        Paragraph("Osservatorio LGNet — Rapporto mensile", TITLE),
        Paragraph("LGNet Observatory — Monthly report", HEADING),
        Paragraph(
            f"<b>Periodo · Period:</b> {month.italian} · {month.english} — segnalazioni "
            f"ricevute dal {_day(month.start)} al {_day(last_day)} (referrals received in the "
            "month: every figure counts among them)",
            BODY,
        ),
        Paragraph(f"<b>Generato il · Generated on:</b> {made} (ora di Milano · Milan time)", BODY),
        Paragraph(
            "Solo dati aggregati, nessun dato personale · Aggregates only, no personal data.",
            BODY,
        ),
        Spacer(1, 4 * mm),
    ]


def _table(report: MonthlyReport, width: float) -> Table:
    sections = report.sections
    columns = [", ".join(cell.breakdown.values()) for cell in sections[0].figures.cells]
    rows: list[list[str | Paragraph]] = [
        ["Indicatore · Indicator", "Totale · Total", "Municipio", *[""] * (len(columns) - 1)],
        ["", "", *columns],
    ]
    for section in sections:
        figures = section.figures
        # the code smaller, so that the longest stays on one line for a reader to copy
        name = f'<b>{_name(figures)}</b><br/><font size="7">{escape(str(figures.code))}</font>'
        by_column = {", ".join(c.breakdown.values()): shown(c) for c in figures.cells}
        rows.append(
            [
                Paragraph(name, CELL),
                shown(figures.total),
                *(by_column.get(column, "") for column in columns),
            ]
        )
    each = (width - NAME_WIDTH - TOTAL_WIDTH) / len(columns)
    table = Table(rows, colWidths=[NAME_WIDTH, TOTAL_WIDTH, *[each] * len(columns)], repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 1), HEADING_GREY),
                ("FONTNAME", (0, 0), (-1, 1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ]
        )
    )
    return table


def suppression_note(threshold: int) -> list[str]:
    """The note on suppression: Italian, then English."""
    return [
        "<b>Nota sulla riservatezza.</b> Le cifre contano segnalazioni di persone: perché "
        f"nessuna sia riconoscibile, ogni cifra inferiore a {threshold} (zero compreso) è "
        f"oscurata e indicata con «{SUPPRESSED}»; sono oscurate anche altre cifre, scelte in "
        "modo che quelle nascoste non si possano ricavare per differenza dai totali o da altre "
        f"tabelle. Un «{SUPPRESSED}» non vuol dire zero né «meno di {threshold}»: vuol dire "
        "soltanto che la cifra non è pubblicata.",
        "<b>Note on confidentiality.</b> The figures count referrals of people: so that nobody "
        f"can be recognised, every figure under {threshold} (zero included) is suppressed and "
        f"shown as “{SUPPRESSED}”; further figures are suppressed too, chosen so that the hidden "
        "ones cannot be worked out by difference from the totals or from other tables. "
        f"A “{SUPPRESSED}” means neither zero nor “fewer than {threshold}”: only that the "
        "figure is not published.",
    ]


def _methods(sections: Sequence[Section]) -> list[Flowable]:
    """How the figures were protected: each rule once, naming its indicators if there are
    several rules."""
    codes: dict[str, list[str]] = {}
    for section in sections:
        codes.setdefault(section.figures.suppression, []).append(str(section.figures.code))
    paragraphs: list[Flowable] = []
    for rule, named in codes.items():
        which = "" if len(codes) == 1 else f" ({', '.join(named)})"
        paragraphs.append(Paragraph(f"<b>Metodo · Method{which}:</b> {escape(rule)}", SMALL))
    return paragraphs


def _chart(png: bytes, width: float, height: float) -> Image:
    pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
    scale = min(width / pixels_wide, height / pixels_high)
    return Image(io.BytesIO(png), width=pixels_wide * scale, height=pixels_high * scale)


def _charts(section: Section, width: float, height: float) -> list[Flowable]:
    images = [_chart(png, width, height) for png in section.charts]
    if not images:
        return []  # an indicator in the table only
    heading = Paragraph(_name(section.figures), HEADING)
    return [KeepTogether([heading, images[0]]), *images[1:], Spacer(1, 4 * mm)]


def monthly_pdf(report: MonthlyReport) -> bytes:
    """The report as a PDF document (A4)."""
    out = io.BytesIO()
    title = f"Osservatorio LGNet — Rapporto mensile {report.month}"
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="LGNet — Osservatorio",
        subject=f"Indicatori di {report.month.italian} · Indicators of {report.month.english}",
    )

    def footer(canvas: Canvas, _: SimpleDocTemplate) -> None:
        canvas.setFont("Helvetica", 7)
        canvas.drawRightString(
            A4[0] - MARGIN, MARGIN / 2, f"{title} · pagina · page {canvas.getPageNumber()}"
        )

    story: list[Flowable] = _opening(report)
    if report.sections:
        story += [
            Paragraph("Indicatori del mese · The month's indicators", HEADING),
            _table(report, document.width),
            Paragraph(
                f"{SUPPRESSED} dato oscurato (vedi la nota) · suppressed figure (see the note)",
                SMALL,
            ),
            Spacer(1, 4 * mm),
        ]
    story += [Paragraph(text, BODY) for text in suppression_note(report.threshold)]
    story += _methods(report.sections)
    if report.sections:
        story.append(PageBreak())
        story.append(Paragraph("Grafici · Charts", HEADING))
    for section in report.sections:
        story += _charts(section, document.width, document.height * 0.42)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
