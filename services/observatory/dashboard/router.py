"""HTTP for the dashboard: its page shell (anonymous, no data) and its charts (by role)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.concurrency import run_in_threadpool

from kit.db import CITY_ZONE, utcnow
from kit.errors import problem_responses
from services.observatory.access import Reading
from services.observatory.charts import Chart, png, svg
from services.observatory.dashboard import service, shell
from services.observatory.dashboard.periods import MONTH_PATTERN, period
from services.observatory.indicators.schemas import Cohort, Indicator
from services.observatory.settings import ObservatorySettingsDep
from services.observatory.threshold import Threshold

router = APIRouter(prefix=shell.PREFIX, tags=["dashboard"])

SHELL_CACHE = "no-cache"  # kept, and asked again each time (a 304 while unchanged)
CHART_CACHE = "no-store"


def _shell(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": what, "content": {media_type: {"schema": {"type": "string"}}}},
        304: {"description": "Not Modified: the copy the client holds (If-None-Match) is this"},
    }


IfNoneMatch = Annotated[
    str | None, Header(description="An ETag of the copy held: 304 while it is current")
]


def _answer(asset: shell.Asset, if_none_match: str | None) -> Response:
    headers = {"ETag": asset.etag, "Cache-Control": SHELL_CACHE, **asset.headers}
    tags = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    if asset.etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get(
    "",
    response_class=Response,
    responses=_shell("text/html", "The dashboard page (it signs in, then asks for the charts)"),
    summary="The Observatory's dashboard: a page, no data (anonymous)",
)
async def dashboard(
    settings: ObservatorySettingsDep, threshold: Threshold, if_none_match: IfNoneMatch = None
) -> Response:
    page = shell.page(
        issuer=settings.common.keycloak_issuer,
        client_id=settings.dashboard_client_id,
        threshold=threshold,
    )
    return _answer(page, if_none_match)


@router.get(
    "/dashboard.js",
    response_class=Response,
    responses=_shell("text/javascript", "The page's script: sign-in, filters, charts"),
    summary="The dashboard's script (anonymous)",
)
async def dashboard_script(if_none_match: IfNoneMatch = None) -> Response:
    return _answer(shell.static("dashboard.js"), if_none_match)


@router.get(
    "/dashboard.css",
    response_class=Response,
    responses=_shell("text/css", "The page's style"),
    summary="The dashboard's style (anonymous)",
)
async def dashboard_style(if_none_match: IfNoneMatch = None) -> Response:
    return _answer(shell.static("dashboard.css"), if_none_match)


@router.get(
    f"/{shell.BUNDLE}",
    response_class=Response,
    responses=_shell("text/javascript", "Vega, Vega-Lite and vega-embed in one script"),
    summary="The Vega bundle the dashboard draws its charts with (anonymous)",
)
async def vega_bundle(if_none_match: IfNoneMatch = None) -> Response:
    return _answer(await run_in_threadpool(shell.bundle), if_none_match)


async def chosen_period(
    from_month: Annotated[
        str | None,
        Query(
            pattern=MONTH_PATTERN,
            description="First month of the period, YYYY-MM (default: 11 months before to_month)",
        ),
    ] = None,
    to_month: Annotated[
        str | None,
        Query(
            pattern=MONTH_PATTERN,
            description=(
                "Last month of the period, YYYY-MM (default: this month): not before from_month "
                "(else a 400 empty-cohort) and at most 12 months on (else a 400 "
                "cohort-too-long): JSON Schema cannot compare two parameters."
            ),
        ),
    ] = None,
) -> Cohort:
    """The referrals received in whole months of the city's calendar."""
    return period(from_month, to_month, today=utcnow().astimezone(CITY_ZONE).date())


Period = Annotated[Cohort, Depends(chosen_period)]
IndicatorQuery = Annotated[
    Indicator,
    Query(
        description=(
            "The indicator to chart: one its catalogue entry's breakdowns allow the chart for "
            "(over_time needs month, by_municipio municipio; else a 400 bad-breakdown, as the "
            "caseload over time): JSON Schema cannot tie a parameter to the path's chart."
        )
    ),
]


async def _spec(
    call: Reading, threshold: int, chart: Chart, indicator: Indicator, cohort: Cohort
) -> dict[str, Any]:
    call.response.headers["Cache-Control"] = CHART_CACHE
    return await service.chart(
        session=call.session, chart=chart, indicator=indicator, cohort=cohort, threshold=threshold
    )


def _chart_image(
    media_type: str, schema: dict[str, str], draw: Callable[[dict[str, Any]], bytes | str]
) -> None:
    """The route ``/charts/{chart}.<extension>`` (of `media_type`): the spec drawn by `draw`."""
    extension = media_type.split("/")[1].split("+")[0]

    @router.get(
        f"/charts/{{chart}}.{extension}",
        response_class=Response,
        responses={
            200: {"description": "The chart", "content": {media_type: {"schema": schema}}},
            **problem_responses(400),
        },
        summary=(
            f"A chart of one indicator over a period, as {extension.upper()}, "
            "small cells suppressed"
        ),
        name=f"chart_{extension}",
    )
    async def chart_image(
        call: Reading,
        threshold: Threshold,
        chart: Chart,
        indicator: IndicatorQuery,
        cohort: Period,
    ) -> Response:
        spec = await _spec(call, threshold, chart, indicator, cohort)
        return Response(
            await run_in_threadpool(draw, spec),
            media_type=media_type,
            headers={
                "Cache-Control": CHART_CACHE,
                "Content-Disposition": f'inline; filename="{chart}-{indicator}.{extension}"',
            },
        )


# the images first: "/charts/{chart}" would take "over_time.svg" for a chart's name
_chart_image("image/svg+xml", {"type": "string"}, svg)
_chart_image("image/png", {"type": "string", "format": "binary"}, png)


@router.get(
    "/charts/{chart}",
    responses=problem_responses(400),
    response_description="A Vega-Lite v6 spec, its data inlined: what the SVG and PNG draw",
    summary="A chart of one indicator over a period, as a Vega-Lite spec, small cells suppressed",
)
async def chart_spec(
    call: Reading,
    threshold: Threshold,
    chart: Chart,
    indicator: IndicatorQuery,
    cohort: Period,
) -> dict[str, Any]:
    return await _spec(call, threshold, chart, indicator, cohort)
