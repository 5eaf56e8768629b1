"""Referral use cases: refer a case to a directory service, answer, withdraw, list, raise the
late answers once. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import Forbidden, NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.policy import current
from services.casework.cases import service as cases
from services.casework.directory import service as directory
from services.casework.referrals import domain, repository
from services.casework.referrals.domain import Decision, Direction, ReferralStatus
from services.casework.referrals.events import (
    ReferralAccepted,
    ReferralDeclined,
    ReferralEventData,
    ReferralMade,
    ReferralOverdue,
    ReferralWithdrawn,
)
from services.casework.referrals.models import ServiceReferral
from services.casework.referrals.policies import REFERRALS
from services.casework.referrals.schemas import AcceptIn, DeclineIn, ReferralCreate

E = TypeVar("E", bound=ReferralEventData)

AUDITED = AuditScope("service_referral", AuditPurpose.CASE_MANAGEMENT)
"""A referral says that a case exists and what its team asks: every read is audited."""

ERASED_TEXT = "[erased: the person's data was erased]"


class ReferralNotFound(
    NotFound, slug="service-referral-not-found", title="Service referral not found"
): ...


class NotReferring(
    Forbidden, slug="not-referring-the-case", title="You do not manage the referring case"
):
    """The referral is the case team's to withdraw (403)."""


def receives(principal: Principal) -> bool:
    """Whether `principal` answers for their organisation (a case worker or supervisor)."""
    return principal.has_role(Role.CASE_WORKER, Role.CASE_SUPERVISOR)


async def _publish(
    session: AsyncSession, event: EventType[E], referral: ServiceReferral, **fields: Any
) -> None:
    data = event.payload.of(referral, referral_id=referral.id, **fields)
    await record_event(
        session, event, data, subject=str(referral.case_id), organisation=referral.lead_organisation
    )


async def _saved(session: AsyncSession, principal: Principal, referral: ServiceReferral) -> None:
    referral.version += 1
    referral.updated_at = utcnow()
    await session.flush()
    await AUDITED.record(session, principal, AuditAction.UPDATE, referral.id)


async def make(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, referral_in: ReferralCreate
) -> ServiceReferral:
    """The case's manager (or a worker of its lead organisation) refers it to a service; the
    organisation running the service has the policy's time to answer."""
    case = await cases.managed(session, principal, case_id)
    cases.require_running(case, "referred")
    target = await directory.referral_target(session, referral_in.service_id)
    await cases.require_shareable(session, case, target.network_organisation)
    now = utcnow()
    policy = await current(session, REFERRALS, at=now)
    referral = ServiceReferral(
        case_id=case.id,
        service_id=target.service_id,
        directory_organization_id=target.organization_id,
        lead_organisation=case.lead_organisation,
        target_group=case.target_group,
        municipio=case.municipio,
        referring_organisation=principal.organisation,
        referred_by=principal.subject,
        receiving_organisation=target.network_organisation,
        team_role=referral_in.team_role,
        request_text=referral_in.request_text,
        status=domain.INITIAL,
        referred_at=now,
        answer_due_at=domain.answer_due(now, policy),
        updated_at=now,
    )
    session.add(referral)
    await session.flush()
    await AUDITED.record(session, principal, AuditAction.CREATE, referral.id)
    await _publish(session, ReferralMade, referral)
    return referral


async def of_case(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, page: PageParams
) -> Page[ServiceReferral]:
    """The case's referrals, newest first, for whoever sees the case (404 otherwise)."""
    case = await cases.get(session=session, principal=principal, case_id=case_id)
    found = await repository.list_of_case(session, case.id, page)
    return await AUDITED.listed(session, principal, found)


async def list_visible(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    direction: Direction | None,
    status: ReferralStatus | None,
) -> Page[ServiceReferral]:
    """The referrals `principal` sees, newest first: of the cases they see, and those their
    organisation answers; `direction` narrows to those it answers or those it made."""
    where: repository.ReferralFilter = {
        "status": status,
        **repository.direction_filter(direction, principal.organisation),
    }
    found = await repository.list_visible(
        session, principal, page, where, receiving=receives(principal)
    )
    return await AUDITED.listed(session, principal, found)


