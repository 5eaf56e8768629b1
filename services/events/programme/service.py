"""The public programme's use cases: read, never change. Each answer comes with its
freshness (`conditional`), what a 304 is decided on without rendering it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import utcnow
from kit.pagination import CursorCodec, InvalidCursor, PageParams
from services.events.programme import calendar, repository
from services.events.programme.domain import FEED_HISTORY, NotInProgramme
from services.events.programme.repository import ProgrammeFilter
from services.events.programme.schemas import (
    InitiativeProgramme,
    ProgrammeEntry,
    ProgrammeInitiative,
    ProgrammePage,
    ProgrammeSession,
)
from services.events.sessions import service as sessions

ORDERING = "programme:starts_at,id:asc"
"""The keyset a programme cursor belongs to (`kit.pagination.CursorCodec`)."""
Keyset = tuple[datetime, uuid.UUID]


def _codec(page: PageParams) -> CursorCodec:
    if page.codec is None:
        raise RuntimeError("the programme's page needs a cursor codec: use PageParamsDep")
    return page.codec


def _after(page: PageParams) -> Keyset | None:
    if page.cursor is None:
        return None
    starts_at, session_id = _codec(page).decode(ORDERING, page.cursor)
    if not isinstance(starts_at, datetime) or not isinstance(session_id, uuid.UUID):
        raise InvalidCursor("The cursor is malformed or belongs to another list.")
    return starts_at, session_id


def _initiative(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in ProgrammeInitiative.model_fields}


def _session(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["session_id"],
        **{
            name: row[name]
            for name in ("zone", "capacity", "languages", "cultural_mediator", "interpreter")
        },
        **sessions.shown(row),
    }


def upcoming(**filters: Any) -> ProgrammeFilter:
    """The programme's filter: sessions not yet over, narrowed by `filters`."""
    return ProgrammeFilter(ending_after=utcnow(), **filters)


def feed(**filters: Any) -> ProgrammeFilter:
    """A city-wide feed's filter: sessions of the last month and to come."""
    return ProgrammeFilter(ending_after=utcnow() - FEED_HISTORY, **filters)


def _first_over(rows: list[Any], after: timedelta = timedelta(0)) -> datetime | None:
    # the answer holds these rows while they run (+ `after`): the first to end changes it
    return min(row["ends_at"] for row in rows) + after if rows else None


async def programme(
    *, session: AsyncSession, where: ProgrammeFilter, page: PageParams
) -> tuple[ProgrammePage, datetime | None]:
    """One page of the programme, soonest first, and when time alone changes it (a session
    on it, or the next one after it, is over)."""
    rows = await repository.programme(session, where, after=_after(page), limit=page.limit + 1)
    valid_until = _first_over(rows)
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]
        next_cursor = _codec(page).encode(ORDERING, [last["starts_at"], last["session_id"]])
    items = [
        ProgrammeEntry.model_validate({**_session(row), "initiative": _initiative(row)})
        for row in rows
    ]
    return ProgrammePage(items=items, next_cursor=next_cursor), valid_until


async def data_version(*, session: AsyncSession) -> tuple[Any, ...]:
    """What changes whenever any initiative or session is written (`conditional`)."""
    return await repository.data_version(session)


async def initiative_programme(
    *, session: AsyncSession, initiative_id: uuid.UUID
) -> InitiativeProgramme:
    """A public initiative with its scheduled sessions; 404 for a draft, a cancelled or an
    unknown one alike (a draft's existence is not public either)."""
    initiative = await repository.initiative(session, initiative_id)
    if initiative is None:
        raise NotInProgramme(f"No public initiative {initiative_id}.")
    rows = await repository.sessions_of(session, initiative_id)
    return InitiativeProgramme.model_validate(
        {
            **_initiative(initiative),
            "sessions": [ProgrammeSession.model_validate(_session(row)) for row in rows],
        }
    )


async def initiative_freshness(
    *, session: AsyncSession, initiative_id: uuid.UUID
) -> tuple[Any, ...]:
    return await repository.initiative_freshness(session, initiative_id)


async def feed_calendar(
    *, session: AsyncSession, where: ProgrammeFilter, name: str
) -> tuple[bytes, datetime | None]:
    """The city-wide (or a Municipio's) iCalendar feed, and when time alone changes it (its
    oldest session leaves the feed's history)."""
    rows = await repository.programme(session, where, after=None, limit=None)
    return calendar.calendar(rows, name=name), _first_over(rows, FEED_HISTORY)


async def initiative_calendar(*, session: AsyncSession, initiative_id: uuid.UUID) -> bytes:
    """A public initiative's iCalendar feed; 404 as `initiative_programme`."""
    initiative = await repository.initiative(session, initiative_id)
    if initiative is None:
        raise NotInProgramme(f"No public initiative {initiative_id}.")
    rows = await repository.sessions_of(session, initiative_id)
    return calendar.calendar(rows, name=initiative["title"])
