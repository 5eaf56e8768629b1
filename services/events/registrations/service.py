"""Registration use cases: register a beneficiary or a member of the public into a session
(a seat while one is free, else the waiting list), cancel, confirm an offer, fill freed seats
from the line (`promote`) and expire offers past their time; erase a public registrant's name
and contact; read them (a read of a public registrant's name is audited). Seats are counted
under the session's lock (`sessions.service.locked`). Never commits."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import Forbidden, NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.events.initiatives import service as initiatives
from services.events.initiatives.service import Initiative
from services.events.registrations import domain, repository
from services.events.registrations.domain import ErasureGround as ErasureGround  # erasure's
from services.events.registrations.domain import (
    OfferOutcome,
    Registrant,
    RegistrationStatus,
)
from services.events.registrations.domain import Seats as Seats  # the programme's
from services.events.registrations.events import (
    BeneficiaryCancelled,
    BeneficiaryConfirmed,
    BeneficiaryOffered,
    BeneficiaryRegistered,
    BeneficiaryWaitlisted,
    OfferExpired,
    RegistrationData,
    SeatCounts,
    SeatsChanged,
)
from services.events.registrations.models import Registration as Registration  # what it gives
from services.events.registrations.models import SeatOffer
from services.events.registrations.schemas import BeneficiaryIn, PublicContactIn
from services.events.sessions import service as sessions

log = logging.getLogger(__name__)

_S = RegistrationStatus
_TOLD: dict[str, EventType[RegistrationData]] = {
    "registered": BeneficiaryRegistered,
    "waitlisted": BeneficiaryWaitlisted,
    "offered": BeneficiaryOffered,
    "confirmed": BeneficiaryConfirmed,
    "cancelled": BeneficiaryCancelled,
    "offer_expired": OfferExpired,
}
REGISTRANTS = AuditScope("public_registrant", AuditPurpose.INITIATIVES)
"""Reads and erasures of a public registrant's name and contact."""


class InitiativeSession(Protocol):
    """What registrations read and write of a session (`sessions.service.locked` gives it)."""

    id: uuid.UUID
    status: str
    starts_at: datetime
    capacity: int
    auto_confirm: bool
    offer_hold_minutes: int
    next_position: int


class RegistrationNotFound(NotFound):
    slug = "registration-not-found"
    title = "Registration not found"


# --- registering -------------------------------------------------------------------------


async def register(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    beneficiary_in: BeneficiaryIn,
) -> Registration:
    """A beneficiary, by a case worker (into any published initiative) or by those who run
    the initiative; the caller's organisation is their registrar."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    if not principal.has_role(Role.CASE_WORKER):
        initiatives.require_runner(initiative, principal)
    row = await _open(session, initiative, session_id)
    return await _placed(
        session,
        initiative,
        row,
        registrant=Registrant.BENEFICIARY,
        person_ref=beneficiary_in.person_ref,
        organisation=principal.organisation,
        registered_by=principal.subject,
    )


async def register_public(
    *,
    session: AsyncSession,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    public_in: PublicContactIn,
    principal: Principal | None = None,
) -> tuple[Registration, str]:
    """A member of the public, online (no `principal`) or by those who run the initiative on
    their behalf; with the cancellation token, returned this once (only its hash is kept)."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    if principal is not None:
        initiatives.require_runner(initiative, principal)
    domain.check_audience(initiative.audience, Registrant.PUBLIC)
    if public_in.email is not None:
        kind, contact = "email", domain.normalised_email(public_in.email)
    else:
        kind, contact = "phone", domain.normalised_phone(public_in.phone or "")
    row = await _open(session, initiative, session_id)
    token = secrets.token_urlsafe(32)
    registration = await _placed(
        session,
        initiative,
        row,
        registrant=Registrant.PUBLIC,
        name=public_in.name,
        contact=contact,
        contact_kind=kind,
        consent_at=utcnow(),
        token_hash=domain.token_hash(token),
        organisation=principal.organisation if principal else None,
        registered_by=principal.subject if principal else None,
    )
    return registration, token


