"""HTTP for indicators: aggregates only, small cells suppressed."""

from __future__ import annotations

from fastapi import APIRouter

from services.observatory.access import Reading
from services.observatory.indicators import service
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.schemas import (
    AskedBreakdown,
    BreakdownPublic,
    CataloguePublic,
)
from services.observatory.threshold import Threshold

router = APIRouter(prefix="/v1/observatory/indicators", tags=["indicators"])


@router.get("", summary="The indicator catalogue: what is published, how it is protected")
async def get_catalogue(_call: Reading, threshold: Threshold) -> CataloguePublic:
    return service.catalogue(threshold=threshold)


@router.get(
    "/{code}",
    summary="One indicator over a cohort of referrals, by up to two breakdowns, protected",
)
async def get_breakdown(
    call: Reading, threshold: Threshold, code: Indicator, asked: AskedBreakdown
) -> BreakdownPublic:
    return await service.published_breakdown(
        session=call.session,
        cohort=asked.cohort,
        indicator=code,
        by=asked.by,
        threshold=threshold,
    )
