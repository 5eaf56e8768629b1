"""The charts of a published breakdown: every cell drawn, suppressed ones never as a count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from services.observatory.charts import CHARTS, NEEDS, VEGA_LITE_VERSION, png, svg
from services.observatory.charts.specs import PUBLISHED, SUPPRESSED, month_label
from services.observatory.indicators.breakdowns import Dimension
from services.observatory.indicators.catalogue import Unit
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.schemas import (
    BreakdownCellPublic,
    BreakdownPublic,
    NamePublic,
)

RECEIVED = NamePublic(it="Segnalazioni ricevute", en="referrals received")

THRESHOLD = 5
MONTHS = [f"2025-{m:02}" for m in range(1, 13)]
MUNICIPI = [str(m) for m in range(1, 10)]
VALUES = {Dimension.MONTH: MONTHS, Dimension.MUNICIPIO: MUNICIPI}


def published(
    by: Dimension,
    counts: Sequence[int | None],
    indicator: Indicator = Indicator.REFERRALS_RECEIVED,
) -> BreakdownPublic:
    def cell(breakdown: dict[Dimension, str], value: int | None) -> BreakdownCellPublic:
        return BreakdownCellPublic(breakdown=breakdown, value=value, suppressed=value is None)

    return BreakdownPublic(
        code=indicator,
        name=NamePublic(it="Segnalazioni ricevute", en="Referrals received"),
        unit=Unit.REFERRALS,
        cohort=RECEIVED,
        start=datetime(2024, 12, 31, 23, tzinfo=UTC),  # 1 January 2025 in Milan
        end=datetime(2025, 12, 31, 23, tzinfo=UTC),
        by=[by],
        suppression_threshold=THRESHOLD,
        suppression="cells under the threshold suppressed, and those that would reveal them",
        total=cell({}, sum(c or 0 for c in counts) + 7),
        cells=[cell({by: key}, value) for key, value in zip(VALUES[by], counts, strict=True)],
    )


def rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    (values,) = spec["datasets"].values()  # inlined: the spec is all a renderer needs
    assert isinstance(values, list)
    return values


BY_MUNICIPIO = [12, None, 8, None, None, 20, None, None, None]
OVER_TIME = [12, None, 8, None, 7, 20, None, 9, 10, 11, None, 6]
COUNTS = {"by_municipio": BY_MUNICIPIO, "over_time": OVER_TIME}


def test_each_chart_names_the_one_breakdown_it_is_drawn_from() -> None:
    assert set(NEEDS) == set(CHARTS)
    assert NEEDS == {"over_time": (Dimension.MONTH,), "by_municipio": (Dimension.MUNICIPIO,)}


@pytest.mark.parametrize("indicator", list(Indicator))
@pytest.mark.parametrize("chart", list(CHARTS))
def test_a_suppressed_cell_is_a_marked_bar_of_nominal_height_and_never_a_count(
    chart: str, indicator: Indicator
) -> None:
    counts = COUNTS[chart]
    spec = CHARTS[chart](published(NEEDS[chart][0], counts, indicator))

    drawn = rows(spec)
    assert [row["count"] for row in drawn] == counts
    for row, count in zip(drawn, counts, strict=True):
        if count is None:
            assert row == row | {"height": THRESHOLD, "state": SUPPRESSED, "text": "n.d."}
        else:
            assert row == row | {"height": count, "state": PUBLISHED, "text": str(count)}


def test_bars_keep_the_breakdowns_order_with_months_in_italian() -> None:
    by_month = CHARTS["over_time"](published(Dimension.MONTH, OVER_TIME))
    assert [row["label"] for row in rows(by_month)][:3] == ["gen 2025", "feb 2025", "mar 2025"]
    assert by_month["layer"][0]["encoding"]["x"]["sort"][-1] == "dic 2025"
    by_place = CHARTS["by_municipio"](published(Dimension.MUNICIPIO, BY_MUNICIPIO))
    assert [row["label"] for row in rows(by_place)] == MUNICIPI
    assert month_label("2026-08") == "ago 2026"


def test_the_title_is_italian_and_the_subtitle_names_the_rule_in_both_languages() -> None:
    spec = CHARTS["by_municipio"](published(Dimension.MUNICIPIO, BY_MUNICIPIO))
    assert spec["$schema"].startswith(
        f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}"
    )
    assert spec["title"]["text"] == "Segnalazioni ricevute: confronto tra i nove Municipi di Milano"
    subtitle = "\n".join(spec["title"]["subtitle"])
    assert subtitle.startswith("Referrals received, by Municipio.")
    assert "dal 01/01/2025 al 31/12/2025" in subtitle  # the cohort in the city's days
    assert "total: 47" in subtitle
    assert f"meno di {THRESHOLD}, o cella" in subtitle
    assert f"fewer than {THRESHOLD}" in subtitle
    legend = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == [PUBLISHED, SUPPRESSED]


def test_a_chart_refuses_a_breakdown_it_is_not_drawn_from() -> None:
    with pytest.raises(ValueError, match="by_municipio is drawn from a breakdown by municipio"):
        CHARTS["by_municipio"](published(Dimension.MONTH, OVER_TIME))


def test_a_suppressed_total_is_said_to_be_so() -> None:
    breakdown = published(Dimension.MUNICIPIO, [None] * 9)
    breakdown.total = BreakdownCellPublic(breakdown={}, value=None, suppressed=True)
    spec = CHARTS["by_municipio"](breakdown)
    assert "total: n.d. (oscurato · suppressed)" in "\n".join(spec["title"]["subtitle"])


def test_the_spec_renders_offline_as_svg_and_png() -> None:
    spec = CHARTS["by_municipio"](published(Dimension.MUNICIPIO, BY_MUNICIPIO))
    drawn = svg(spec)
    assert drawn.startswith("<svg")
    assert drawn.count(">n.d.</text>") == BY_MUNICIPIO.count(None)
    image = png(spec, scale=1)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png(spec, scale=2)) > len(image)
