"""The public programme's use cases: read, never change. Each answer comes with its
freshness (`conditional`), what a 304 is decided on without rendering it. A session shows its
free seats (`Seats.free`, the registrations' rule) but never who took them; the iCalendar
feeds show no seats, so a registration leaves them (and their freshness) as they were."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import utcnow
from kit.pagination import CursorCodec, InvalidCursor, PageParams
from services.events.programme import calendar, conditional, repository
from services.events.programme.domain import FEED_HISTORY, NotInProgramme
from services.events.programme.repository import ProgrammeFilter
from services.events.programme.schemas import (
    InitiativeProgramme,
    ProgrammeEntry,
    ProgrammeInitiative,
    ProgrammePage,
    ProgrammeSession,
)
from services.events.registrations.service import Seats  # their rule of free seats
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


def _session(row: Mapping[str, Any], held: Mapping[uuid.UUID, Mapping[str, int]]) -> dict[str, Any]:
    taken = held.get(row["session_id"], {})
    seats = Seats(
        capacity=row["capacity"],
        registered=taken.get("registered", 0),
        offered=taken.get("offered", 0),
    )
    return {
        "id": row["session_id"],
        **{
            name: row[name]
            for name in ("zone", "capacity", "languages", "cultural_mediator", "interpreter")
        },
        **sessions.shown(row),
        "seats_free": seats.free,
    }


async def _held(
    session: AsyncSession, rows: list[Any]
) -> tuple[dict[uuid.UUID, Any], conditional.Shown]:
    # the seats held in all these sessions (one query, not one per session), and what they
    # showed of registrations, as a freshness for their keys reads it again for a 304
    keys = tuple(row["session_id"] for row in rows)
    held = await repository.seats_held(session, keys)
    written = sum(row["written"] for row in held.values())
    versions = sum(row["versions"] for row in held.values())
    return held, conditional.Shown(keys, (written, versions))


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
) -> tuple[ProgrammePage, datetime | None, conditional.Shown]:
    """One page of the programme, soonest first, when time alone changes it (a session on
    it, or the next one after it, is over), and the registrations it showed."""
    rows = await repository.programme(session, where, after=_after(page), limit=page.limit + 1)
    valid_until = _first_over(rows)
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]
        next_cursor = _codec(page).encode(ORDERING, [last["starts_at"], last["session_id"]])
    held, shown = await _held(session, rows)
    items = [
        ProgrammeEntry.model_validate({**_session(row, held), "initiative": _initiative(row)})
        for row in rows
    ]
    return ProgrammePage(items=items, next_cursor=next_cursor), valid_until, shown


async def data_version(
    session_ids: tuple[Hashable, ...] | None, *, session: AsyncSession
) -> tuple[Hashable, Hashable]:
    """What changes whenever any initiative or session is written, and any registration of
    `session_ids` (`conditional.Freshness`)."""
    return await repository.data_version(session, _keys(session_ids))


async def initiative_programme(
    *, session: AsyncSession, initiative_id: uuid.UUID
) -> tuple[InitiativeProgramme, conditional.Shown]:
    """A public initiative with its scheduled sessions; 404 for a draft, a cancelled or an
    unknown one alike (a draft's existence is not public either)."""
    initiative = await repository.initiative(session, initiative_id)
    if initiative is None:
        raise NotInProgramme(f"No public initiative {initiative_id}.")
    rows = await repository.sessions_of(session, initiative_id)
    held, shown = await _held(session, rows)
    found = InitiativeProgramme.model_validate(
        {
            **_initiative(initiative),
            "sessions": [ProgrammeSession.model_validate(_session(row, held)) for row in rows],
        }
    )
    return found, shown


async def initiative_freshness(
    session_ids: tuple[Hashable, ...] | None, *, session: AsyncSession, initiative_id: uuid.UUID
) -> tuple[Hashable, Hashable]:
    """`data_version` of one initiative and its sessions."""
    return await repository.initiative_freshness(session, initiative_id, _keys(session_ids))


def _keys(session_ids: tuple[Hashable, ...] | None) -> repository.Keys:
    # the keys `_held` gave (`conditional.Shown`) are these sessions' ids
    return cast(repository.Keys, session_ids)


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