async def _visible(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID, *, for_update: bool
) -> ServiceReferral:
    found = await repository.get_visible(
        session, referral_id, principal, receiving=receives(principal), for_update=for_update
    )
    return require_found(found, ReferralNotFound(f"No referral {referral_id} visible to you."))


async def get(
    *, session: AsyncSession, principal: Principal, referral_id: uuid.UUID
) -> ServiceReferral:
    found = await _visible(session, principal, referral_id, for_update=False)
    return await AUDITED.read(session, principal, found)


async def answer(
    *,
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    if_match: str | None,
    answer_in: AcceptIn | DeclineIn,
) -> ServiceReferral:
    """The receiving organisation accepts — the caller joins the case's team in the role the
    referral names, and sees the case from now on — or declines, saying why."""
    referral = await _visible(session, principal, referral_id, for_update=True)
    domain.may_answer(
        receiving_organisation=referral.receiving_organisation,
        organisation=principal.organisation,
        case_worker=receives(principal),
    )
    require_if_match(if_match, referral.version)
    referral.status = domain.answer(ReferralStatus(referral.status), answer_in.decision)
    now = utcnow()
    referral.answered_at, referral.answered_by = now, principal.subject
    if isinstance(answer_in, DeclineIn):
        referral.decline_reason = answer_in.reason
    else:
        member = await cases.join_by_referral(
            session, principal, referral.case_id, referral.team_role
        )
        referral.member_id = member.id
    await _saved(session, principal, referral)
    event = ReferralAccepted if answer_in.decision is Decision.ACCEPT else ReferralDeclined
    await _publish(session, event, referral)
    return referral


async def withdraw(
    *,
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    if_match: str | None,
) -> ServiceReferral:
    """The team takes back a referral not answered yet."""
    referral = await _visible(session, principal, referral_id, for_update=True)
    try:
        await cases.managed(session, principal, referral.case_id)
    except cases.CaseNotFound:
        raise NotReferring("The referral is withdrawn by the team of its case.") from None
    require_if_match(if_match, referral.version)
    referral.status = domain.withdraw(ReferralStatus(referral.status))
    referral.withdrawn_at = utcnow()
    await _saved(session, principal, referral)
    await _publish(session, ReferralWithdrawn, referral)
    return referral


# --- late answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueCheck:
    """One batch of the check: the referrals raised, and how many were looked at."""

    raised: list[uuid.UUID]
    seen: int


async def raise_overdue(*, session: AsyncSession, now: datetime, limit: int) -> OverdueCheck:
    """Raise ``lgnet.casework.referral.overdue`` for each referral whose answer is late at
    `now` and was not raised before. Each is claimed in ``service_referral_breaches`` (primary
    key: the referral) in the transaction of its outbox event, so repeated or concurrent checks
    raise it exactly once. Looks at up to `limit`; call again while `seen` equals `limit`."""
    raised = []
    late = await repository.unraised_overdue(session, now, limit=limit)
    for referral in late:
        if not domain.overdue(ReferralStatus(referral.status), referral.answer_due_at, now):
            continue
        if not await repository.claim_breach(session, referral.id, referral.answer_due_at, now):
            continue  # another check raised it first
        await _publish(session, ReferralOverdue, referral)
        raised.append(referral.id)
    return OverdueCheck(raised=raised, seen=len(late))


# --- persons, subject access and retention ---------------------------------------------


async def held_on_case(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """The case's referrals, as JSON values (the export of the case is audited by cases)."""
    return [r.model_dump(mode="json") for r in await repository.of_case(session, case_id)]


async def erase_about(session: AsyncSession, person_refs: list[uuid.UUID]) -> int:
    """The person's erasure: the request texts and decline reasons of the referrals of the
    cases that concern them alone are destroyed (as their unnamed notes); dates, statuses and
    organisations stay. How many referrals held text is returned."""
    sole = await cases.sole_person_cases(session, person_refs)
    return await repository.blank_texts(session, sole, ERASED_TEXT)


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: the case's referrals keep their facts, not their texts."""
    await repository.blank_texts(session, [case_id], cases.ANONYMISED)
