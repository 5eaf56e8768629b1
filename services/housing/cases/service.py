"""Following casework's case events: the facts kept change with them. Never commits; every
handler is idempotent (a redelivered event changes nothing more) and tolerates an event
arriving before the case's opening (the fact is made from what the event carries)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound
from kit.schemas import TargetGroup
from services.housing.cases import domain, repository
from services.housing.cases.models import CaseFact, CaseFactMember
from services.housing.cases.schemas import (
    CaseAnonymisedIn,
    CaseClosedIn,
    CaseEventIn,
    CaseOpenedIn,
    CaseReopenedIn,
    CaseStatusChangedIn,
    TeamMemberIn,
    TransferAnsweredIn,
)

_WORKING = "open"  # the status a fact starts from, and a reopened case's


async def opened(session: AsyncSession, event: CaseOpenedIn) -> None:
    fact = await _fact(session, event, event.opened_at)
    fact.urgency = event.urgency
    for person_ref in event.person_refs:
        await repository.add_person(session, fact.case_id, person_ref)
    await session.flush()


async def status_changed(session: AsyncSession, event: CaseStatusChangedIn) -> None:
    fact = await _fact(session, event, event.changed_at)
    fact.status = event.status
    await session.flush()


async def closed(session: AsyncSession, event: CaseClosedIn) -> CaseFact:
    fact = await _fact(session, event, event.closed_at)
    fact.status = domain.CLOSED
    await session.flush()
    return fact


async def reopened(session: AsyncSession, event: CaseReopenedIn) -> None:
    fact = await _fact(session, event, event.reopened_at)
    fact.status = _WORKING
    await session.flush()


async def member_changed(session: AsyncSession, event: TeamMemberIn) -> None:
    """A member joined (kept) or left (dropped: their organisation no longer acts for the case
    through them)."""
    fact = await _fact(session, event, utcnow())
    member = await session.get(CaseFactMember, (fact.case_id, event.member_id))
    if event.left_on is not None:
        if member is not None:
            await session.delete(member)
    elif member is None:
        session.add(
            CaseFactMember(
                case_id=fact.case_id,
                member_id=event.member_id,
                organisation=event.member_organisation,
            )
        )
    await session.flush()


async def anonymised(session: AsyncSession, event: CaseAnonymisedIn) -> None:
    """The case's links to its persons go, as casework's do."""
    fact = await _fact(session, event, event.anonymised_at)
    fact.status = domain.CLOSED
    await repository.drop_persons(session, fact.case_id)
    await session.flush()


async def transfer_answered(session: AsyncSession, event: TransferAnsweredIn) -> None:
    """An accepted transfer moves the lead (the case's next events say so too)."""
    fact = await repository.get(session, event.case_id)
    if fact is not None and event.status == "accepted":
        fact.lead_organisation = event.to_organisation
        fact.updated_at = max(fact.updated_at, event.answered_at)
        await session.flush()


async def _fact(session: AsyncSession, event: CaseEventIn, at: datetime) -> CaseFact:
    """The case's fact with the event's facts of every case event applied."""
    fact = await repository.get(session, event.case_id)
    if fact is None:
        fact = CaseFact(
            case_id=event.case_id,
            lead_organisation=event.lead_organisation,
            target_group=event.target_group,
            municipio=event.municipio,
            status=_WORKING,
            urgency="normal",
            updated_at=at,
        )
        session.add(fact)
        return fact
    fact.lead_organisation = event.lead_organisation
    fact.target_group = event.target_group
    fact.municipio = event.municipio
    fact.updated_at = max(fact.updated_at, at)
    return fact


# --- what the other features read of a case --------------------------------------------------


class CaseNotFound(NotFound):
    slug = "case-not-found"
    title = "Case not found"


@dataclass(frozen=True)
class Case:
    """A case as housing's other features see it."""

    case_id: uuid.UUID
    target_group: TargetGroup  # the platform's vocabulary
    status: str
    vulnerability: int

    def require_taken_in_charge(self) -> None:
        domain.require_taken_in_charge(self.status)


def _case(fact: CaseFact) -> Case:
    group = domain.platform_target_group(fact.target_group)
    return Case(fact.case_id, group, fact.status, domain.vulnerability(group, fact.urgency))


async def acted_for(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    """The case, if the caller's organisation acts for it (a Comune coordinator acts for every
    case); 404 otherwise, as if there were no such case."""
    fact = await repository.get(session, case_id)
    if fact is not None and (
        principal.is_coordinator
        or domain.acts_for(
            principal.organisation,
            lead_organisation=fact.lead_organisation,
            team_organisations=await repository.team_organisations(session, case_id),
        )
    ):
        return _case(fact)
    raise CaseNotFound(f"No case {case_id} that your organisation acts for.")


async def cases(session: AsyncSession, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Case]:
    """The cases housing has heard of, among `case_ids`."""
    return {fact.case_id: _case(fact) for fact in await repository.many(session, case_ids)}


async def cases_of_persons(
    session: AsyncSession, person_refs: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    return await repository.cases_of_persons(session, person_refs)
