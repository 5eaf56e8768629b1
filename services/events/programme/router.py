"""HTTP for the public, unauthenticated programme and its iCalendar feeds.

No route here takes a token: they read the request's session (`kit.db.SessionDep`) directly,
and show only what `domain` makes public. Each answer carries a strong ``ETag`` (its body's
hash) and ``Cache-Control: public, max-age=60``, and a matching ``If-None-Match`` is a 304
decided before rendering (`conditional`); a feed's body is also kept once rendered, until its
data changes (`conditional.Bodies`). HEAD is answered as GET is (the gateway lets both
through without a token), and left out of the document.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.pagination import PageParamsDep
from kit.routes import QueryDep
from kit.schemas import CalendarDate, Municipio
from services.events.initiatives.schemas import InitiativeKind
from services.events.programme import calendar, conditional, service
from services.events.programme.domain import window
from services.events.programme.schemas import (
    CancellationIn,
    InitiativeProgramme,
    ProgrammePage,
    SelfCancelled,
    SelfRegistered,
)
from services.events.registrations import service as registrations
from services.events.registrations.schemas import PublicContactIn

router = APIRouter(prefix="/v1/initiatives/programme", tags=["programme"])

IfNoneMatch = Annotated[str | None, Depends(conditional.if_none_match_header)]
JSON = "application/json"
CALENDAR = "/calendar.ics"
ONE = "/{initiative_id}"

_CACHED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "ETag": {"description": "The hash of the body", "schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string", "example": conditional.CACHE_CONTROL}},
        }
    },
    304: {"description": "Not Modified: the `If-None-Match` ETag is the answer's"},
}
_ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}
}


async def _rendered(body: Awaitable[bytes]) -> conditional.Rendered:
    return conditional.Rendered(await body)


@dataclass(frozen=True)
class ProgrammeQuery:
    municipio: Annotated[
        Municipio | None, Query(description="Sessions held in this Municipio (their venue's)")
    ] = None
    kind: Annotated[InitiativeKind | None, Query(description="Initiatives of this kind")] = None
    since: Annotated[
        CalendarDate | None,
        Query(alias="from", description="Sessions starting on this day (Europe/Rome) or later"),
    ] = None
    until: Annotated[
        CalendarDate | None,
        Query(alias="to", description="Sessions starting on this day (Europe/Rome) or earlier"),
    ] = None
    language: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z]{2,3}$",
            description="Sessions held in it, or of an initiative with its text in it (ISO 639)",
        ),
    ] = None


@dataclass(frozen=True)
class FeedQuery:
    municipio: Annotated[
        Municipio | None, Query(description="Only sessions held in this Municipio")
    ] = None


@router.head("", include_in_schema=False)
@router.get(
    "",
    response_model=ProgrammePage,
    responses=_CACHED,
    summary="The public programme: published initiatives' upcoming sessions, soonest first",
)
async def read_programme(
    session: SessionDep,
    query: QueryDep[ProgrammeQuery],
    page: PageParamsDep,
    if_none_match: IfNoneMatch,
) -> Response:
    starts_from, starts_before = window(query.since, query.until)
    where = service.upcoming(
        starts_from=starts_from,
        starts_before=starts_before,
        municipio=query.municipio,
        kind=query.kind,
        language=query.language,
    )

    async def render() -> conditional.Rendered:
        found, valid_until, shown = await service.programme(session=session, where=where, page=page)
        return conditional.Rendered(found.model_dump_json().encode(), valid_until, shown)

    return await conditional.answer(
        if_none_match=if_none_match,
        answer_key=("programme", query, page.limit, page.cursor),
        freshness=partial(service.data_version, session=session),
        render=render,
        media_type=JSON,
    )


@router.head(CALENDAR, include_in_schema=False)
@router.get(
    CALENDAR,
    response_class=Response,
    responses={**_CACHED, **_ICS},
    summary="The programme as an iCalendar feed (the city's, or one Municipio's)",
)
async def read_programme_calendar(
    session: SessionDep, query: QueryDep[FeedQuery], if_none_match: IfNoneMatch
) -> Response:
    where = service.feed(municipio=query.municipio)
    name = "LGNet — iniziative" + (f", Municipio {query.municipio}" if query.municipio else "")

    async def render() -> conditional.Rendered:
        body, valid_until = await service.feed_calendar(session=session, where=where, name=name)
        return conditional.Rendered(body, valid_until)

    return await conditional.answer(
        if_none_match=if_none_match,
        answer_key=("calendar", query),
        freshness=partial(service.data_version, session=session),
        render=render,
        media_type=calendar.MEDIA_TYPE,
        cache_body=True,
    )


@router.head(ONE, include_in_schema=False)
@router.get(
    ONE,
    response_model=InitiativeProgramme,
    responses={**_CACHED, **problem_responses(404)},
    summary="A public initiative with its sessions",
)
async def read_initiative_programme(
    initiative_id: uuid.UUID, session: SessionDep, if_none_match: IfNoneMatch
) -> Response:
    async def render() -> conditional.Rendered:
        found, shown = await service.initiative_programme(
            session=session, initiative_id=initiative_id
        )
        return conditional.Rendered(found.model_dump_json().encode(), shown=shown)

    return await conditional.answer(
        if_none_match=if_none_match,
        answer_key=("initiative", initiative_id),
        freshness=partial(
            service.initiative_freshness, session=session, initiative_id=initiative_id
        ),
        render=render,
        media_type=JSON,
    )


@router.head(ONE + CALENDAR, include_in_schema=False)
@router.get(
    ONE + CALENDAR,
    response_class=Response,
    responses={**_CACHED, **_ICS, **problem_responses(404)},
    summary="A public initiative's sessions as an iCalendar feed",
)
async def read_initiative_calendar(
    initiative_id: uuid.UUID, session: SessionDep, if_none_match: IfNoneMatch
) -> Response:
    return await conditional.answer(
        if_none_match=if_none_match,
        answer_key=("initiative-calendar", initiative_id),
        freshness=partial(
            service.initiative_freshness, session=session, initiative_id=initiative_id
        ),
        render=lambda: _rendered(
            service.initiative_calendar(session=session, initiative_id=initiative_id)
        ),
        media_type=calendar.MEDIA_TYPE,
        cache_body=True,
    )


# --- a member of the public registers, and cancels -----------------------------------------


@router.post(
    ONE + "/sessions/{session_id}/registrations",
    status_code=201,
    responses=problem_responses(404, 409),
    summary="Register for a session as a member of the public (no account)",
)
async def register_self(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registrant: PublicContactIn,
    session: SessionDep,
) -> SelfRegistered:
    """A seat if one is free, else a place in line; the answer carries the cancellation
    token this once. A second registration with the same contact is a 409."""
    row, token = await registrations.register_public(
        session=session, initiative_id=initiative_id, session_id=session_id, public_in=registrant
    )
    return SelfRegistered(
        session_id=row.session_id,
        status=row.status,
        position=row.position,
        cancellation_token=token,
    )


@router.post(
    "/registrations/cancellations",
    responses=problem_responses(404, 409),
    summary="Cancel a public registration with its token",
)
async def cancel_self(cancellation: CancellationIn, session: SessionDep) -> SelfCancelled:
    row = await registrations.cancel_by_token(session=session, token=cancellation.token)
    return SelfCancelled(session_id=row.session_id, status=row.status)
