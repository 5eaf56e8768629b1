"""Case use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import city_date, utcnow
from kit.errors import Forbidden, NotFound, ValidationFailed, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import Pending, record_event, record_events
from kit.pagination import Page, PageParams
from kit.policy import current
from kit.rows import Record
from services.casework.cases import closure, domain, repository, reviews, team
from services.casework.cases.domain import Origin, Outcome, Reach, Status, TargetGroup
from services.casework.cases.events import (
    CaseAnonymised,
    CaseClosed,
    CaseEventData,
    CaseManagerChanged,
    CaseOpened,
    CaseReopened,
    CaseStatusChanged,
    TeamMemberJoined,
    TeamMemberLeft,
)
from services.casework.cases.models import Case as Case  # the other features hold it
from services.casework.cases.models import CaseStatusChange, TeamMember
from services.casework.cases.policies import CLOSURE, REVIEWS
from services.casework.cases.repository import ANONYMISED as ANONYMISED
from services.casework.cases.repository import CaseFilter as CaseFilter
from services.casework.cases.schemas import (
    CaseCreate,
    CaseManagerIn,
    HandedOverReferralIn,
    LeavingIn,
    MemberCreate,
    ReopeningIn,
    StatusChangeIn,
)

E = TypeVar("E", bound=CaseEventData)

CASES = AuditScope("case", AuditPurpose.CASE_MANAGEMENT)
"""A case says who is in distress and what is done for them: every read of one is audited."""


class CaseNotFound(NotFound, slug="case-not-found", title="Case not found"): ...


class MemberNotFound(NotFound, slug="team-member-not-found", title="Team member not found"): ...


class NotManaging(Forbidden, slug="not-managing-the-case", title="You do not manage the case"):
    """The case is visible to the caller, who may not change it (403)."""


# --- opening ----------------------------------------------------------------------------


async def open_cases(
    *, session: AsyncSession, handovers: Sequence[HandedOverReferralIn]
) -> list[Case]:
    """Open the cases of handed-over referrals, each once: a referral whose case is open
    already (a redelivery), or that came twice, opens none. One query finds those, one policy
    read schedules every first review, one flush writes the cases — the inbox's batch form."""
    wanted: dict[uuid.UUID, HandedOverReferralIn] = {}
    for handover in handovers:
        wanted.setdefault(handover.referral_id, handover)  # the first of a repeated one
    opened = await repository.referrals_opened(session, list(wanted))
    now = utcnow()
    policy = await current(session, REVIEWS, at=now)
    new = [
        (_handover_case(handover, now, policy), handover)
        for referral_id, handover in wanted.items()
        if referral_id not in opened
    ]
    session.add_all([case for case, _ in new])
    # a concurrent opening of the same referral fails in the flush (unique referral_id)
    await session.flush()
    for case, handover in new:
        repository.link_persons(session, case.id, handover.person_refs)
        _record_step(session, case, None, None, now)
    await session.flush()
    await record_events(session, [_opened_event(case, h.person_refs) for case, h in new])
    return [case for case, _ in new]


def _handover_case(
    handover_in: HandedOverReferralIn, now: datetime, policy: reviews.ReviewPolicy
) -> Case:
    fields = handover_in.model_dump(exclude={"person_refs", "target_group"})
    group = domain.target_group_of_referral(handover_in.target_group)
    return Case(
        **fields,
        target_group=group,
        origin=Origin.HANDOVER,
        status=domain.INITIAL,
        opened_at=now,
        updated_at=now,
        next_review_due_at=reviews.due_after(now, group, policy),
    )


async def open_manually(
    *, session: AsyncSession, principal: Principal, case_in: CaseCreate
) -> Case:
    """A case opened by a case worker: their organisation leads it, they manage it."""
    now = utcnow()
    case = Case(
        status=domain.INITIAL,
        origin=Origin.MANUAL,
        lead_organisation=principal.organisation,
        reporting_organisation=principal.organisation,
        urgency=case_in.urgency,
        target_group=case_in.target_group,
        municipio=case_in.municipio,
        opened_by=principal.subject,
        opened_at=now,
        updated_at=now,
    )
    await _opened(session, case, case_in.person_refs, principal)
    opener = MemberCreate(
        user=principal.subject,
        organisation=principal.organisation,
        role=case_in.role,
        case_manager=True,
    )
    await _enrol(session, principal, case, opener, now, opening=True)
    await CASES.record(session, principal, AuditAction.CREATE, case.id)
    return case


