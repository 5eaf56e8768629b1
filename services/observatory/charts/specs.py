"""Each chart of a published breakdown, as a Vega-Lite spec (a dict, data inlined).

A chart is a bar per value of one breakdown — a month of the cohort, a Municipio — in the
breakdown's own order. Titles are Italian, subtitles say it in English too: a coordinator
reads a chart without training, in the dashboard as on paper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import altair as alt

from kit.db import CITY_ZONE
from services.observatory.indicators.schemas import BreakdownPublic, Dimension, Unit

PUBLISHED = "pubblicato · published"
SUPPRESSED = "oscurato · suppressed"
BLUE, GREY, DARK_GREY = "#2b6cb0", "#d0d0d0", "#6b6b6b"
WIDTH, HEIGHT = 560, 260
COUNT = "Numero · count"
MEASURES = {Unit.HOURS: "Ore · hours", Unit.DAYS: "Giorni · days"}
"""The value axis' title: a count's, or a statistic's measure."""
MONTHS_IT = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")


class Chart(StrEnum):
    OVER_TIME = "over_time"
    BY_MUNICIPIO = "by_municipio"


NEEDS: Mapping[str, tuple[Dimension, ...]] = {
    Chart.OVER_TIME: (Dimension.MONTH,),
    Chart.BY_MUNICIPIO: (Dimension.MUNICIPIO,),
}
"""The breakdown each chart is drawn from (``by=`` of ``service.published_breakdown``)."""


def month_label(month: str) -> str:
    """``2025-03`` as ``mar 2025``."""
    year, number = month.split("-")
    return f"{MONTHS_IT[int(number) - 1]} {year}"


def _day(moment: datetime) -> str:
    return moment.astimezone(CITY_ZONE).strftime("%d/%m/%Y")


def _subtitle(breakdown: BreakdownPublic, by: str) -> list[str]:
    threshold = breakdown.suppression_threshold
    last_day = breakdown.end - timedelta(microseconds=1)  # the cohort's end is open
    total = "n.d. (oscurato · suppressed)" if breakdown.total.suppressed else breakdown.total.value
    return [
        f"{breakdown.name.en}, {by}.",
        f"{breakdown.cohort.it} dal {_day(breakdown.start)} al {_day(last_day)} "
        f"({breakdown.cohort.en} in that period) · totale · total: {total}",
        f"Barre grigie «n.d.»: dato oscurato per tutela (meno di {threshold}, o cella "
        "che ne svelerebbe un'altra); l'altezza è simbolica.",
        f"Grey “n.d.” bars: suppressed to protect people (fewer than {threshold}, or a cell "
        "that would reveal one); their height means nothing.",
    ]


def _counted(breakdown: BreakdownPublic) -> bool:
    return breakdown.unit not in MEASURES


def _rows(
    breakdown: BreakdownPublic, dimension: Dimension, label: Callable[[str], str]
) -> list[dict[str, Any]]:
    # a suppressed cell gets a nominal height, so that it shows, and no value: the threshold
    # for a count, the smallest value shown (or 1) for a statistic
    shown = [cell.value for cell in breakdown.cells if cell.value is not None]
    nominal = breakdown.suppression_threshold if _counted(breakdown) else min(shown or [1])
    return [
        {
            "label": label(cell.breakdown[dimension]),
            "count": cell.value,
            "height": nominal if cell.suppressed else cell.value,
            "state": SUPPRESSED if cell.suppressed else PUBLISHED,
            "text": "n.d." if cell.suppressed else str(cell.value),
        }
        for cell in breakdown.cells
    ]


def _bars(
    breakdown: BreakdownPublic,
    chart: Chart,
    *,
    title: str,
    by: str,
    axis: str,
    label: Callable[[str], str],
) -> dict[str, Any]:
    (dimension,) = NEEDS[chart]
    if tuple(breakdown.by) != NEEDS[chart]:
        raise ValueError(f"{chart} is drawn from a breakdown by {dimension}, not {breakdown.by}")
    rows = _rows(breakdown, dimension, label)
    order = [row["label"] for row in rows]
    suppressed = alt.datum.state == SUPPRESSED
    measure = MEASURES.get(breakdown.unit, COUNT)
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        x=alt.X("label:N", sort=order, title=axis, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("height:Q", title=measure, axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("label:N", title=axis),
            alt.Tooltip("text:N", title=measure),
            alt.Tooltip("state:N", title="Stato · status"),
        ],
    )
    bars = base.mark_bar(strokeWidth=1.5).encode(
        color=alt.Color(
            "state:N",
            scale=alt.Scale(domain=[PUBLISHED, SUPPRESSED], range=[BLUE, GREY]),
            legend=alt.Legend(title="Dato · figure", orient="bottom"),
        ),
        stroke=alt.condition(suppressed, alt.value(DARK_GREY), alt.value(BLUE)),
        strokeDash=alt.condition(suppressed, alt.value([4, 3]), alt.value([1, 0])),
    )
    texts = base.mark_text(dy=-7, fontSize=11).encode(
        text="text:N",
        color=alt.condition(suppressed, alt.value(DARK_GREY), alt.value("#1a1a1a")),
    )
    heading = f"{breakdown.name.it}: {title}"
    layered = alt.layer(bars, texts).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(text=heading, subtitle=_subtitle(breakdown, by), anchor="start"),
        description=f"{heading} ({breakdown.name.en}, {by})",
    )
    return layered.to_dict()


def over_time(breakdown: BreakdownPublic) -> dict[str, Any]:
    """The indicator month by month over the cohort (up to a year): a breakdown by month."""
    return _bars(
        breakdown,
        Chart.OVER_TIME,
        title="andamento mese per mese",
        by="by month",
        axis="Mese · month",
        label=month_label,
    )


def by_municipio(breakdown: BreakdownPublic) -> dict[str, Any]:
    """The indicator in each of Milan's nine Municipi: a breakdown by Municipio."""
    return _bars(
        breakdown,
        Chart.BY_MUNICIPIO,
        title="confronto tra i nove Municipi di Milano",
        by="by Municipio",
        axis="Municipio",
        label=str,
    )


CHARTS: Mapping[str, Callable[[BreakdownPublic], dict[str, Any]]] = {
    Chart.OVER_TIME: over_time,
    Chart.BY_MUNICIPIO: by_municipio,
}
"""Each chart by name: a published breakdown (by ``NEEDS[name]``) in, a Vega-Lite spec out."""
