"""HTTP for indicators: aggregates only, small cells suppressed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kit.db import utcnow
from kit.schemas import Timestamp
from services.observatory.access import Reading
from services.observatory.indicators import service
from services.observatory.indicators.breakdowns import Dimension, chosen
from services.observatory.indicators.domain import DESCRIPTIONS, Cohort, Figure, Indicator
from services.observatory.indicators.schemas import (
    BreakdownPublic,
    CellPublic,
    IndicatorPublic,
    IndicatorsPublic,
)
from services.observatory.settings import ObservatorySettingsDep

router = APIRouter(prefix="/v1/observatory/indicators", tags=["indicators"])


def public(figure: Figure) -> IndicatorPublic:
    return IndicatorPublic(
        name=figure.indicator,
        description=DESCRIPTIONS[figure.indicator],
        total=figure.total,
        by_municipio=[
            CellPublic(municipio=cell.municipio, value=cell.value, suppressed=cell.suppressed)
            for cell in figure.by_municipio
        ],
    )


@router.get(
    "", summary="The network's indicators: city-wide totals and suppressed breakdowns by Municipio"
)
async def get_indicators(
    call: Reading,
    settings: ObservatorySettingsDep,
    received_from: Annotated[
        Timestamp | None, Query(description="Count referrals received from this time on.")
    ] = None,
    received_to: Annotated[
        Timestamp | None,
        Query(
            description=(
                "Count referrals received before this time: after received_from, else a 400 "
                "empty-cohort (JSON Schema cannot compare two parameters)."
            )
        ),
    ] = None,
) -> IndicatorsPublic:
    cohort = Cohort(received_from=received_from, received_to=received_to)
    threshold = settings.suppression_threshold
    figures = await service.figures(session=call.session, cohort=cohort, threshold=threshold)
    return IndicatorsPublic(
        generated_at=utcnow(),
        received_from=received_from,
        received_to=received_to,
        suppression_threshold=threshold,
        indicators=[public(figure) for figure in figures],
    )


@router.get(
    "/{name}",
    summary="One indicator over a cohort of referrals, by up to two breakdowns, protected",
)
async def get_breakdown(
    call: Reading,
    settings: ObservatorySettingsDep,
    name: Indicator,
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
        session=call.session, cohort=cohort, indicator=name, by=chosen(by), threshold=threshold
    )
