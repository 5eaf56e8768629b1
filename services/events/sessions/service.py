"""Session use cases: schedule a session of an initiative, change or reschedule it, cancel
it; read them. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.usecases import created_by
from services.events.initiatives import service as initiatives
from services.events.initiatives.service import Initiative
from services.events.sessions import domain, repository
from services.events.sessions.domain import SessionStatus
from services.events.sessions.events import (
    SessionCancelled,
    SessionChanged,
    SessionData,
    SessionRescheduled,
    SessionScheduled,
)
from services.events.sessions.models import InitiativeSession
from services.events.sessions.schemas import SessionCreate, SessionPatch

_TIMES = ("starts_at", "ends_at", "zone")


class SessionNotFound(NotFound):
    slug = "session-not-found"
    title = "Session not found"


async def schedule(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_in: SessionCreate,
) -> InitiativeSession:
    initiative = await run_by(session, principal, initiative_id)
    initiatives.require_open(initiative)
    starts_at, ends_at = _times(
        initiative, session_in.starts_at, session_in.ends_at, session_in.zone
    )
    given = session_in.model_dump(exclude={"starts_at", "ends_at", "venue"})
    now = utcnow()
    added = InitiativeSession(
        initiative_id=initiative.id,
        starts_at=starts_at,
        ends_at=ends_at,
        **given,
        **_venue(session_in.venue.model_dump()),
        **created_by(principal, now),
    )
    session.add(added)
    await session.flush()
    await _publish(session, SessionScheduled, initiative, added, changed_at=now)
    return added


async def get(
    *, session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID
) -> InitiativeSession:
    found = await repository.get(session, initiative_id, session_id)
    return require_found(found, SessionNotFound(f"No session {session_id} of {initiative_id}."))


async def of_initiative(
    *, session: AsyncSession, initiative_id: uuid.UUID, page: PageParams, status: str | None
) -> Page[InitiativeSession]:
    await initiatives.get(session=session, initiative_id=initiative_id)  # 404 if none
    return await repository.of_initiative(session, initiative_id, page, status)


async def locked(
    session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID
) -> InitiativeSession:
    """The session, locked until the transaction ends: its seats are counted under it."""
    found = await repository.get(session, initiative_id, session_id, for_update=True)
    return require_found(found, SessionNotFound(f"No session {session_id} of {initiative_id}."))


async def change(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    if_match: str | None,
    patch: SessionPatch,
) -> InitiativeSession:
    """The fields given change; new times are a reschedule (``session.rescheduled``)."""
    initiative = await run_by(session, principal, initiative_id)
    changed = await locked(session, initiative_id, session_id)
    require_if_match(if_match, changed.version)
    initiatives.require_open(initiative)
    domain.require_scheduled(SessionStatus(changed.status))
    given = patch.model_dump(include=patch.model_fields_set)
    if not given:
        return changed
    before = (changed.starts_at, changed.ends_at)
    if any(name in given for name in _TIMES):
        zone = given.pop("zone", changed.zone)
        # a time not given stays the same instant
        starts = given.pop("starts_at", domain.local(changed.starts_at, zone))
        ends = given.pop("ends_at", domain.local(changed.ends_at, zone))
        changed.starts_at, changed.ends_at = _times(initiative, starts, ends, zone)
        changed.zone = zone
    if "venue" in given:
        given.update(_venue(given.pop("venue")))
    for name, value in given.items():
        setattr(changed, name, value)
    now = _saved(changed)
    await session.flush()
    if (changed.starts_at, changed.ends_at) != before:
        await _publish(
            session,
            SessionRescheduled,
            initiative,
            changed,
            changed_at=now,
            previous_starts_at=before[0],
            previous_ends_at=before[1],
        )
    else:
        await _publish(session, SessionChanged, initiative, changed, changed_at=now)
    return changed


async def cancel(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    if_match: str | None,
) -> InitiativeSession:
    """The session is cancelled (``session.cancelled`` tells its registrants); it changes no
    more, and its registrations stay as a record."""
    initiative = await run_by(session, principal, initiative_id)
    cancelled = await locked(session, initiative_id, session_id)
    require_if_match(if_match, cancelled.version)
    domain.require_scheduled(SessionStatus(cancelled.status))
    cancelled.status = SessionStatus.CANCELLED
    cancelled.cancelled_at = now = _saved(cancelled)
    await session.flush()
    await _publish(session, SessionCancelled, initiative, cancelled, changed_at=now)
    return cancelled


async def run_by(
    session: AsyncSession, principal: Principal, initiative_id: uuid.UUID
) -> Initiative:
    """The initiative, if `principal`'s organisation runs it (`initiatives.service.run_by`):
    what registrations and attendance check too."""
    return await initiatives.run_by(
        session=session, principal=principal, initiative_id=initiative_id
    )


def require_scheduled(row: InitiativeSession) -> None:
    """409 ``session-cancelled`` once the session is cancelled."""
    domain.require_scheduled(SessionStatus(row.status))


def shown(columns: Mapping[str, Any]) -> dict[str, Any]:
    """What a session's columns read as in public (its API and the programme): its times in
    its zone, with that day's offset, and the venue as one object."""
    zone = columns["zone"]
    return {
        "starts_at": domain.local(columns["starts_at"], zone),
        "ends_at": domain.local(columns["ends_at"], zone),
        "venue": {
            "name": columns["venue_name"],
            "address": columns["venue_address"],
            "municipio": columns["venue_municipio"],
            "accessible": columns["venue_accessible"],
        },
    }


def local_time(row: InitiativeSession, moment: datetime) -> datetime:
    """`moment` as the wall-clock time (with its offset) where the session happens."""
    return domain.local(moment, row.zone)


# --- steps -------------------------------------------------------------------------------


def _times(
    initiative: Initiative, starts: datetime, ends: datetime, zone_name: str
) -> tuple[datetime, datetime]:
    zone = domain.zone_of(zone_name)
    starts_at = domain.instant("starts_at", starts, zone)
    ends_at = domain.instant("ends_at", ends, zone)
    domain.check_times(starts_at, ends_at)
    domain.check_in_period(starts_at, zone.key, initiative.starts_on, initiative.ends_on)
    return starts_at, ends_at


def _venue(venue: dict[str, Any]) -> dict[str, Any]:
    return {f"venue_{name}": value for name, value in venue.items()}


def _saved(row: InitiativeSession) -> datetime:
    row.version += 1
    row.updated_at = utcnow()
    return row.updated_at


async def _publish(
    session: AsyncSession,
    event: EventType[Any],
    initiative: Initiative,
    row: InitiativeSession,
    **fields: Any,
) -> None:
    data = event.payload.of(row, session_id=row.id, **fields)
    assert isinstance(data, SessionData)
    await record_event(
        session,
        event,
        data,
        subject=str(initiative.id),
        organisation=initiative.organiser_organisation,
    )
