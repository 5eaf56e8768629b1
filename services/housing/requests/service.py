"""Housing-request use cases: file, read, change and withdraw a request, and the platform's
own withdrawals (a case closed, a consent withdrawn, a person erased). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, Unpack

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, ValidationFailed, require_found
from kit.etag import require_if_match
from kit.events.types import EventData, EventType
from kit.outbox import Pending, record_events
from kit.pagination import Page, PageParams
from kit.usecases import created_by
from services.housing.cases import service as cases
from services.housing.requests import domain, repository
from services.housing.requests.domain import (
    Household,
    Member,
    MemberSex,
    RequestStatus,
    WithdrawalReason,
)
from services.housing.requests.events import RequestChanged, RequestFiled, RequestWithdrawn
from services.housing.requests.models import HousingRequest as HousingRequest  # for callers
from services.housing.requests.repository import RequestFilter
from services.housing.requests.schemas import MemberIn, RequestCreate, RequestPatch

E = TypeVar("E", bound=EventData)


class RequestNotFound(NotFound):
    slug = "housing-request-not-found"
    title = "Housing request not found"


@dataclass(frozen=True)
class Filed:
    """A request with what follows from it: its household, its vulnerability, its wait."""

    request: HousingRequest

    @property
    def vulnerability(self) -> int:
        return self.request.vulnerability

    @property
    def household(self) -> Household:
        return household_of(self.request)

    def waiting_days(self, today: date) -> int:
        return domain.waiting_days(self.request.requested_on, today)


def household_of(request: HousingRequest) -> Household:
    return Household(tuple(Member(MemberSex(m["sex"]), int(m["age"])) for m in request.members))


def _members(members: Sequence[MemberIn]) -> list[dict[str, Any]]:
    return [{"sex": str(m.sex), "age": m.age} for m in members]


async def file(*, session: AsyncSession, principal: Principal, request_in: RequestCreate) -> Filed:
    """A request for a case the caller's organisation acts for; one open per case."""
    today = utcnow().date()
    requested_on = request_in.requested_on or today
    if requested_on > today:
        raise ValidationFailed.for_field(
            "requested_on", "must not be in the future", code="date_in_future"
        )
    case = await cases.acted_for(session, principal, request_in.case_id)
    case.require_taken_in_charge()
    if await repository.open_of_case(session, case.case_id) is not None:
        raise domain.RequestOpenAlready(
            f"Case {case.case_id} has an open housing request: change that one."
        )
    members = _members(request_in.members)
    request = HousingRequest(
        case_id=case.case_id,
        status=RequestStatus.WAITING,
        target_group=case.target_group,
        members=members,
        household_size=len(members),
        minors=sum(m.age < domain.ADULT_AGE for m in request_in.members),
        needs_accessible=request_in.needs_accessible,
        preferred_municipi=request_in.preferred_municipi,
        urgency=request_in.urgency,
        vulnerability=case.vulnerability,
        requested_on=requested_on,
        organisation=principal.organisation,
        **created_by(principal),
    )
    session.add(request)
    await session.flush()
    await _publish(session, RequestFiled, request, filed_at=request.created_at)
    return Filed(request)


async def get(*, session: AsyncSession, principal: Principal, request_id: uuid.UUID) -> Filed:
    request = await _visible(session, principal, request_id)
    return Filed(request)


async def list_requests(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    **where: Unpack[RequestFilter],
) -> Page[Filed]:
    found = await repository.list_requests(session, principal, page, **where)
    return found.map(Filed)


