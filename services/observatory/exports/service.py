"""Export use cases: an indicator's published breakdown written as a file. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.exports import text, workbook
from services.observatory.exports.rows import stem
from services.observatory.exports.schemas import Format
from services.observatory.indicators import service as indicators
from services.observatory.indicators.schemas import Cohort, Dimension, Indicator


@dataclass(frozen=True)
class Export:
    body: bytes
    media_type: str
    filename: str
    threshold: int


async def export(
    *,
    session: AsyncSession,
    indicator: Indicator,
    cohort: Cohort,
    by: tuple[Dimension, ...],
    threshold: int,
    format: Format,
    generated_at: datetime,
) -> Export:
    """The breakdown the JSON API answers for the same query, as a `format` file."""
    breakdown = await indicators.published_breakdown(
        session=session, cohort=cohort, indicator=indicator, by=by, threshold=threshold
    )
    match format:
        case Format.CSV:
            body, media_type = text.csv_bytes(breakdown), text.MEDIA_TYPE
        case Format.XLSX:
            body = workbook.xlsx_bytes(breakdown, generated_at=generated_at)
            media_type = workbook.MEDIA_TYPE
    return Export(body, media_type, f"{stem(breakdown)}.{format}", threshold)
