"""Referral use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, UnprocessableContent
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.policy import current, current_version
from services.intake.persons import service as persons_service
from services.intake.referrals import lifecycle, repository, sla
from services.intake.referrals.domain import Urgency
from services.intake.referrals.events import (
    ReferralEventData,
    ReferralFirstContacted,
    ReferralHandedOver,
    ReferralOverdue,
    ReferralReceived,
    ReferralScreened,
)
from services.intake.referrals.lifecycle import ReferralStatus
from services.intake.referrals.models import Referral, Screening
from services.intake.referrals.policies import SLA, TRIAGE
from services.intake.referrals.repository import ReferralFilter as ReferralFilter
from services.intake.referrals.schemas import (
    FirstContactIn,
    HandOverIn,
    ReferralCreate,
    ScreeningIn,
)
from services.intake.referrals.triage import Assessment, assess
from services.intake.visibility import VisibleLookup

R = TypeVar("R", bound=ReferralEventData)

REFERRALS = AuditScope("referral", AuditPurpose.REFERRAL_HANDLING)
"""Referrals carry person ids and needs: every read of one is audited, as of a person."""


class ReferralNotFound(NotFound, slug="referral-not-found", title="Referral not found"): ...


_visible = VisibleLookup(repository.get_visible, ReferralNotFound, "referral").get


async def receive(
    *, session: AsyncSession, principal: Principal, referral_in: ReferralCreate
) -> Referral:
    now = utcnow()
    due = await _deadlines(session, referral_in.received_at, referral_in.urgency)
    referral = Referral(
        status=ReferralStatus.RECEIVED,
        channel=referral_in.channel,
        urgency=referral_in.urgency,
        target_group=referral_in.target_group,
        received_at=referral_in.received_at,
        municipio=referral_in.place.municipio,
        place_name=referral_in.place.name,
        latitude=referral_in.place.latitude,
        longitude=referral_in.place.longitude,
        needs=[str(n) for n in dict.fromkeys(referral_in.needs)],
        flags=[str(f) for f in dict.fromkeys(referral_in.flags)],
        reporting_organisation=principal.organisation,
        reporting_unit=referral_in.reporting_unit,
        first_contact_due_at=due.first_contact,
        hand_over_due_at=due.hand_over,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    await session.flush()
    await REFERRALS.record(session, principal, AuditAction.CREATE, referral.id)
    person_refs = await _link_persons(session, principal, referral, referral_in)
    await _publish(session, ReferralReceived, referral, principal, person_refs=person_refs)
    return referral


class UnknownPerson(UnprocessableContent):
    slug = "unknown-person"
    title = "A person is not an active person visible to you"


async def _link_persons(
    session: AsyncSession, principal: Principal, referral: Referral, referral_in: ReferralCreate
) -> list[uuid.UUID]:
    """Link the persons concerned; new ones are registered (duplicates go to review)."""
    existing = [p.person_id for p in referral_in.persons if p.person_id is not None]
    usable = await persons_service.visible_ids(session, principal, existing, active_only=True)
    unknown = [str(i) for i in existing if i not in usable]
    if unknown:
        raise UnknownPerson(f"Not active persons visible to you: {', '.join(unknown)}.")
    linked = list(dict.fromkeys(existing))
    for item in referral_in.persons:
        if item.person is not None:
            person, _ = await persons_service.register(
                session=session, principal=principal, fields=item.person
            )
            linked.append(person.id)
    repository.link_persons(session, referral.id, linked)
    await session.flush()
    return linked


async def get(*, session: AsyncSession, principal: Principal, referral_id: uuid.UUID) -> Referral:
    """One referral visible to `principal` (the read is audited)."""
    return await REFERRALS.read(session, principal, await _visible(session, principal, referral_id))


async def list_visible(
    *, session: AsyncSession, principal: Principal, page: PageParams, where: ReferralFilter
) -> tuple[Page[Referral], dict[uuid.UUID, list[uuid.UUID]]]:
    """A page of the referrals visible to `principal`, with the persons each concerns (the
    reads are audited)."""
    found = await repository.list_visible(session, principal, page, where=where)
    await REFERRALS.listed(session, principal, found)
    return found, await repository.persons_of_referrals(session, [r.id for r in found.items])


async def persons_of(
    session: AsyncSession, referral_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The persons each referral concerns."""
    return await repository.persons_of_referrals(session, referral_ids)


