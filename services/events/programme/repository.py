"""The programme's queries: the only place that builds its SQL.

The programme reads three tables other features own and write (``initiatives``, written by
`services.events.initiatives`; ``initiative_sessions``, by `services.events.sessions`;
``registrations``, by `services.events.registrations`). It declares here, as plain SQL
tables, only the columns it may show, filter or count on: the authors' columns and the
registrants' names and contacts are not even selectable, so no query of the programme can leak
them. Of registrations it reads only how many hold each session's seats, and their versions.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Text,
    Uuid,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
    true,
    tuple_,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import UtcDateTime
from kit.query import among
from kit.rows import Record, fetch
from services.events.programme.domain import LISTED, READABLE, SHOWN_SESSION

initiatives = table(
    "initiatives",
    column("id", Uuid()),
    column("title", String()),
    column("description", String()),
    column("translations", JSON()),
    column("kind", String()),
    column("status", String()),
    column("organiser_organisation", String()),
    column("partner_organisations", JSON()),
    column("audience", String()),
    column("topics", JSON()),
    column("municipio", Integer()),
    column("neighbourhood", String()),
    column("starts_on", Date()),
    column("ends_on", Date()),
    column("updated_at", UtcDateTime()),
)
sessions = table(
    "initiative_sessions",
    column("id", Uuid()),
    column("version", Integer()),
    column("initiative_id", Uuid()),
    column("status", String()),
    column("starts_at", UtcDateTime()),
    column("ends_at", UtcDateTime()),
    column("zone", String()),
    column("venue_name", String()),
    column("venue_address", String()),
    column("venue_municipio", Integer()),
    column("venue_accessible", Boolean()),
    column("capacity", Integer()),
    column("languages", JSON()),
    column("cultural_mediator", Boolean()),
    column("interpreter", Boolean()),
    column("updated_at", UtcDateTime()),
)
registrations = table(
    "registrations",
    column("session_id", Uuid()),
    column("status", String()),
    column("version", Integer()),
)
i, s, r = initiatives.c, sessions.c, registrations.c

HOLDING = ("registered", "offered")
"""The registration statuses that hold a seat (`registrations.service.Seats` counts them as
``registered`` and ``offered``: a live offer holds its seat)."""

INITIATIVE_COLUMNS = (
    i.id,
    i.title,
    i.description,
    i.translations,
    i.kind,
    i.audience,
    i.topics,
    i.organiser_organisation,
    i.partner_organisations,
    i.municipio,
    i.neighbourhood,
    i.starts_on,
    i.ends_on,
    i.updated_at,
)
SESSION_COLUMNS = (
    s.id.label("session_id"),
    s.version.label("session_version"),
    s.starts_at,
    s.ends_at,
    s.zone,
    s.venue_name,
    s.venue_address,
    s.venue_municipio,
    s.venue_accessible,
    s.capacity,
    s.languages,
    s.cultural_mediator,
    s.interpreter,
    s.updated_at.label("session_updated_at"),
)
_JOINED = sessions.join(initiatives, s.initiative_id == i.id)


@dataclass(frozen=True)
class ProgrammeFilter:
    """Which sessions a programme or a city-wide feed holds."""

    ending_after: datetime
    """Sessions still running then (the programme: now; a feed: a month ago)."""
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    municipio: int | None = None
    """Where the session is held (its venue's Municipio)."""
    kind: str | None = None
    language: str | None = None
    """A session held in it, or an initiative with its text in it."""


def _holds(json_column: Any, value: str) -> ColumnElement[bool]:
    # the JSON text holds "value": exact for language codes (no quote or wildcard in them)
    return cast(json_column, Text).contains(f'"{value}"', autoescape=True)


def _has_key(json_column: Any, key: str) -> ColumnElement[bool]:
    # an object's key is the only string followed by ':' in JSON text
    return or_(
        cast(json_column, Text).contains(f'"{key}":', autoescape=True),
        cast(json_column, Text).contains(f'"{key}" :', autoescape=True),
    )


def _conditions(where: ProgrammeFilter) -> list[ColumnElement[bool]]:
    conditions = [
        i.status.in_(sorted(LISTED)),
        s.status == SHOWN_SESSION,
        s.ends_at > where.ending_after,
    ]
    if where.starts_from is not None:
        conditions.append(s.starts_at >= where.starts_from)
    if where.starts_before is not None:
        conditions.append(s.starts_at < where.starts_before)
    if where.municipio is not None:
        conditions.append(s.venue_municipio == where.municipio)
    if where.kind is not None:
        conditions.append(i.kind == where.kind)
    if where.language is not None:
        language = where.language
        text_in_it = literal(True) if language == "it" else _has_key(i.translations, language)
        conditions.append(or_(_holds(s.languages, language), text_in_it))
    return conditions


def _after(cursor: tuple[datetime, uuid.UUID] | None) -> list[ColumnElement[bool]]:
    if cursor is None:
        return []
    starts_at, session_id = cursor
    return [
        tuple_(s.starts_at, s.id)
        > tuple_(literal(starts_at, UtcDateTime()), literal(session_id, Uuid()))
    ]


async def programme(
    session: AsyncSession,
    where: ProgrammeFilter,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int | None,
) -> list[Record]:
    """Up to `limit` (or all) sessions with their initiatives, soonest first, after the
    keyset `after`."""
    stmt = (
        select(*SESSION_COLUMNS, *INITIATIVE_COLUMNS)
        .select_from(_JOINED)
        .where(*_conditions(where), *_after(after))
        .order_by(s.starts_at, s.id)
        .limit(limit)
    )
    return await fetch(session, stmt)


def _written() -> tuple[Any, ...]:
    # every write of a registration adds one to its version (`kit.tables.Versioned`), an
    # insert one to the count: together they move with each registration, cancellation,
    # offer, confirmation or expiry, even when two commit out of their ``updated_at`` order
    return (
        func.count().label("written"),
        func.coalesce(func.sum(r.version), 0).label("versions"),
    )


async def seats_held(
    session: AsyncSession, session_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Record]:
    """Of each of these sessions' registrations: how many hold its seats, as ``registered``
    and ``offered``, and how many were ``written`` and the sum of their ``versions``
    (`registrations_version` reads the same again). One grouped query for them all, by the
    index on ``session_id``; a session nobody registered for is left out."""
    if not session_ids:
        return {}
    stmt = (
        select(
            r.session_id,
            func.count(case((r.status == "registered", 1))).label("registered"),
            func.count(case((r.status == "offered", 1))).label("offered"),
            *_written(),
        )
        .where(await among(session, r.session_id, session_ids))
        .group_by(r.session_id)
    )
    return {row["session_id"]: row for row in await fetch(session, stmt)}


Keys = tuple[uuid.UUID, ...] | None
"""The sessions whose registrations a freshness also covers (`conditional.Shown.keys`)."""


async def _with_registrations(
    session: AsyncSession, stmt: Select[Any], session_ids: Keys
) -> Select[Any]:
    # `stmt`'s one row, and the totals of `seats_held`'s ``written`` and ``versions`` for
    # these sessions, by the same index, in one statement (`stmt` alone if not asked)
    if session_ids is None:
        return stmt
    of_them = await among(session, r.session_id, session_ids)
    written = select(*_written()).where(of_them).subquery("written")
    own = stmt.subquery("own")
    return select(own, written).select_from(own.join(written, true()))


def _split(row: Record, session_ids: Keys) -> tuple[tuple[Any, ...], Any]:
    values = tuple(row.values())
    if session_ids is None:
        return values, None
    return values[:-2], values[-2:]


def _freshness(stmt: Select[Any]) -> Select[Any]:
    columns: tuple[Any, ...] = (
        func.count(s.id).label("sessions"),
        func.max(s.updated_at).label("sessions_changed"),
        func.max(i.updated_at).label("initiatives_changed"),
    )
    return stmt.with_only_columns(*columns)


async def data_version(session: AsyncSession, session_ids: Keys) -> tuple[tuple[Any, ...], Any]:
    """How many initiatives and sessions there are and when the latest of each changed: what
    moves whenever any of them is written (each write moves its ``updated_at``, an insert the
    count), two scans of narrow columns and no join; and, for `session_ids`, how many
    registrations they have and the sum of their versions, in the same statement. Time passing
    is the caller's (`conditional.Rendered`)."""
    stmt = select(
        select(func.count()).select_from(initiatives).scalar_subquery().label("initiatives"),
        select(func.max(i.updated_at)).scalar_subquery().label("initiatives_changed"),
        select(func.count()).select_from(sessions).scalar_subquery().label("sessions"),
        select(func.max(s.updated_at)).scalar_subquery().label("sessions_changed"),
    )
    stmt = await _with_registrations(session, stmt, session_ids)
    return _split((await fetch(session, stmt))[0], session_ids)


def _readable(initiative_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [i.id == initiative_id, i.status.in_(sorted(READABLE))]


async def initiative(session: AsyncSession, initiative_id: uuid.UUID) -> Record | None:
    """A published (or completed) initiative's public columns, or None."""
    stmt = select(*INITIATIVE_COLUMNS).where(*_readable(initiative_id))
    found = await fetch(session, stmt)
    return found[0] if found else None


async def sessions_of(session: AsyncSession, initiative_id: uuid.UUID) -> list[Record]:
    """A readable initiative's scheduled sessions with it, soonest first (none otherwise)."""
    stmt = (
        select(*SESSION_COLUMNS, *INITIATIVE_COLUMNS)
        .select_from(_JOINED)
        .where(*_readable(initiative_id), s.status == SHOWN_SESSION)
        .order_by(s.starts_at, s.id)
    )
    return await fetch(session, stmt)


async def initiative_freshness(
    session: AsyncSession, initiative_id: uuid.UUID, session_ids: Keys
) -> tuple[tuple[Any, ...], Any]:
    """The initiative's last change, and its scheduled sessions' count and last change; and
    `session_ids`' registrations, as `data_version`."""
    shown = and_(s.initiative_id == i.id, s.status == SHOWN_SESSION)
    joined = initiatives.outerjoin(sessions, shown)
    stmt = _freshness(select(i.id).select_from(joined).where(*_readable(initiative_id)))
    stmt = stmt.add_columns(func.count(i.id).label("initiatives"))
    stmt = await _with_registrations(session, stmt, session_ids)
    return _split((await fetch(session, stmt))[0], session_ids)