async def _opened(
    session: AsyncSession,
    case: Case,
    person_refs: Collection[uuid.UUID],
    principal: Principal | None,
) -> Case:
    await schedule_review(session, case, case.opened_at)
    session.add(case)
    await session.flush()
    repository.link_persons(session, case.id, person_refs)
    _record_step(session, case, None, principal, case.opened_at)
    await session.flush()
    await _publish_opened(session, case, person_refs)
    return case


async def _publish_opened(
    session: AsyncSession, case: Case, person_refs: Collection[uuid.UUID]
) -> None:
    await record_events(session, [_opened_event(case, person_refs)])


def _opened_event(case: Case, person_refs: Collection[uuid.UUID]) -> Pending:
    refs = list(dict.fromkeys(person_refs))
    data = CaseOpened.payload.of(case, case_id=case.id, person_refs=refs)
    return Pending(CaseOpened, data, str(case.id), case.lead_organisation)


# --- reading ----------------------------------------------------------------------------


async def get(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    reach: Reach = Reach.CASE,
) -> Case:
    """One case visible to `principal` as far as `reach` (the read is audited)."""
    found = await visible(session, principal, case_id, reach=reach)
    return await CASES.read(session, principal, found)


async def visible(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    for_update: bool = False,
    reach: Reach = Reach.CASE,
) -> Case:
    """The case `principal` sees (`visibility`), or 404 whether it exists or not."""
    case = await repository.get_visible(
        session, case_id, principal, for_update=for_update, reach=reach
    )
    return require_found(case, CaseNotFound(f"No case {case_id} visible to you."))


async def list_visible(
    *, session: AsyncSession, principal: Principal, page: PageParams, where: CaseFilter
) -> Page[Record]:
    """The cases `principal` may see, newest first (the reads are audited)."""
    found = await repository.list_visible(session, principal, page, where)
    return await CASES.listed(session, principal, found)


persons_of = repository.persons_of
"""The persons each case concerns."""

cases_of_person = repository.cases_of_person
"""The ids of the cases concerning a person."""

running_minors = repository.running_minors
"""The running cases of an unaccompanied minor and their one person, as a subquery."""


