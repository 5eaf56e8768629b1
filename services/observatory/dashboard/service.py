"""Dashboard use cases: a chart of an indicator over a period, as published. Never commits."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.charts import CHARTS, NEEDS, Chart
from services.observatory.indicators import service as indicators
from services.observatory.indicators.schemas import Cohort, Indicator


async def chart(
    *, session: AsyncSession, chart: Chart, indicator: Indicator, cohort: Cohort, threshold: int
) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart``, drawn from the breakdown it needs, protected."""
    breakdown = await indicators.published_breakdown(
        session=session, cohort=cohort, indicator=indicator, by=NEEDS[chart], threshold=threshold
    )
    return CHARTS[chart](breakdown)