async def change(
    *,
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    if_match: str | None,
    patch: RequestPatch,
) -> Filed:
    """The fields given change, while the request is open, by whoever acts for its case."""
    request = await _visible(session, principal, request_id, for_update=True)
    await cases.acted_for(session, principal, request.case_id)  # 404 unless it acts for it
    require_if_match(if_match, request.version)
    domain.require_open(RequestStatus(request.status))
    given = patch.model_dump(include=patch.model_fields_set)
    if "members" in given:
        given["members"] = _members(patch.members)
        given["household_size"] = len(patch.members)
        given["minors"] = sum(m.age < domain.ADULT_AGE for m in patch.members)
    changed = [name for name, value in given.items() if getattr(request, name) != value]
    if not changed:  # nothing changes: no new version, no event
        return Filed(request)
    for name in changed:
        setattr(request, name, given[name])
    now = _saved(request)
    await session.flush()
    shown = [name for name in changed if name not in ("household_size", "minors")]
    await _publish(session, RequestChanged, request, changed=shown, changed_at=now)
    return Filed(request)


async def withdraw(
    *,
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    if_match: str | None,
    reason: WithdrawalReason,
) -> Filed:
    """Withdrawn by whoever acts for its case, for one of a case worker's reasons."""
    request = await _visible(session, principal, request_id, for_update=True)
    await cases.acted_for(session, principal, request.case_id)  # 404 unless it acts for it
    require_if_match(if_match, request.version)
    if reason not in domain.BY_CASE_WORKER:
        raise ValidationFailed.for_field(
            "reason", "is the platform's own, not a case worker's", code="reason_reserved"
        )
    domain.require_open(RequestStatus(request.status))
    await _withdrawn(session, request, reason)
    return Filed(request)


@dataclass(frozen=True)
class Waiting:
    """A waiting request as a run weighs it (read in bulk, not as an entity)."""

    id: uuid.UUID
    version: int
    case_id: uuid.UUID
    target_group: str
    members: list[dict[str, Any]]
    household_size: int
    minors: int
    needs_accessible: bool
    preferred_municipi: list[int]
    urgency: str
    requested_on: date
    organisation: str
    vulnerability: int

    @property
    def household(self) -> Household:
        return Household(tuple(Member(MemberSex(m["sex"]), int(m["age"])) for m in self.members))

    def waiting_days(self, today: date) -> int:
        return domain.waiting_days(self.requested_on, today)


async def waiting(
    session: AsyncSession, *, ids: Collection[uuid.UUID] | None = None
) -> list[Waiting]:
    """Every request waiting for a place (with `ids`, those among them), longest waiting
    first, with its case's vulnerability: rows, not entities (a run reads ten thousand)."""
    found = await repository.waiting_rows(session, ids=ids)
    return [Waiting(**row) for row in found]  # a row holds the columns, `WAITING_COLUMNS`


_WAITING_COLUMNS = list(Waiting.__dataclass_fields__)


async def waiting_stamp(session: AsyncSession) -> tuple[int, datetime | None, int]:
    return await repository.waiting_stamp(session)


async def waiting_versions(session: AsyncSession) -> dict[uuid.UUID, int]:
    return await repository.waiting_versions(session)


def as_waiting(filed: Filed) -> Waiting:
    """A filed request as the matcher weighs it."""
    request = filed.request
    return Waiting(**{name: getattr(request, name) for name in _WAITING_COLUMNS})


async def propose_all(
    session: AsyncSession, chosen: Sequence[Waiting], now: datetime
) -> list[Waiting]:
    """The chosen requests still waiting become proposed (one statement); those a concurrent
    change took out of the waiting list are left out. No event of their own: each one's
    ``proposal.made``, on its key, says it is proposed (a run makes thousands)."""
    ids = await repository.mark_proposed(session, [w.id for w in chosen], now)
    proposed = [w for w in chosen if w.id in ids]
    return proposed


# --- the platform's own withdrawals ---------------------------------------------------------


async def case_closed(session: AsyncSession, case_ids: Iterable[uuid.UUID]) -> None:
    await _withdraw_for_cases(session, case_ids, WithdrawalReason.CASE_CLOSED)


async def consent_withdrawn(session: AsyncSession, case_ids: Iterable[uuid.UUID]) -> None:
    """A person of the cases withdrew their consent to housing support."""
    await _withdraw_for_cases(session, case_ids, WithdrawalReason.CONSENT_WITHDRAWN)