async def managed(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    """The case locked for a change by `principal`, who must manage it (`domain.manages`)."""
    case = await visible(session, principal, case_id, for_update=True)
    manager = await _manager(session, case)
    is_manager = manager is not None and (manager.user, manager.organisation) == (
        principal.subject,
        principal.organisation,
    )
    if not domain.manages(
        lead_organisation=case.lead_organisation,
        organisation=principal.organisation,
        case_manager=is_manager,
    ):
        raise NotManaging(
            "Only the lead organisation's case workers and the case manager change a case."
        )
    return case


# --- status -----------------------------------------------------------------------------


async def change_status(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    status_in: StatusChangeIn,
) -> Case:
    case = await for_change(session, principal, case_id, if_match)
    approved = case.plan_approved_version is not None
    target = domain.step(Status(case.status), status_in.status, first_plan_approved=approved)
    await _move(session, principal, case, target, utcnow())
    return case


async def reopen(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    reopening_in: ReopeningIn,
) -> Case:
    """Take a closed case up again, within the closure policy's window."""
    case = await for_change(session, principal, case_id, if_match)
    now = utcnow()
    last = _closure(case)
    target = closure.reopen(
        Status(case.status),
        last,
        now=now,
        policy=await current(session, CLOSURE, at=now),
        anonymised=case.anonymised_at is not None,
    )
    case.reopened_at = now
    case.anonymise_due_at = None
    await _move(session, principal, case, target, now, reason=reopening_in.reason, event=False)
    await schedule_review(session, case, now)
    await publish(session, CaseReopened, case, case_id=case.id, closed_at=case.closed_at)
    return case


async def close(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    *,
    outcome: Outcome,
    reason: str,
    approval_id: uuid.UUID,
) -> Case:
    """Close `case` (locked by the caller) as an approved closure asked: 409 if its status no
    longer allows it."""
    now = utcnow()
    target = domain.transition(Status(case.status), Status.CLOSED)
    case.closure_outcome, case.closure_reason, case.closed_at = outcome, reason, now
    case.next_review_due_at = None
    policy = await current(session, CLOSURE, at=now)
    case.anonymise_due_at = closure.anonymisation_due(closure.Closure(outcome, now), policy)
    await _move(session, principal, case, target, now, approval_id=approval_id, event=False)
    await publish(
        session, CaseClosed, case, case_id=case.id, outcome=outcome, approval_id=approval_id
    )
    return case


async def approve_first_plan(
    session: AsyncSession, principal: Principal, case: Case, *, plan_version: int
) -> Case:
    """Record the first plan's approval on `case` (locked by the caller); a case in
    assessment starts carrying its plan out (``plan_active``)."""
    case.plan_approved_version = plan_version
    now = utcnow()
    if Status(case.status) is Status.ASSESSMENT:
        await _move(session, principal, case, Status.PLAN_ACTIVE, now)
    else:
        await save_change(session, principal, case, now)
    return case


async def schedule_review(session: AsyncSession, case: Case, since: datetime) -> None:
    """Set when the case's next review is due: a cadence after `since` (the cycle's start),
    under the review policy in force then (`reviews`)."""
    policy = await current(session, REVIEWS, at=since)
    case.next_review_due_at = reviews.due_after(since, TargetGroup(case.target_group), policy)


def _closure(case: Case) -> closure.Closure | None:
    if case.closed_at is None or case.closure_outcome is None:
        return None
    return closure.Closure(outcome=Outcome(case.closure_outcome), closed_at=case.closed_at)


async def history(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[CaseStatusChange]:
    """Every status the case took, oldest first."""
    case = await get(session=session, principal=principal, case_id=case_id)
    return await repository.history_of(session, case.id)


async def _move(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    target: Status,
    now: datetime,
    *,
    reason: str | None = None,
    approval_id: uuid.UUID | None = None,
    event: bool = True,
) -> None:
    previous = case.status
    case.status = target
    _record_step(session, case, previous, principal, now, reason=reason, approval_id=approval_id)
    await save_change(session, principal, case, now)
    if event:
        await publish(
            session, CaseStatusChanged, case, case_id=case.id, from_status=previous, changed_at=now
        )


def _record_step(
    session: AsyncSession,
    case: Case,
    previous: str | None,
    principal: Principal | None,
    now: datetime,
    **details: Any,
) -> None:
    session.add(
        CaseStatusChange(
            case_id=case.id,
            from_status=previous,
            status=case.status,
            changed_by=principal.subject if principal is not None else None,
            changed_at=now,
            **details,
        )
    )


# --- transfer (the transfers feature asks, the receiving organisation answers) ----------


async def begin_transfer(
    session: AsyncSession, principal: Principal, case: Case, now: datetime
) -> Status:
    """`case` (locked by the caller) waits for another organisation's answer: the status it
    leaves, which the answer resumes."""
    previous = Status(case.status)
    if previous is Status.TRANSFERRED or previous not in domain.RUNNING:
        raise domain.IllegalTransition(f"A case that is {previous} cannot be transferred.")
    await _move(session, principal, case, domain.transition(previous, Status.TRANSFERRED), now)
    return previous


async def resume_after_transfer(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    resumed: Status,
    now: datetime,
    *,
    new_lead: tuple[str, MemberCreate] | None = None,
) -> None:
    """End `case`'s transfer (locked by the caller) at `resumed`. With `new_lead` — the
    organisation and its case manager — the case is theirs from now on: the manager joins
    the team, and the former lead's members leave it (their access ends at once)."""
    target = domain.resume(Status(case.status), resumed)
    if new_lead is not None:
        organisation, manager_in = new_lead
        former = case.lead_organisation
        case.lead_organisation = organisation
        already = [
            m
            for m in await active_members(session, case.id)
            if (m.user, m.organisation) == (manager_in.user, manager_in.organisation)
        ]
        if already:
            await _make_manager(session, principal, case, already[0], now, new_version=False)
        else:
            await _enrol(session, principal, case, manager_in, now, opening=True)
        today = city_date(now)
        for member in await active_members(session, case.id):
            if member.organisation == former:
                member.left_on = max(today, member.joined_on)
                member.version += 1
                member.updated_at = now
                await _publish_member(session, TeamMemberLeft, case, member)
    await _move(session, principal, case, target, now)


# --- team -------------------------------------------------------------------------------


async def team_of(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[Case, list[TeamMember]]:
    """The case's team, past members included (the read of the case is audited)."""
    case = await get(session=session, principal=principal, case_id=case_id)
    return case, await repository.team_of(session, case.id)


async def member(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, member_id: uuid.UUID
) -> tuple[Case, TeamMember]:
    """One membership of a case visible to `principal` (the read of the case is audited)."""
    case = await get(session=session, principal=principal, case_id=case_id)
    found = await repository.get_member(session, case.id, member_id)
    return case, require_found(found, MemberNotFound(f"No member {member_id} on this team."))


async def membership_of(
    session: AsyncSession, case_id: uuid.UUID, principal: Principal
) -> TeamMember | None:
    """`principal`'s active membership of the case's team, if they have one."""
    return await repository.active_membership(
        session, case_id, principal.subject, principal.organisation
    )


async def active_members(session: AsyncSession, case_id: uuid.UUID) -> list[TeamMember]:
    """The case's active team members."""
    return [m for m in await repository.team_of(session, case_id) if m.left_on is None]


async def add_member(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, member_in: MemberCreate
) -> tuple[Case, TeamMember]:
    case = await managed(session, principal, case_id)
    require_running(case, "given new members")
    member = await _enrol(session, principal, case, member_in, utcnow())
    return case, member


async def _enrol(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    member_in: MemberCreate,
    now: datetime,
    *,
    opening: bool = False,
) -> TeamMember:
    """Add a member; the case's manager if asked, or if the case has none yet."""
    today = city_date(now)
    active = frozenset(
        m.user for m in await repository.team_of(session, case.id) if m.left_on is None
    )
    joined_on = team.join(
        active, member_in.user, joined_on=member_in.joined_on or today, today=today
    )
    member = TeamMember(
        case_id=case.id,
        user=member_in.user,
        organisation=member_in.organisation,
        role=member_in.role,
        joined_on=joined_on,
        added_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(member)
    await session.flush()
    await _publish_member(session, TeamMemberJoined, case, member)
    if member_in.case_manager or case.case_manager_id is None:
        await _make_manager(session, principal, case, member, now, new_version=not opening)
    if not opening:
        await CASES.record(session, principal, AuditAction.UPDATE, case.id)
    return member


async def join_by_referral(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, role: str
) -> TeamMember:
    """`principal` joins the team of the case in `role`, as an accepted referral gives them
    (the case locked; 409 unless it is running). An active member already keeps the
    membership they have."""
    case = require_found(
        await repository.get(session, case_id, for_update=True),
        CaseNotFound(f"No case {case_id}."),
    )
    require_running(case, "joined")
    current = await membership_of(session, case.id, principal)
    if current is not None:
        return current
    await require_shareable(session, case, principal.organisation)
    member_in = MemberCreate(
        user=principal.subject, organisation=principal.organisation, role=team.TeamRole(role)
    )
    return await _enrol(session, principal, case, member_in, utcnow())


async def leave(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    member_id: uuid.UUID,
    if_match: str | None,
    leaving_in: LeavingIn,
) -> tuple[Case, TeamMember]:
    """The member leaves the team: their access ends at once."""
    case = await managed(session, principal, case_id)
    member = await _member_for_change(session, case, member_id)
    require_if_match(if_match, member.version)
    now = utcnow()
    today = city_date(now)
    member.left_on = team.leave(
        _rules_member(member),
        left_on=leaving_in.left_on or today,
        today=today,
        case_manager=member.id == case.case_manager_id and Status(case.status) in domain.RUNNING,
    )
    if member.id == case.case_manager_id:
        case.case_manager_id = None  # the case has ended: no one manages it any more
        await save_change(session, principal, case, now)
    member.version += 1
    member.updated_at = now
    await session.flush()
    await _publish_member(session, TeamMemberLeft, case, member)
    await CASES.record(session, principal, AuditAction.UPDATE, case.id)
    return case, member


async def designate_manager(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    manager_in: CaseManagerIn,
) -> Case:
    case = await for_change(session, principal, case_id, if_match)
    require_running(case, "given a new manager")
    member = await repository.get_member(session, case.id, manager_in.member_id, for_update=True)
    if member is None:
        raise ValidationFailed.for_field(
            "member_id", "is not a member of this case's team", code="unknown_member"
        )
    team.may_manage(_rules_member(member))
    await _make_manager(session, principal, case, member, utcnow())
    return case


async def _make_manager(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    member: TeamMember,
    now: datetime,
    *,
    new_version: bool = True,
) -> None:
    if case.case_manager_id == member.id:
        return
    case.case_manager_id = member.id
    if new_version:
        await save_change(session, principal, case, now)
    else:
        await session.flush()
    await publish(
        session,
        CaseManagerChanged,
        case,
        case_id=case.id,
        member_id=member.id,
        member_organisation=member.organisation,
        changed_at=now,
    )


async def _manager(session: AsyncSession, case: Case) -> TeamMember | None:
    if case.case_manager_id is None:
        return None
    return await repository.get_member(session, case.id, case.case_manager_id)


async def _member_for_change(session: AsyncSession, case: Case, member_id: uuid.UUID) -> TeamMember:
    return require_found(
        await repository.get_member(session, case.id, member_id, for_update=True),
        MemberNotFound(f"No member {member_id} on this team."),
    )


def _rules_member(member: TeamMember) -> team.Member:
    return team.Member(user=member.user, joined_on=member.joined_on, left_on=member.left_on)


def require_closable(case: Case) -> None:
    """409 unless the case's status lets it close (a case being transferred waits)."""
    domain.transition(Status(case.status), Status.CLOSED)


async def require_shareable(session: AsyncSession, case: Case, organisation: str) -> None:
    """409 when `organisation` is not the lead and the case may not be shared beyond it (a
    person withdrew ``network_sharing`` and no legal basis covers it)."""
    if organisation != case.lead_organisation and not await repository.shareable(session, case.id):
        raise domain.SharingRefused(
            "A person of this case withdrew their consent to sharing it in the network and no "
            "legal basis covers it: another organisation cannot be brought in."
        )


def require_running(case: Case, what: str) -> None:
    """409 unless the case is running: a closed or transferred case cannot be `what`."""
    if Status(case.status) not in domain.RUNNING:
        raise domain.IllegalTransition(f"A case that is {case.status} cannot be {what}.")


async def _publish_member(
    session: AsyncSession, event: EventType[E], case: Case, member: TeamMember
) -> None:
    await publish(
        session,
        event,
        case,
        case_id=case.id,
        member_id=member.id,
        member_organisation=member.organisation,
        role=member.role,
        joined_on=member.joined_on,
        left_on=member.left_on,
    )


# --- shared steps -----------------------------------------------------------------------


async def for_change(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, if_match: str | None
) -> Case:
    case = await managed(session, principal, case_id)
    require_if_match(if_match, case.version)
    return case


async def save_change(
    session: AsyncSession, principal: Principal, case: Case, now: datetime
) -> None:
    """The end of every change of a case: a new version, audited."""
    case.updated_at = now
    case.version += 1
    await session.flush()
    await CASES.record(session, principal, AuditAction.UPDATE, case.id)


async def publish(session: AsyncSession, event: EventType[E], case: Case, **fields: Any) -> None:
    """Record an `event` about `case`: its payload holds `fields`, and the row's values for
    the other fields; published for the lead organisation."""
    data = event.payload.of(case, **fields)
    await record_event(
        session, event, data, subject=str(case.id), organisation=case.lead_organisation
    )


# --- persons (intake's merges and splits) -----------------------------------------------


async def move_person(
    session: AsyncSession, from_ref: uuid.UUID, to_ref: uuid.UUID
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The cases concerning `from_ref` now concern `to_ref`: the ids of the cases repointed,
    and of those that concerned both already (`from_ref` dropped there)."""
    moved, dropped = [], []
    already = set(await repository.cases_of_person(session, to_ref))
    for case_id in await repository.cases_of_person(session, from_ref):
        await repository.unlink_person(session, case_id, from_ref)
        if case_id in already:
            dropped.append(case_id)
        else:
            repository.link_persons(session, case_id, [to_ref])
            moved.append(case_id)
    await session.flush()
    return moved, dropped


async def restore_person(
    session: AsyncSession,
    person_ref: uuid.UUID,
    *,
    from_ref: uuid.UUID,
    moved: list[uuid.UUID],
    dropped: list[uuid.UUID],
) -> None:
    """Undo `move_person`: `person_ref` is linked back to the cases it was moved from."""
    for case_id in moved:
        await repository.unlink_person(session, case_id, from_ref)
    linked = set(await repository.cases_of_person(session, person_ref))
    for case_id in [*moved, *dropped]:
        if case_id not in linked:
            repository.link_persons(session, case_id, [person_ref])
    await session.flush()


async def sole_person_cases(session: AsyncSession, person_refs: list[uuid.UUID]) -> list[uuid.UUID]:
    """The cases that concern only persons among `person_refs` (all they hold is about them)."""
    case_ids = [c for ref in person_refs for c in await repository.cases_of_person(session, ref)]
    persons = await repository.persons_of(session, set(case_ids))
    return [c for c in dict.fromkeys(case_ids) if set(persons[c]) <= set(person_refs)]


# --- subject access ---------------------------------------------------------------------


async def held_on_person(
    session: AsyncSession, principal: Principal, person_ref: uuid.UUID
) -> list[dict[str, Any]]:
    """What the cases concerning the person hold, for `principal` (the cases they see): each
    case with its persons, status history, team and reviews, as JSON values (each case's
    export audited)."""
    found = []
    for case in await repository.visible_of_person(session, principal, person_ref):
        await CASES.record(session, principal, AuditAction.EXPORT, case.id)
        found.append(
            {
                "case": case.model_dump(mode="json"),
                "person_refs": [
                    str(r) for r in (await repository.persons_of(session, [case.id]))[case.id]
                ],
                "status_history": [
                    s.model_dump(mode="json") for s in await repository.history_of(session, case.id)
                ],
                "team": [
                    m.model_dump(mode="json") for m in await repository.team_of(session, case.id)
                ],
                "reviews": [
                    r.model_dump(mode="json") for r in await repository.reviews_of(session, case.id)
                ],
            }
        )
    return found


# --- retention --------------------------------------------------------------------------


async def due_for_anonymisation(session: AsyncSession, now: datetime, limit: int) -> list[Case]:
    """Closed cases whose retention ended by `now`, not anonymised yet, locked, oldest first."""
    return await repository.due_for_anonymisation(session, now, limit=limit)


async def anonymise(session: AsyncSession, case: Case, now: datetime) -> None:
    """What the case says of its persons goes: its link to them (intake's ids), the closure's
    and every status change's reason, the reviews' summaries. Its facts stay: group,
    Municipio, organisations, dates, statuses, outcome — what the statistics count."""
    case.closure_reason = None
    case.anonymised_at = now
    case.anonymise_due_at = None
    await repository.anonymise(session, case.id)
    case.version += 1
    case.updated_at = now
    await session.flush()
    await publish(
        session,
        CaseAnonymised,
        case,
        case_id=case.id,
        outcome=case.closure_outcome,
        anonymised_at=now,
    )
