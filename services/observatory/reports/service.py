"""Report use cases: the monthly report of every indicator, with its charts. Never commits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.charts import CHARTS, NEEDS, png
from services.observatory.indicators import service as indicators
from services.observatory.indicators.schemas import BreakdownPublic, Cohort, Dimension, Indicator
from services.observatory.reports.document import MonthlyReport, Section, monthly_pdf
from services.observatory.reports.period import Month

TABLE = (Dimension.MUNICIPIO,)
"""The breakdown of the report's table: the month's figures in each Municipio."""
CHARTED = (
    Indicator.REFERRALS_RECEIVED,
    Indicator.REFERRALS_TAKEN_IN_CHARGE,
    Indicator.HAND_OVER_HOURS_MEDIAN,
    Indicator.INITIATIVE_PARTICIPANTS,
    Indicator.HOUSING_PLACEMENTS,
    Indicator.HOUSING_EXITS_TO_AUTONOMY,
)
"""The headline indicators the report draws (every one is in its table): a chart takes a
fifth of a second to draw, and a report of every indicator's would take seconds more."""


async def _section(
    *, session: AsyncSession, indicator: Indicator, month: Month, threshold: int
) -> tuple[BreakdownPublic, list[dict[str, Any]]]:
    """The indicator's figures for the month, and its charts' specs: a chart over time spans
    the year ending with the month, any other the month."""
    this_month = Cohort(start=month.start, end=month.end)
    history = Cohort(start=month.history_start, end=month.end)
    found: dict[tuple[Cohort, tuple[Dimension, ...]], BreakdownPublic] = {}

    async def published(cohort: Cohort, by: tuple[Dimension, ...]) -> BreakdownPublic:
        if (cohort, by) not in found:
            found[cohort, by] = await indicators.published_breakdown(
                session=session, cohort=cohort, indicator=indicator, by=by, threshold=threshold
            )
        return found[cohort, by]

    figures = await published(this_month, TABLE)
    specs: list[dict[str, Any]] = []
    if indicator not in CHARTED:
        return figures, specs
    for name, chart in CHARTS.items():
        by = NEEDS[name]
        specs.append(chart(await published(history if Dimension.MONTH in by else this_month, by)))
    return figures, specs


def _drawn(
    month: Month,
    generated_at: datetime,
    threshold: int,
    sections: Sequence[tuple[BreakdownPublic, list[dict[str, Any]]]],
) -> bytes:
    drawn = [Section(figures, [png(spec) for spec in specs]) for figures, specs in sections]
    return monthly_pdf(MonthlyReport(month, generated_at, threshold, drawn))


async def monthly(
    *, session: AsyncSession, month: Month, threshold: int, generated_at: datetime
) -> bytes:
    """The month's report as a PDF: every indicator's published figures, the headline ones'
    charts."""
    sections = [
        await _section(session=session, indicator=indicator, month=month, threshold=threshold)
        for indicator in Indicator
    ]
    # drawing charts and laying out pages takes seconds of CPU: off the event loop
    return await asyncio.to_thread(_drawn, month, generated_at, threshold, sections)