async def hand_over(
    *,
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    if_match: str | None,
    handover_in: HandOverIn,
) -> Referral:
    referral = await _for_change(session, principal, referral_id, if_match)
    referral.status = lifecycle.hand_over(ReferralStatus(referral.status))
    now = utcnow()
    referral.lead_organisation = handover_in.lead_organisation
    referral.handed_over_at = now
    await _save_change(session, principal, referral, now)
    person_refs = (await repository.persons_of_referrals(session, [referral.id]))[referral.id]
    await _publish(
        session,
        ReferralHandedOver,
        referral,
        principal,
        person_refs=person_refs,
        due_at=referral.hand_over_due_at,
        reach_due_at=referral.first_contact_due_at,
    )
    return referral


async def screen(
    *,
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    if_match: str | None,
    screening_in: ScreeningIn,
) -> tuple[Referral, Assessment, int | None]:
    """Triage under the rule in force now: outcome, status and re-scored urgency."""
    referral = await _for_change(session, principal, referral_id, if_match)
    status = lifecycle.screen(ReferralStatus(referral.status), screening_in.outcome)
    version = await current_version(session, TRIAGE)
    policy = version.document if version is not None else TRIAGE.default
    assessment = assess(
        screening_in.indicators,
        reported_urgency=Urgency(referral.urgency),
        policy=policy,
        operator=screening_in.operator_urgency,
    )
    now = utcnow()
    session.add(
        Screening(
            referral_id=referral.id,
            indicators=[str(i) for i in assessment.indicators],
            outcome=screening_in.outcome,
            reported_urgency=referral.urgency,
            score=assessment.score,
            urgency=assessment.urgency,
            decided_by=assessment.decided_by,
            explanation=[reason.model_dump(mode="json") for reason in assessment.explanation],
            policy_version=version.version if version is not None else None,
            screened_by=principal.subject,
            screened_at=now,
        )
    )
    referral.status = status
    referral.urgency = assessment.urgency
    # the re-scored urgency moves the deadlines; the policy stays the one of received_at
    due = await _deadlines(session, referral.received_at, Urgency(referral.urgency))
    referral.first_contact_due_at = due.first_contact
    referral.hand_over_due_at = due.hand_over
    await _save_change(session, principal, referral, now)
    await _publish(
        session,
        ReferralScreened,
        referral,
        principal,
        outcome=screening_in.outcome,
        screened_at=now,
    )
    return referral, assessment, version.version if version is not None else None


async def record_first_contact(
    *,
    session: AsyncSession,
    principal: Principal,
    referral_id: uuid.UUID,
    if_match: str | None,
    contact_in: FirstContactIn,
) -> Referral:
    """Record when the person was first reached (once, while the referral is open)."""
    referral = await _for_change(session, principal, referral_id, if_match)
    now = utcnow()
    referral.first_contact_at = sla.first_contact(
        status=ReferralStatus(referral.status),
        first_contact_at=referral.first_contact_at,
        received_at=referral.received_at,
        contacted_at=contact_in.contacted_at,
        now=now,
    )
    await _save_change(session, principal, referral, now)
    await _publish(
        session,
        ReferralFirstContacted,
        referral,
        principal,
        due_at=referral.first_contact_due_at,
        reached_at=contact_in.contacted_at,
    )
    return referral


