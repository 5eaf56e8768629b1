"""Minors' track use cases: the guardian, the age assessment, placements, the transition plan
and the extension to 21; what the track does when intake's persons change. Never commits.

Every read goes through the case (`cases.service.get`: visible, audited); every change is the
case manager's (`cases.service.managed`, which locks the case's row, so two changes from the
same ``If-Match`` are serialised and the second is a 412). Each record carries its own version
(its ETag) and every version is kept (`TrackRecordVersion`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal, Role
from kit.db import city_date, utcnow
from kit.errors import Conflict, NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.cases import service as cases
from services.casework.cases.schemas import CaseFacts
from services.casework.minors import domain, repository
from services.casework.minors.domain import (
    AssessmentOutcome,
    AssessmentStatus,
    NotAMinorsCase,
    TrackRecord,
    TransitionStatus,
)
from services.casework.minors.events import (
    AgeAssessmentRecorded,
    GuardianAppointed,
    GuardianChanged,
    MinorEventData,
    PlacementChanged,
    PlacementStarted,
    SupportExtended,
    TransitionPlanChanged,
)
from services.casework.minors.models import (
    AgeAssessment,
    BirthDateCopy,
    Guardian,
    Placement,
    SupportExtension,
    TrackRecordVersion,
    TransitionPlan,
)
from services.casework.minors.schemas import (
    AgeAssessmentIn,
    ExtensionIn,
    GuardianIn,
    PlacementIn,
    TransitionPlanIn,
)

E = TypeVar("E", bound=MinorEventData)

UNACCOMPANIED_MINOR = "unaccompanied_minor"
GUARDIANS = AuditScope("minor_guardian", AuditPurpose.CASE_MANAGEMENT)
"""A guardian's record holds the guardian's own contact: each read of one is audited."""
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
ERASED = "[erased]"


class GuardianNotFound(NotFound, slug="guardian-not-found", title="Guardian not found"): ...


class AssessmentNotFound(
    NotFound, slug="age-assessment-not-found", title="No age assessment recorded"
): ...


class PlacementNotFound(NotFound, slug="placement-not-found", title="Placement not found"): ...


class TransitionPlanNotOpened(
    NotFound, slug="transition-plan-not-opened", title="No transition plan yet"
):
    """It opens by itself, the minors' policy's number of days before the 18th birthday."""


class ExtensionNotFound(
    NotFound, slug="support-extension-not-found", title="No extension of support recorded"
): ...


class GuardianInForce(Conflict, slug="guardian-in-force", title="A guardian is in force"):
    """One appointment at a time: end the one in force first (409)."""


class PlacementInForce(Conflict, slug="placement-in-force", title="A placement is in force"):
    """Only one placement is open at a time (409)."""


class RecordedAlready(Conflict, slug="minor-record-exists", title="Recorded already"):
    """The case has this record already: change it (PUT, with If-Match) (409)."""


class NotTurnedAdult(
    Conflict,
    slug="not-turned-adult-without-extension",
    title="The minor has not turned 18 without an extension",
):
    """``turned_adult_no_extension`` closes a minor's case only once they turned 18 (as
    ``minor.turning_18`` was raised) and no extension of support was recorded (409)."""


@dataclass(frozen=True)
class MinorCase:
    """A minors' case as its track sees it: the facts its events carry, its minor, and
    whether the caller is of its team (who alone see the guardian's contact)."""

    case_id: uuid.UUID
    lead_organisation: str
    target_group: str
    municipio: int
    person_ref: uuid.UUID
    team: bool = False


async def _minor(session: AsyncSession, principal: Principal | None, case: Any) -> MinorCase:
    if case.target_group != UNACCOMPANIED_MINOR:
        raise NotAMinorsCase(f"Case {case.id} is not an unaccompanied minor's case.")
    persons = (await cases.persons_of(session, [case.id]))[case.id]
    if len(persons) != 1:
        raise NotAMinorsCase(
            f"A minors' case concerns one minor; case {case.id} concerns {len(persons)} persons."
        )
    team = principal is not None and await _of_team(session, principal, case)
    facts = CaseFacts.model_validate(case)
    return MinorCase(
        facts.id, facts.lead_organisation, facts.target_group, facts.municipio, persons[0], team
    )


async def _of_team(session: AsyncSession, principal: Principal, case: Any) -> bool:
    """Whether `principal` works on the case: a case worker or supervisor of its lead
    organisation, or an active member of its team (coordinators oversee, they are not)."""
    if principal.organisation == case.lead_organisation and principal.has_role(
        Role.CASE_WORKER, Role.CASE_SUPERVISOR
    ):
        return True
    return await cases.membership_of(session, case.id, principal) is not None


async def _read(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> MinorCase:
    case = await cases.get(session=session, principal=principal, case_id=case_id)
    return await _minor(session, principal, case)


async def _change(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> MinorCase:
    case = await cases.managed(session, principal, case_id)
    minor = await _minor(session, principal, case)
    cases.require_running(case, "changed")
    return minor


async def _saved(
    session: AsyncSession,
    principal: Principal | None,
    minor: MinorCase,
    kind: str,
    record: Guardian | AgeAssessment | Placement | TransitionPlan | SupportExtension,
    now: datetime,
) -> None:
    """The end of every change of a track record: the version kept, the case's change audited."""
    session.add(record)
    await session.flush()
    await snapshot(session, kind, record, minor.case_id, principal, now)
    if principal is not None:
        await cases.CASES.record(session, principal, AuditAction.UPDATE, minor.case_id)


async def snapshot(
    session: AsyncSession,
    kind: str,
    record: Guardian | AgeAssessment | Placement | TransitionPlan | SupportExtension,
    case_id: uuid.UUID,
    principal: Principal | None,
    now: datetime,
) -> None:
    data = record.model_dump(mode="json", exclude={"id", "version", "case_id"})
    session.add(
        TrackRecordVersion(
            record_id=record.id,
            version=record.version,
            case_id=case_id,
            kind=kind,
            data=data,
            changed_by=principal.subject if principal is not None else None,
            changed_at=now,
        )
    )
    await session.flush()


async def publish(
    session: AsyncSession, event: EventType[E], minor: MinorCase, **fields: Any
) -> None:
    """Record `event` about the minor's case, published for its lead organisation."""
    data = event.payload.of(minor, **fields)
    await record_event(
        session, event, data, subject=str(minor.case_id), organisation=minor.lead_organisation
    )


def _bump(record: Any, now: datetime) -> None:
    record.version += 1
    record.updated_at = now


# --- the whole track --------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    minor: MinorCase
    birth: BirthDateCopy | None
    guardian: Guardian | None
    assessment: AgeAssessment | None
    placement: Placement | None
    plan: TransitionPlan | None
    turned_adult_on: date | None
    extension: SupportExtension | None


async def track(*, session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Track:
    """The case's track at a glance (the read of the case is audited, and of its guardian)."""
    minor = await _read(session, principal, case_id)
    guardian = next(
        (g for g in await repository.guardians_of(session, case_id) if g.ended_on is None), None
    )
    if guardian is not None and minor.team:
        await GUARDIANS.read(session, principal, guardian)
    placement = next(
        (p for p in await repository.placements_of(session, case_id) if p.ends_on is None), None
    )
    raised = await repository.turned_adult(session, case_id)
    return Track(
        minor=minor,
        birth=await repository.birth_date(session, minor.person_ref),
        guardian=guardian,
        assessment=await repository.one_of_case(session, AgeAssessment, case_id),
        placement=placement,
        plan=await repository.one_of_case(session, TransitionPlan, case_id),
        turned_adult_on=raised.raised_on if raised is not None else None,
        extension=await repository.one_of_case(session, SupportExtension, case_id),
    )


async def history(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    kind: str | None,
    page: PageParams,
) -> tuple[MinorCase, Page[TrackRecordVersion]]:
    """Every version of the track's records, oldest first (the guardian's contact for the
    team only: the caller strips it otherwise, `without_contact`)."""
    minor = await _read(session, principal, case_id)
    return minor, await repository.history_of(session, case_id, kind, page)


def without_contact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in CONTACT_FIELDS}


# --- guardian ---------------------------------------------------------------------------


async def guardians(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[MinorCase, list[Guardian]]:
    """Every appointment of the case's minor, latest first."""
    minor = await _read(session, principal, case_id)
    found = await repository.guardians_of(session, case_id)
    if minor.team:
        await GUARDIANS.record(session, principal, AuditAction.LIST, *(g.id for g in found))
    return minor, found


async def guardian(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, guardian_id: uuid.UUID
) -> tuple[MinorCase, Guardian]:
    minor = await _read(session, principal, case_id)
    found = require_found(
        await repository.guardian(session, case_id, guardian_id),
        GuardianNotFound(f"No guardian {guardian_id} on this case."),
    )
    if minor.team:
        await GUARDIANS.read(session, principal, found)
    return minor, found


def _guardian_fields(guardian_in: GuardianIn, today: date) -> dict[str, Any]:
    domain.not_after(guardian_in.appointed_on, today, "appointed_on")
    domain.not_after(guardian_in.ended_on, today, "ended_on")
    domain.not_before(guardian_in.ended_on, guardian_in.appointed_on, "ended_on", "appointed_on")
    contact = guardian_in.contact
    return {
        "kind": guardian_in.kind,
        "court": guardian_in.court,
        "appointed_on": guardian_in.appointed_on,
        "decree_reference": guardian_in.decree_reference,
        "ended_on": guardian_in.ended_on,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
    }


async def _require_no_other_guardian(
    session: AsyncSession, case_id: uuid.UUID, but: uuid.UUID | None = None
) -> None:
    if any(
        g.ended_on is None and g.id != but for g in await repository.guardians_of(session, case_id)
    ):
        raise GuardianInForce("A guardian's appointment is in force: record its end first.")


async def appoint_guardian(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, guardian_in: GuardianIn
) -> tuple[MinorCase, Guardian]:
    """Record a guardian's appointment (one in force at a time)."""
    minor = await _change(session, principal, case_id)
    now = utcnow()
    fields = _guardian_fields(guardian_in, city_date(now))
    if fields["ended_on"] is None:
        await _require_no_other_guardian(session, case_id)
    record = Guardian(
        case_id=case_id, **fields, recorded_by=principal.subject, created_at=now, updated_at=now
    )
    await _saved(session, principal, minor, TrackRecord.GUARDIAN, record, now)
    await _publish_guardian(session, GuardianAppointed, minor, record)
    return minor, record


async def change_guardian(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    guardian_id: uuid.UUID,
    if_match: str | None,
    guardian_in: GuardianIn,
) -> tuple[MinorCase, Guardian]:
    """Correct an appointment or record its end: the whole record as it is to be."""
    minor = await _change(session, principal, case_id)
    record = require_found(
        await repository.guardian(session, case_id, guardian_id, for_update=True),
        GuardianNotFound(f"No guardian {guardian_id} on this case."),
    )
    require_if_match(if_match, record.version)
    now = utcnow()
    fields = _guardian_fields(guardian_in, city_date(now))
    if fields["ended_on"] is None:
        await _require_no_other_guardian(session, case_id, but=record.id)
    for name, value in fields.items():
        setattr(record, name, value)
    _bump(record, now)
    await _saved(session, principal, minor, TrackRecord.GUARDIAN, record, now)
    await _publish_guardian(session, GuardianChanged, minor, record)
    return minor, record


async def _publish_guardian(
    session: AsyncSession, event: EventType[E], minor: MinorCase, record: Guardian
) -> None:
    await publish(
        session,
        event,
        minor,
        guardian_id=record.id,
        guardian_kind=record.kind,
        appointed_on=record.appointed_on,
        ended_on=record.ended_on,
        version=record.version,
    )


# --- age assessment ---------------------------------------------------------------------


async def assessment(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> AgeAssessment:
    await _read(session, principal, case_id)
    return require_found(
        await repository.one_of_case(session, AgeAssessment, case_id),
        AssessmentNotFound("No age assessment is recorded for this case."),
    )


def _assessed(
    current: AssessmentStatus | None, assessment_in: AgeAssessmentIn, today: date
) -> domain.Assessment:
    return domain.assess(
        current,
        domain.Assessment(
            status=assessment_in.status,
            method=assessment_in.method,
            requested_on=assessment_in.requested_on,
            outcome=assessment_in.outcome,
            outcome_on=assessment_in.outcome_on,
        ),
        today=today,
    )


async def record_assessment(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    assessment_in: AgeAssessmentIn,
) -> AgeAssessment:
    """The case's age assessment, first recorded (in any status but contested)."""
    minor = await _change(session, principal, case_id)
    if await repository.one_of_case(session, AgeAssessment, case_id) is not None:
        raise RecordedAlready("The age assessment is recorded: change it (PUT, with If-Match).")
    now = utcnow()
    assessed = _assessed(None, assessment_in, city_date(now))
    record = AgeAssessment(
        case_id=case_id,
        **_assessment_fields(assessed),
        recorded_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    await _saved(session, principal, minor, TrackRecord.AGE_ASSESSMENT, record, now)
    await _publish_assessment(session, minor, record)
    return record


async def change_assessment(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    assessment_in: AgeAssessmentIn,
) -> AgeAssessment:
    """The assessment's next step, or a correction of its details (same status)."""
    minor = await _change(session, principal, case_id)
    record = require_found(
        await repository.one_of_case(session, AgeAssessment, case_id, for_update=True),
        AssessmentNotFound("No age assessment is recorded for this case."),
    )
    require_if_match(if_match, record.version)
    now = utcnow()
    assessed = _assessed(AssessmentStatus(record.status), assessment_in, city_date(now))
    for name, value in _assessment_fields(assessed).items():
        setattr(record, name, value)
    record.recorded_by = principal.subject
    _bump(record, now)
    await _saved(session, principal, minor, TrackRecord.AGE_ASSESSMENT, record, now)
    await _publish_assessment(session, minor, record)
    return record


def _assessment_fields(assessed: domain.Assessment) -> dict[str, Any]:
    return {
        "status": assessed.status,
        "method": assessed.method,
        "requested_on": assessed.requested_on,
        "outcome": assessed.outcome,
        "outcome_on": assessed.outcome_on,
    }


def presumed_minor(record: AgeAssessment | None) -> bool:
    if record is None or record.status != AssessmentStatus.COMPLETED or record.outcome is None:
        return True
    return domain.presumed_minor(AssessmentOutcome(record.outcome))


async def _publish_assessment(
    session: AsyncSession, minor: MinorCase, record: AgeAssessment
) -> None:
    await publish(
        session,
        AgeAssessmentRecorded,
        minor,
        assessment_id=record.id,
        status=record.status,
        method=record.method,
        outcome=record.outcome,
        presumed_minor=presumed_minor(record),
        version=record.version,
    )


# --- placements -------------------------------------------------------------------------


async def placements(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[Placement]:
    """Every placement of the case's minor, latest first."""
    await _read(session, principal, case_id)
    return await repository.placements_of(session, case_id)


async def placement(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, placement_id: uuid.UUID
) -> Placement:
    await _read(session, principal, case_id)
    return require_found(
        await repository.placement(session, case_id, placement_id),
        PlacementNotFound(f"No placement {placement_id} on this case."),
    )


def _placement_fields(placement_in: PlacementIn, today: date) -> dict[str, Any]:
    domain.not_after(placement_in.starts_on, today, "starts_on")
    domain.not_after(placement_in.ends_on, today, "ends_on")
    domain.not_before(placement_in.ends_on, placement_in.starts_on, "ends_on", "starts_on")
    return placement_in.model_dump()


async def start_placement(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, placement_in: PlacementIn
) -> Placement:
    """A new placement; the one in force ends the day it starts (the minor moved)."""
    minor = await _change(session, principal, case_id)
    now = utcnow()
    fields = _placement_fields(placement_in, city_date(now))
    earlier = await repository.placements_of(session, case_id)
    if earlier and earlier[0].starts_on > placement_in.starts_on:
        domain.not_before(
            placement_in.starts_on,
            earlier[0].starts_on,
            "starts_on",
            "the latest placement's start",
        )
    for previous in earlier:
        if previous.ends_on is None:
            previous.ends_on = placement_in.starts_on
            _bump(previous, now)
            await _saved(session, principal, minor, TrackRecord.PLACEMENT, previous, now)
            await _publish_placement(session, PlacementChanged, minor, previous)
    record = Placement(
        case_id=case_id, **fields, recorded_by=principal.subject, created_at=now, updated_at=now
    )
    await _saved(session, principal, minor, TrackRecord.PLACEMENT, record, now)
    await _publish_placement(session, PlacementStarted, minor, record)
    return record


async def change_placement(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    placement_id: uuid.UUID,
    if_match: str | None,
    placement_in: PlacementIn,
) -> Placement:
    """Correct a placement or record its end: the whole record as it is to be."""
    minor = await _change(session, principal, case_id)
    record = require_found(
        await repository.placement(session, case_id, placement_id, for_update=True),
        PlacementNotFound(f"No placement {placement_id} on this case."),
    )
    require_if_match(if_match, record.version)
    now = utcnow()
    fields = _placement_fields(placement_in, city_date(now))
    if fields["ends_on"] is None and any(
        p.ends_on is None and p.id != record.id
        for p in await repository.placements_of(session, case_id)
    ):
        raise PlacementInForce("Another placement is in force: only one is open at a time.")
    for name, value in fields.items():
        setattr(record, name, value)
    _bump(record, now)
    await _saved(session, principal, minor, TrackRecord.PLACEMENT, record, now)
    await _publish_placement(session, PlacementChanged, minor, record)
    return record


async def _publish_placement(
    session: AsyncSession, event: EventType[E], minor: MinorCase, record: Placement
) -> None:
    await publish(
        session,
        event,
        minor,
        placement_id=record.id,
        kind=record.kind,
        starts_on=record.starts_on,
        ends_on=record.ends_on,
        version=record.version,
    )


# --- transition plan --------------------------------------------------------------------


async def transition_plan(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> TransitionPlan:
    await _read(session, principal, case_id)
    return require_found(
        await repository.one_of_case(session, TransitionPlan, case_id),
        TransitionPlanNotOpened(
            "The transition plan opens by itself ahead of the 18th birthday (the minors' policy)."
        ),
    )


async def change_transition_plan(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    plan_in: TransitionPlanIn,
) -> TransitionPlan:
    """The team's transition plan, as it is to be: goals, whether the extension is asked,
    open or closed."""
    minor = await _change(session, principal, case_id)
    record = require_found(
        await repository.one_of_case(session, TransitionPlan, case_id, for_update=True),
        TransitionPlanNotOpened("The transition plan has not opened yet."),
    )
    require_if_match(if_match, record.version)
    now = utcnow()
    if plan_in.status is TransitionStatus.CLOSED and record.status != TransitionStatus.CLOSED:
        record.closed_on = city_date(now)
    elif plan_in.status is TransitionStatus.OPEN:
        record.closed_on = None
    record.status = plan_in.status
    record.goals = [goal.model_dump(mode="json") for goal in plan_in.goals]
    record.extension_requested = plan_in.extension_requested
    record.updated_by = principal.subject
    _bump(record, now)
    await _saved(session, principal, minor, TrackRecord.TRANSITION_PLAN, record, now)
    await publish(
        session,
        TransitionPlanChanged,
        minor,
        plan_id=record.id,
        status=record.status,
        goals=len(plan_in.goals),
        goals_achieved=sum(goal.achieved for goal in plan_in.goals),
        extension_requested=record.extension_requested,
        version=record.version,
    )
    return record


# --- extension to 21 --------------------------------------------------------------------


async def extension(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> SupportExtension:
    await _read(session, principal, case_id)
    return require_found(
        await repository.one_of_case(session, SupportExtension, case_id),
        ExtensionNotFound("No extension of support is recorded for this case."),
    )


async def _extended(
    session: AsyncSession, minor: MinorCase, extension_in: ExtensionIn, today: date
) -> tuple[domain.Extension, date]:
    birth = await repository.birth_date(session, minor.person_ref)
    birth_date = birth.birth_date if birth is not None else None
    extended = domain.extend(
        domain.Extension(extension_in.decree_on, extension_in.support_ends_on),
        birth_date=birth_date,
        today=today,
    )
    assert birth_date is not None  # domain.extend refused it otherwise
    return extended, domain.coming_of_age(birth_date)


async def record_extension(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, extension_in: ExtensionIn
) -> SupportExtension:
    """The court's extension of support past 18, up to the 21st birthday."""
    minor = await _change(session, principal, case_id)
    if await repository.one_of_case(session, SupportExtension, case_id) is not None:
        raise RecordedAlready("The extension is recorded: change it (PUT, with If-Match).")
    now = utcnow()
    _, majority = await _extended(session, minor, extension_in, city_date(now))
    record = SupportExtension(
        case_id=case_id,
        **extension_in.model_dump(),
        recorded_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    await _saved(session, principal, minor, TrackRecord.EXTENSION, record, now)
    await _publish_extension(session, minor, record, majority)
    return record


async def change_extension(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    extension_in: ExtensionIn,
) -> SupportExtension:
    minor = await _change(session, principal, case_id)
    record = require_found(
        await repository.one_of_case(session, SupportExtension, case_id, for_update=True),
        ExtensionNotFound("No extension of support is recorded for this case."),
    )
    require_if_match(if_match, record.version)
    now = utcnow()
    _, majority = await _extended(session, minor, extension_in, city_date(now))
    for name, value in extension_in.model_dump().items():
        setattr(record, name, value)
    record.recorded_by = principal.subject
    _bump(record, now)
    await _saved(session, principal, minor, TrackRecord.EXTENSION, record, now)
    await _publish_extension(session, minor, record, majority)
    return record


async def _publish_extension(
    session: AsyncSession, minor: MinorCase, record: SupportExtension, majority: date
) -> None:
    await publish(
        session,
        SupportExtended,
        minor,
        extension_id=record.id,
        decree_on=record.decree_on,
        support_months=domain.whole_months(majority, record.support_ends_on),
        version=record.version,
    )


# --- closure ----------------------------------------------------------------------------


async def require_turned_adult_without_extension(session: AsyncSession, case: Any) -> None:
    """409 unless a minor's case may close as ``turned_adult_no_extension``: the minor
    turned 18 (``minor.turning_18`` raised, and the birthday itself passed) and no extension
    was recorded. Other cases' closures are not the track's business."""
    if case.target_group != UNACCOMPANIED_MINOR:
        return
    persons = (await cases.persons_of(session, [case.id]))[case.id]
    copy = await repository.birth_date(session, persons[0]) if len(persons) == 1 else None
    eighteen = copy.coming_of_age_on if copy is not None else None
    adult = eighteen is not None and domain.turned_adult(eighteen, today=city_date(utcnow()))
    if await repository.turned_adult(session, case.id) is None or not adult:
        raise NotTurnedAdult("The minor has not turned 18 yet (as far as casework knows).")
    if await repository.one_of_case(session, SupportExtension, case.id) is not None:
        raise NotTurnedAdult("Support was extended past 18: close with another outcome.")


# --- persons (intake's person events) ---------------------------------------------------

BIRTH_DATE_FIELDS = frozenset({"birth_date", "birth_date_estimated"})


async def birth_date_changed(
    session: AsyncSession, person_ref: uuid.UUID, version: int, changed: list[str]
) -> bool:
    """Intake changed the person's birth date (or whether it is estimated) at `version`: a
    copy casework keeps is marked stale, for the birth-date job to fetch again outside this
    transaction (intake may be down: the mark is not lost). Whether it was."""
    if BIRTH_DATE_FIELDS.isdisjoint(changed):
        return False
    copy = await repository.birth_date(session, person_ref, for_update=True)
    if copy is None:
        return False  # not followed: the job enrols the persons of minors' cases itself
    copy.wanted_version = max(copy.wanted_version, version)
    copy.attempts, copy.next_attempt_at, copy.failure = 0, None, None
    await session.flush()
    return True


async def person_merged(
    session: AsyncSession, merged_ref: uuid.UUID, survivor_ref: uuid.UUID
) -> None:
    """A merged record's birth date is no longer the case's: the survivor's is read instead
    (the job enrols it; an existing copy is read again, the merge may have changed it)."""
    await repository.forget(session, [merged_ref])
    survivor = await repository.birth_date(session, survivor_ref, for_update=True)
    if survivor is not None:
        survivor.source_version = None
        survivor.attempts, survivor.next_attempt_at = 0, None
    await session.flush()


async def erase_about(session: AsyncSession, person_refs: list[uuid.UUID]) -> None:
    """The person's erasure: the birth dates kept are deleted; the guardians' contacts of
    their cases go, in every version, and the transition plans lose the 18th birthday; the
    track's facts (statuses, kinds, dates of its steps) stay for the statistics."""
    await repository.forget(session, person_refs)
    case_ids: list[uuid.UUID] = []
    for ref in person_refs:
        case_ids += [c for c in await cases.cases_of_person(session, ref) if c not in case_ids]
    await _blank_contacts(session, case_ids)
    for plan in await repository.plans_of_cases(session, case_ids, for_update=True):
        plan.target_on = None
    for version in await repository.versions_of_records(
        session, [p.id for p in await repository.plans_of_cases(session, case_ids)]
    ):
        version.data = {**version.data, "target_on": None}
    await session.flush()


async def _blank_contacts(session: AsyncSession, case_ids: list[uuid.UUID]) -> None:
    found = await repository.guardians_of_cases(session, case_ids)
    for record in found:
        record.contact_name = record.contact_phone = record.contact_email = None
    for version in await repository.versions_of_records(session, [g.id for g in found]):
        version.data = {**version.data, **dict.fromkeys(CONTACT_FIELDS)}
    await session.flush()


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: the guardians' contacts and the plan's goal descriptions go, in every
    version; kinds, statuses and dates stay."""
    await _blank_contacts(session, [case_id])
    plans = await repository.plans_of_cases(session, [case_id])
    for plan in plans:
        plan.goals = [{**goal, "description": cases.ANONYMISED} for goal in plan.goals]
    for version in await repository.versions_of_records(session, [p.id for p in plans]):
        goals = version.data.get("goals") or []
        version.data = {
            **version.data,
            "goals": [{**g, "description": cases.ANONYMISED} for g in goals],
        }
    await session.flush()


# --- subject access ---------------------------------------------------------------------


async def held_on_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> dict[str, Any] | None:
    """The case's minors' track as JSON values, every version included (the guardian's
    contact for the team only); None for a case without one."""
    history = await repository.all_history_of(session, case_id)
    if not history:
        return None
    team = await _of_team(session, principal, await cases.visible(session, principal, case_id))
    if team:
        guardians = [v.record_id for v in history if v.kind == TrackRecord.GUARDIAN]
        await GUARDIANS.record(session, principal, AuditAction.EXPORT, *dict.fromkeys(guardians))
    raised = await repository.turned_adult(session, case_id)
    return {
        "turned_adult_raised_on": raised.raised_on.isoformat() if raised else None,
        "versions": [
            {
                **v.model_dump(mode="json", exclude={"data"}),
                "data": v.data if team else without_contact(v.data),
            }
            for v in history
        ],
    }


async def birth_date_held(session: AsyncSession, person_ref: uuid.UUID) -> dict[str, Any] | None:
    """The copy of the person's birth date casework keeps, as JSON values."""
    copy = await repository.birth_date(session, person_ref)
    return copy.model_dump(mode="json") if copy is not None else None
