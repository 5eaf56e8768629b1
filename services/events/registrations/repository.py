"""Registration and offer queries: the only place that builds SQL for registrations."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Table, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import insert_once, where_given
from services.events.registrations.domain import (
    LIVE,
    OfferOutcome,
    Registrant,
    RegistrationStatus,
)
from services.events.registrations.models import Registration, SeatOffer
from services.events.tables import METADATA

_LIVE = [status.value for status in LIVE]


# the sessions' table, only for its ids: which initiative a session belongs to (the features
# meet through their services; this one needs no more of it than its key and parent)
def _sessions() -> Table:
    return METADATA.tables["initiative_sessions"]  # looked up once the models are all loaded


async def counts(session: AsyncSession, session_id: uuid.UUID) -> dict[str, int]:
    """Live registrations of a session by status (what the session holds pending is
    written first). Core, not the ORM: it is counted under the session's lock."""
    await session.flush()
    stmt = (
        select(Registration.status, func.count())
        .where(col(Registration.session_id) == session_id, col(Registration.status).in_(_LIVE))
        .group_by(col(Registration.status))
    )
    found = await (await session.connection()).execute(stmt)
    return {status: int(n) for status, n in found.all()}


async def insert(session: AsyncSession, registration: Registration) -> bool:
    """Write `registration` (one statement, no ORM flush) unless a live one of the same
    person or contact holds the session's partial unique index; whether it was written."""
    table = Registration.__table__  # type: ignore[attr-defined]
    values = {column.key: getattr(registration, column.key) for column in table.columns}
    return await insert_once(session, table, **values)


async def get(
    session: AsyncSession,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Registration | None:
    stmt = select(Registration).where(
        col(Registration.id) == registration_id, col(Registration.session_id) == session_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def by_token_hash(session: AsyncSession, token_hash: str) -> Registration | None:
    stmt = select(Registration).where(col(Registration.token_hash) == token_hash)
    return (await session.exec(stmt)).first()


async def first_in_line(
    session: AsyncSession, session_id: uuid.UUID, limit: int
) -> list[Registration]:
    """The first `limit` waitlisted by position, locked."""
    stmt = (
        select(Registration)
        .where(
            col(Registration.session_id) == session_id,
            col(Registration.status) == RegistrationStatus.WAITLISTED,
        )
        .order_by(col(Registration.position))
        .limit(limit)
        .with_for_update()
    )
    return list(await session.exec(stmt))


async def live_offer(session: AsyncSession, registration_id: uuid.UUID) -> SeatOffer | None:
    stmt = (
        select(SeatOffer)
        .where(
            col(SeatOffer.registration_id) == registration_id,
            col(SeatOffer.outcome) == OfferOutcome.LIVE,
        )
        .with_for_update()
    )
    return (await session.exec(stmt)).first()


async def sessions_with_expired_offers(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(initiative id, session id) of sessions holding live offers past their time."""
    due = select(SeatOffer.session_id).where(
        col(SeatOffer.outcome) == OfferOutcome.LIVE, col(SeatOffer.expires_at) <= now
    )
    sessions = _sessions()
    stmt = (
        select(sessions.c.initiative_id, sessions.c.id)
        .where(sessions.c.id.in_(due))
        .order_by(sessions.c.id)
        .limit(limit)
    )
    found = await session.exec(stmt)
    return [(initiative_id, session_id) for initiative_id, session_id in found.all()]


async def expired_offers(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> list[SeatOffer]:
    """A session's live offers past their time, oldest first; those another run holds are
    skipped."""
    stmt = (
        select(SeatOffer)
        .where(
            col(SeatOffer.session_id) == session_id,
            col(SeatOffer.outcome) == OfferOutcome.LIVE,
            col(SeatOffer.expires_at) <= now,
        )
        .order_by(col(SeatOffer.position))
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(stmt))


async def of_session(
    session: AsyncSession,
    session_id: uuid.UUID,
    page: PageParams,
    *,
    status: str | None,
    organisation: str | None,
) -> Page[Registration]:
    stmt = where_given(
        select(Registration).where(col(Registration.session_id) == session_id),
        (Registration.status, status),
        (Registration.organisation, organisation),
    )
    return await paginate(session, stmt, page, order_by=(Registration.created_at, Registration.id))


async def waitlist(
    session: AsyncSession, session_id: uuid.UUID, page: PageParams, organisation: str | None
) -> Page[Registration]:
    stmt = where_given(
        select(Registration).where(
            col(Registration.session_id) == session_id,
            col(Registration.status) == RegistrationStatus.WAITLISTED,
        ),
        (Registration.organisation, organisation),
    )
    return await paginate(session, stmt, page, order_by=(Registration.position, Registration.id))


async def offers(session: AsyncSession, session_id: uuid.UUID, page: PageParams) -> Page[SeatOffer]:
    """Every offer made in the session, in the order made (the line's order)."""
    stmt = select(SeatOffer).where(col(SeatOffer.session_id) == session_id)
    return await paginate(session, stmt, page, order_by=(SeatOffer.position, SeatOffer.id))


async def initiative_of(session: AsyncSession, session_id: uuid.UUID) -> uuid.UUID | None:
    sessions = _sessions()
    stmt = select(sessions.c.initiative_id).where(sessions.c.id == session_id)
    found: uuid.UUID | None = (await session.exec(stmt)).first()
    return found


async def by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Registration]:
    if not ids:
        return {}
    stmt = select(Registration).where(col(Registration.id).in_(list(ids))).with_for_update()
    return {row.id: row for row in await session.exec(stmt)}


async def attendees(session: AsyncSession, session_id: uuid.UUID) -> list[Registration]:
    """Those holding a seat or checked in, in the order they registered."""
    stmt = (
        select(Registration)
        .where(
            col(Registration.session_id) == session_id,
            or_(
                col(Registration.status) == RegistrationStatus.REGISTERED,
                col(Registration.checked_in_at).is_not(None),
            ),
        )
        .order_by(col(Registration.created_at), col(Registration.id))
    )
    return list(await session.exec(stmt))


async def due_for_erasure(
    session: AsyncSession, cutoff: datetime, limit: int
) -> list[Registration]:
    """Public registrants still kept whose session, or whose registration, ended before
    `cutoff`, locked, oldest first; those another run holds are skipped."""
    sessions = _sessions()
    ended_sessions = select(sessions.c.id).where(sessions.c.ends_at < cutoff)
    stmt = (
        select(Registration)
        .where(
            col(Registration.registrant) == Registrant.PUBLIC,
            col(Registration.erased_at).is_(None),
            or_(
                col(Registration.session_id).in_(ended_sessions),
                and_(
                    col(Registration.status).not_in(_LIVE),
                    col(Registration.updated_at) < cutoff,
                ),
            ),
        )
        .order_by(col(Registration.created_at), col(Registration.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(stmt))


async def of_persons(session: AsyncSession, person_refs: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """The ids of every registration of these beneficiaries, in any session."""
    if not person_refs:
        return []
    stmt = select(Registration.id).where(col(Registration.person_ref).in_(list(person_refs)))
    return list(await session.exec(stmt))