async def _open(
    session: AsyncSession, initiative: Initiative, session_id: uuid.UUID
) -> InitiativeSession:
    """The session, locked, if it takes registrations (409 ``registration-closed``)."""
    row = await sessions.locked(session, initiative.id, session_id)
    domain.check_open(initiative_status=initiative.status, session_status=row.status)
    return row


async def _placed(
    session: AsyncSession,
    initiative: Initiative,
    row: InitiativeSession,
    **fields: Any,
) -> Registration:
    """A new registration with `fields`: registered while a seat is free, else next in line;
    409 if the person (or the contact) is already in the session (the partial unique indexes
    decide, so a concurrent duplicate is refused too)."""
    seats = await _seats(session, row)
    status = domain.placed(seats)
    position = None
    if status is _S.WAITLISTED:
        position = row.next_position
        row.next_position += 1
    now = utcnow()
    registration = Registration(
        session_id=row.id,
        status=status,
        position=position,
        created_at=now,
        updated_at=now,
        **fields,
    )
    if not await repository.insert(session, registration):
        raise _already()
    seats = seats.moved(None, _S(registration.status))
    await _publish(session, initiative, registration, registration.status, seats)
    log.info("registration %s in session %s: %s", registration.id, row.id, registration.status)
    return registration


# --- changing ----------------------------------------------------------------------------


