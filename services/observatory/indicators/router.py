"""HTTP for indicators: aggregates only, small cells suppressed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kit.schemas import Timestamp
from services.observatory.access import Reading
from services.observatory.indicators import service
from services.observatory.indicators.breakdowns import Dimension, chosen
from services.observatory.indicators.domain import Cohort, Indicator
from services.observatory.indicators.schemas import BreakdownPublic, CataloguePublic
from services.observatory.settings import ObservatorySettingsDep

router = APIRouter(prefix="/v1/observatory/indicators", tags=["indicators"])


@router.get("", summary="The indicator catalogue: what is published, how it is protected")
async def get_catalogue(_call: Reading, settings: ObservatorySettingsDep) -> CataloguePublic:
    return service.catalogue(threshold=settings.suppression_threshold)


@router.get(
    "/{code}",
    summary="One indicator over a cohort of referrals, by up to two breakdowns, protected",
)
async def get_breakdown(
    call: Reading,
    settings: ObservatorySettingsDep,
    code: Indicator,
    received_from: Annotated[
        Timestamp, Query(description="Count referrals received from this time on.")
    ],
    received_to: Annotated[
        Timestamp,
        Query(
            description=(
                "…and before this time: after received_from (else a 400 empty-cohort) and at "
                "most 366 days on (else a 400 cohort-too-long): JSON Schema cannot compare two "
                "parameters."
            )
        ),
    ],
    by: Annotated[
        list[Dimension],
        Query(
            max_length=2,
            json_schema_extra={"uniqueItems": True},
            description="Up to two breakdowns, each once (repeat the parameter).",
        ),
    ] = [],  # noqa: B006 - FastAPI copies a query list's default
) -> BreakdownPublic:
    cohort = Cohort(received_from=received_from, received_to=received_to)
    threshold = settings.suppression_threshold
    return await service.published_breakdown(
        session=call.session, cohort=cohort, indicator=code, by=chosen(by), threshold=threshold
    )