async def _publish(
    session: AsyncSession,
    event: EventType[R],
    referral: Referral,
    principal: Principal | None,
    **fields: Any,
) -> None:
    """Record an `event` about `referral` (from `principal`'s organisation, if one acts): its
    payload holds `fields`, and the row's values for the other fields."""
    data = event.payload.of(referral, referral_id=referral.id, **fields)
    organisation = principal.organisation if principal is not None else None
    await record_event(session, event, data, subject=str(referral.id), organisation=organisation)


def _facts(referral: Referral) -> sla.ReferralFacts:
    return sla.ReferralFacts(
        referral_id=referral.id,
        status=ReferralStatus(referral.status),
        received_at=referral.received_at,
        urgency=Urgency(referral.urgency),
        first_contact_at=referral.first_contact_at,
        handed_over_at=referral.handed_over_at,
    )


def _stored_deadlines(referral: Referral) -> sla.Deadlines:
    return sla.Deadlines(
        first_contact=referral.first_contact_due_at, hand_over=referral.hand_over_due_at
    )


def overdue_steps(referral: Referral, now: datetime) -> list[sla.BreachKind]:
    """The SLA steps of `referral` overdue at `now` (its stored deadlines, sla.py's rule)."""
    found = sla.breaches_against(_facts(referral), _stored_deadlines(referral), now)
    return [breach.kind for breach in sla.overdue(found)]


@dataclass(frozen=True)
class SlaCheck:
    """One batch of the SLA check: the breaches raised, and how many referrals were seen."""

    raised: list[sla.Breach]
    seen: int


async def raise_sla_breaches(*, session: AsyncSession, now: datetime, limit: int) -> SlaCheck:
    """Raise ``lgnet.intake.referral.overdue`` for breaches at `now` not raised before.

    Each breach is claimed in ``sla_breaches`` (primary key: referral, kind) in the same
    transaction as its outbox event, so repeated or concurrent checks raise it exactly once.
    Looks at up to `limit` referrals; call again while `SlaCheck.seen` equals `limit`.
    """
    raised: list[sla.Breach] = []
    candidates = await repository.unraised_breaches(session, now, limit=limit)
    for referral, already in candidates:
        found = sla.breaches_against(_facts(referral), _stored_deadlines(referral), now)
        keys = [sla.BreachKey(referral.id, kind) for kind in already]
        for breach in sla.new_breaches(found, keys):
            if not await repository.claim_breach(session, referral.id, breach.kind, utcnow()):
                continue  # another check raised it first
            await _publish(
                session, ReferralOverdue, referral, None, kind=breach.kind, deadline=breach.deadline
            )
            raised.append(breach)
    return SlaCheck(raised=raised, seen=len(candidates))


async def _deadlines(
    session: AsyncSession, received_at: datetime, urgency: Urgency
) -> sla.Deadlines:
    """Deadlines under the SLA policy in force when the referral was received."""
    policy = await current(session, SLA, at=received_at)
    return sla.deadlines(received_at, urgency, policy)


async def _save_change(
    session: AsyncSession, principal: Principal, referral: Referral, now: datetime
) -> None:
    """The end of every change: a new version, audited as every change of person data is."""
    referral.updated_at = now
    referral.version += 1
    await session.flush()
    await REFERRALS.record(session, principal, AuditAction.UPDATE, referral.id)


async def _for_change(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID, if_match: str | None
) -> Referral:
    referral = await _visible(session, principal, referral_id, for_update=True)
    require_if_match(if_match, referral.version)
    return referral


# --- what the referrals hold about a person (subject rights) --------------------------------

_EXPORTED = {
    "id",
    "status",
    "channel",
    "received_at",
    "municipio",
    "place_name",
    "urgency",
    "target_group",
    "needs",
    "reporting_organisation",
    "lead_organisation",
    "handed_over_at",
}


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: the referrals concerning these persons, as JSON values."""
    return [
        r.model_dump(mode="json", include=_EXPORTED)
        for r in await repository.concerning(session, person_ids)
    ]


move_links = repository.move_links
"""Merge and split: the referrals concerning one person now concern the other."""