async def cancel(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    if_match: str | None,
) -> Registration:
    """Cancelled by its registrar organisation or those who run the initiative: a seat it
    held goes to the first in line."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.locked(session, initiative_id, session_id)
    registration = await _visible(session, principal, initiative, row.id, registration_id)
    require_if_match(if_match, registration.version)
    await _cancelled(session, initiative, row, registration)
    return registration


async def cancel_by_token(*, session: AsyncSession, token: str) -> Registration:
    """A public registrant cancels with their token (404 if it is nobody's)."""
    initiative, row, registration = await _by_token(session, token)
    await _cancelled(session, initiative, row, registration)
    return registration


async def _by_token(
    session: AsyncSession, token: str
) -> tuple[Initiative, InitiativeSession, Registration]:
    """The registration a public registrant's token names, its session locked (404 if none:
    an erased registration's token is gone with it)."""
    unknown = RegistrationNotFound("No registration has this token.")
    found = require_found(
        await repository.by_token_hash(session, domain.token_hash(token)), unknown
    )
    initiative_id = require_found(
        await repository.initiative_of(session, found.session_id), unknown
    )
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.locked(session, initiative_id, found.session_id)
    registration = require_found(
        await repository.get(session, row.id, found.id, for_update=True), unknown
    )
    return initiative, row, registration


async def confirm(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    if_match: str | None,
) -> Registration:
    """A live offer taken up before it expires: the seat is theirs (409 once expired)."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.locked(session, initiative_id, session_id)
    registration = await _visible(session, principal, initiative, row.id, registration_id)
    require_if_match(if_match, registration.version)
    domain.check_open(initiative_status=initiative.status, session_status=row.status)
    now = utcnow()
    domain.require_live_offer(_S(registration.status), registration.offer_expires_at, now)
    offer = await repository.live_offer(session, registration.id)
    if offer is not None:
        offer.outcome, offer.decided_at = OfferOutcome.CONFIRMED, now
    seats = await _seats(session, row)
    _moved(registration, _S.REGISTERED, now)
    await session.flush()
    await _publish(
        session, initiative, registration, "confirmed", seats.moved(_S.OFFERED, _S.REGISTERED)
    )
    return registration


async def promote(
    session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID
) -> list[Registration]:
    """Free seats (after a cancellation, an expiry or more capacity) go to the first in line:
    offered, or registered if the session auto-confirms. Those promoted."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.locked(session, initiative_id, session_id)
    return await _filled(session, initiative, row, await _seats(session, row), utcnow())


async def resized(
    session: AsyncSession, initiative_id: uuid.UUID, row: InitiativeSession
) -> list[Registration]:
    """After a change of the session's capacity: 409 if it no longer seats those registered
    or offered; otherwise seats it adds go to the first in line (those promoted)."""
    domain.require_room(await _seats(session, row))
    return await promote(session, initiative_id, row.id)


async def expire(
    session: AsyncSession, *, now: datetime, limit: int
) -> tuple[list[uuid.UUID], int]:
    """Live offers past their time at `now` end (``offer_expired``), and each seat passes to
    the next in line; `limit` sessions at most. The offers ended, and the sessions looked at."""
    ended: list[uuid.UUID] = []
    found = await repository.sessions_with_expired_offers(session, now, limit)
    for initiative_id, session_id in found:
        initiative = await initiatives.get(session=session, initiative_id=initiative_id)
        row = await sessions.locked(session, initiative_id, session_id)
        offers = await repository.expired_offers(session, row.id, now)
        seats = await _seats(session, row)
        for offer in offers:
            registration = await repository.get(
                session, row.id, offer.registration_id, for_update=True
            )
            assert registration is not None  # an offer's registration is never deleted
            offer.outcome, offer.decided_at = OfferOutcome.EXPIRED, now
            _moved(registration, _S.OFFER_EXPIRED, now)
            seats = seats.moved(_S.OFFERED, _S.OFFER_EXPIRED)
            await session.flush()
            await _publish(session, initiative, registration, "offer_expired", seats, now)
            ended.append(offer.id)
        if offers:
            await _filled(session, initiative, row, seats, now)
    return ended, len(found)


# --- erasing -----------------------------------------------------------------------------


async def erase(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    ground: ErasureGround,
    if_match: str | None,
) -> Registration:
    """A public registrant's name and contact erased on their request, by those who run the
    initiative (audited); a registration for a session to come is cancelled too."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    initiatives.require_runner(initiative, principal)
    row = await sessions.locked(session, initiative_id, session_id)
    registration = await _visible(session, principal, initiative, row.id, registration_id)
    require_if_match(if_match, registration.version)
    await _erased(session, initiative, row, registration, ground)
    await REGISTRANTS.record(session, principal, AuditAction.ERASE, registration.id)
    return registration


async def erase_by_token(*, session: AsyncSession, token: str) -> Registration:
    """A public registrant erases their own name and contact with their cancellation token
    (404 if it is nobody's)."""
    initiative, row, registration = await _by_token(session, token)
    await _erased(session, initiative, row, registration, ErasureGround.DATA_SUBJECT_REQUEST)
    return registration


async def erase_expired(
    session: AsyncSession, *, now: datetime, retention: timedelta, limit: int
) -> list[Registration]:
    """Up to `limit` public registrants whose session or registration ended `retention`
    before `now`, erased (nothing else changes: the session is over, or they left it)."""
    due = await repository.due_for_erasure(session, domain.retention_cutoff(now, retention), limit)
    for registration in due:
        _blank(registration, ErasureGround.RETENTION_EXPIRED, now)
    await session.flush()
    return due


async def _erased(
    session: AsyncSession,
    initiative: Initiative,
    row: InitiativeSession,
    registration: Registration,
    ground: ErasureGround,
) -> None:
    domain.require_erasable(Registrant(registration.registrant), registration.erased_at)
    now = utcnow()
    if domain.cancelled_by_erasure(_S(registration.status), row.starts_at, now):
        await _cancelled(session, initiative, row, registration)
    _blank(registration, ground, now)
    await session.flush()
    log.info("registration %s in session %s: registrant erased", registration.id, row.id)


def _blank(registration: Registration, ground: ErasureGround, now: datetime) -> None:
    """What erasure destroys: the name, the contact and the token. The registration's facts
    (status, times, check-in) stay for the counts."""
    registration.name = registration.contact = registration.contact_kind = None
    registration.token_hash = None
    registration.erased_at, registration.erasure_ground = now, ground
    registration.version += 1
    registration.updated_at = now


# --- reading -----------------------------------------------------------------------------


async def get(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
) -> tuple[Registration, bool]:
    """A registration its registrar or those who run the initiative see, and whether the
    caller runs it (and sees a public registrant's name and contact)."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    found = await _visible(session, principal, initiative, row.id, registration_id)
    runs_it = _runs(initiative, principal)
    if runs_it:
        await _audited(session, principal, AuditAction.READ, [found])
    return found, runs_it


async def of_session(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    page: PageParams,
    status: str | None,
    waiting: bool = False,
) -> tuple[Page[Registration], bool]:
    """A session's registrations (or its waiting list, in order): all of them for those who
    run it, their own organisation's for a case worker."""
    initiative = await initiatives.get(session=session, initiative_id=initiative_id)
    row = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    runs_it = _runs(initiative, principal)
    organisation = None if runs_it else principal.organisation
    if waiting:
        found = await repository.waitlist(session, row.id, page, organisation)
    else:
        found = await repository.of_session(
            session, row.id, page, status=status, organisation=organisation
        )
    if runs_it:
        await _audited(session, principal, AuditAction.LIST, found.items)
    return found, runs_it


async def offers(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    page: PageParams,
) -> Page[SeatOffer]:
    """Every offer made in the session, in order: for those who run it."""
    await sessions.run_by(session, principal, initiative_id)
    row = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    return await repository.offers(session, row.id, page)


async def seats(*, session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID) -> Seats:
    row = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    return await _seats(session, row)


# --- for attendance ------------------------------------------------------------------------


async def for_check_in(
    session: AsyncSession, registration_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Registration]:
    """The registrations scans name, locked, by id (of any session: a scan may be wrong)."""
    return await repository.by_ids(session, registration_ids)


def check_in(registration: Registration, at: datetime) -> None:
    registration.checked_in_at = at
    registration.version += 1
    registration.updated_at = utcnow()


async def holding_seats(session: AsyncSession, session_id: uuid.UUID) -> int:
    return (await repository.counts(session, session_id)).get(_S.REGISTERED, 0)


async def attendees(session: AsyncSession, session_id: uuid.UUID) -> list[Registration]:
    return await repository.attendees(session, session_id)


async def in_session(
    session: AsyncSession, session_id: uuid.UUID, registration_id: uuid.UUID
) -> Registration:
    found = await repository.get(session, session_id, registration_id)
    return require_found(
        found, RegistrationNotFound(f"No registration {registration_id} in session {session_id}.")
    )


async def of_persons(session: AsyncSession, person_refs: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """The registrations of these beneficiaries (intake erased them), by id."""
    return await repository.of_persons(session, person_refs)


# --- steps -------------------------------------------------------------------------------


async def _audited(
    session: AsyncSession,
    principal: Principal,
    action: AuditAction,
    rows: Sequence[Registration],
) -> None:
    """Audit a read by those who run the initiative of the public registrants still named."""
    named = [row.id for row in rows if row.registrant == Registrant.PUBLIC and row.name]
    await REGISTRANTS.record(session, principal, action, *named)


def _already() -> domain.AlreadyRegistered:
    return domain.AlreadyRegistered("They are already registered, offered or in line here.")


def _runs(initiative: Initiative, principal: Principal) -> bool:
    try:
        initiatives.require_runner(initiative, principal)
    except Forbidden:
        return False
    return True


async def _visible(
    session: AsyncSession,
    principal: Principal,
    initiative: Initiative,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
) -> Registration:
    found = await repository.get(session, session_id, registration_id, for_update=True)
    if found is None or not domain.visible(
        registrar=found.organisation,
        organisation=principal.organisation,
        runs_it=_runs(initiative, principal),
    ):
        raise RegistrationNotFound(f"No registration {registration_id} in session {session_id}.")
    return found


async def _seats(session: AsyncSession, row: InitiativeSession) -> Seats:
    counted = await repository.counts(session, row.id)
    return Seats(
        capacity=row.capacity,
        registered=counted.get(_S.REGISTERED, 0),
        offered=counted.get(_S.OFFERED, 0),
        waitlisted=counted.get(_S.WAITLISTED, 0),
    )


def _moved(registration: Registration, status: RegistrationStatus, now: datetime) -> None:
    registration.status = status
    registration.version += 1
    registration.updated_at = now


async def _cancelled(
    session: AsyncSession,
    initiative: Initiative,
    row: InitiativeSession,
    registration: Registration,
) -> None:
    before = _S(registration.status)
    freed = domain.cancelled(before)
    now = utcnow()
    if before is _S.OFFERED:
        offer = await repository.live_offer(session, registration.id)
        if offer is not None:
            offer.outcome, offer.decided_at = OfferOutcome.DECLINED, now
    seats = await _seats(session, row)
    _moved(registration, _S.CANCELLED, now)
    registration.cancelled_at = now
    await session.flush()
    seats = seats.moved(before, _S.CANCELLED)
    await _publish(session, initiative, registration, "cancelled", seats, now)
    log.info("registration %s in session %s cancelled", registration.id, row.id)
    if freed:
        await _filled(session, initiative, row, seats, now)


async def _filled(
    session: AsyncSession,
    initiative: Initiative,
    row: InitiativeSession,
    seats: Seats,
    now: datetime,
) -> list[Registration]:
    """The free seats given to the first in line, if the session still takes registrations."""
    if initiative.status != "published" or row.status != "scheduled":
        return []
    count, status = domain.promoted(seats, seats.waitlisted, auto_confirm=row.auto_confirm)
    if count == 0:
        return []
    promoted: Sequence[Registration] = await repository.first_in_line(session, row.id, count)
    expires_at = now + timedelta(minutes=row.offer_hold_minutes)
    for registration in promoted:
        _moved(registration, status, now)
        if status is _S.OFFERED:
            registration.offer_expires_at = expires_at
            session.add(
                SeatOffer(
                    session_id=row.id,
                    registration_id=registration.id,
                    position=registration.position or 0,
                    offered_at=now,
                    expires_at=expires_at,
                )
            )
        seats = seats.moved(_S.WAITLISTED, status)
        await session.flush()
        await _publish(session, initiative, registration, status, seats, now)
    log.info("session %s: %d promoted from the line (%s)", row.id, len(promoted), status)
    return list(promoted)


async def _publish(
    session: AsyncSession,
    initiative: Initiative,
    registration: Registration,
    what: str,
    seats: Seats,
    now: datetime | None = None,
) -> None:
    counts = SeatCounts(
        capacity=seats.capacity,
        registered=seats.registered,
        offered=seats.offered,
        waitlisted=seats.waitlisted,
    )
    changed_at = now or registration.updated_at
    common = {
        "initiative_id": initiative.id,
        "session_id": registration.session_id,
        "status": registration.status,
        "seats": counts,
        "changed_at": changed_at,
    }
    if registration.registrant == Registrant.PUBLIC:
        seats_changed = SeatsChanged.payload.model_validate(
            {**common, "registrant": Registrant.PUBLIC}
        )
        await _record(session, SeatsChanged, seats_changed, initiative)
        return
    event = _TOLD[what]
    data = event.payload.of(registration, registration_id=registration.id, **common)
    await _record(session, event, data, initiative)


async def _record(
    session: AsyncSession, event: EventType[Any], data: Any, initiative: Initiative
) -> None:
    await record_event(
        session,
        event,
        data,
        subject=str(initiative.id),
        organisation=initiative.organiser_organisation,
    )