async def person_erased(session: AsyncSession, case_ids: Collection[uuid.UUID]) -> None:
    """A person of the cases was erased: their requests are withdrawn and forget who was in
    the household."""
    await _withdraw_for_cases(session, case_ids, WithdrawalReason.PERSON_ERASED)
    await erase_households(session, case_ids)


async def _withdraw_for_cases(
    session: AsyncSession, case_ids: Iterable[uuid.UUID], reason: WithdrawalReason
) -> None:
    """The open requests of the cases, withdrawn for `reason` (idempotent: a withdrawn
    request is not open)."""
    for request in await repository.open_of_cases(session, list(case_ids)):
        await _withdrawn(session, request, reason)


async def erase_households(session: AsyncSession, case_ids: Collection[uuid.UUID]) -> None:
    """Each request of the cases forgets its members' sexes and ages; the counts stay."""
    stmt = select(HousingRequest).where(col(HousingRequest.case_id).in_(list(case_ids)))
    for request in await session.exec(stmt):
        if request.members:
            request.members = []
            _saved(request)
    await session.flush()


# --- steps -------------------------------------------------------------------------------


async def case_changed(session: AsyncSession, case_id: uuid.UUID) -> None:
    """The case's facts changed (casework's events): its requests keep its vulnerability."""
    case = (await cases.cases(session, [case_id])).get(case_id)
    if case is not None:
        await repository.set_vulnerability(session, case_id, case.vulnerability, utcnow())


async def visible_row(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, *, for_update: bool = False
) -> HousingRequest:
    """The request's row, if `principal` may see it (404 otherwise)."""
    return await _visible(session, principal, request_id, for_update=for_update)


async def moved(
    session: AsyncSession, request_id: uuid.UUID, status: RequestStatus
) -> HousingRequest:
    """The request, locked, moved to `status` by a proposal or a placement (its event says
    so): proposed, back to waiting, or placed."""
    [request] = await moved_all(session, [request_id], status)
    return request


async def moved_all(
    session: AsyncSession, request_ids: Sequence[uuid.UUID], status: RequestStatus
) -> list[HousingRequest]:
    """`moved` for many requests at once (a run's): one read, one write, one batch of
    events; in the order of `request_ids`."""
    found = {r.id: r for r in await repository.locked_many(session, request_ids)}
    missing = [r for r in request_ids if r not in found]
    if missing:
        raise RequestNotFound(f"No housing request {missing[0]}.")
    moving = [found[request_id] for request_id in request_ids]
    for request in moving:
        request.status = status
        _saved(request)
    await session.flush()
    await record_events(
        session,
        [_pending(RequestChanged, r, changed=["status"], changed_at=r.updated_at) for r in moving],
    )
    return moving


async def _visible(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, *, for_update: bool = False
) -> HousingRequest:
    found = await repository.get(session, principal, request_id, for_update=for_update)
    return require_found(found, RequestNotFound(f"No housing request {request_id}."))


async def _withdrawn(
    session: AsyncSession, request: HousingRequest, reason: WithdrawalReason
) -> None:
    request.status = RequestStatus.WITHDRAWN
    await repository.end_live_proposal(session, request.id)  # its bed is free again
    request.withdrawal_reason = reason
    request.withdrawn_at = _saved(request)
    await session.flush()
    await _publish(
        session,
        RequestWithdrawn,
        request,
        withdrawal=request.withdrawal_reason,
        withdrawn_at=request.withdrawn_at,
    )


def _saved(request: HousingRequest) -> datetime:
    request.version += 1
    request.updated_at = utcnow()
    return request.updated_at


async def _publish(
    session: AsyncSession, event: EventType[E], request: HousingRequest, **fields: Any
) -> None:
    await record_events(session, [_pending(event, request, **fields)])


def _pending(event: EventType[E], request: HousingRequest, **fields: Any) -> Pending:
    data = event.payload.of(
        request,
        request_id=request.id,
        adults=request.household_size - request.minors,
        age_bands=household_of(request).age_bands(),
        **fields,
    )
    return Pending(event, data, str(request.id), request.organisation)
