"""HTTP for a case's minors' track: the guardian, the age assessment, placements, the
transition plan and the extension to 21."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.routes import QueryDep, creates
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.minors import service
from services.casework.minors.domain import TrackRecord, support_limit
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
    AgeAssessmentPublic,
    ComingOfAgePublic,
    ExtensionIn,
    ExtensionPublic,
    GuardianContact,
    GuardianIn,
    GuardianPublic,
    MinorTrackPublic,
    PlacementIn,
    PlacementPublic,
    TrackRecordVersionPublic,
    TransitionPlanIn,
    TransitionPlanPublic,
)

router = APIRouter(prefix="/v1/casework/cases/{case_id}/minor", tags=["minors' track"])

READ = problem_responses(404, 409)
"""``responses=`` of a read: the case is not visible (404), or not a minors' case (409)."""
CREATE = (403, 404, 409, 422)


def guardian_public(minor: service.MinorCase, guardian: Guardian) -> GuardianPublic:
    contact = None
    if minor.team and guardian.contact_name is not None:
        contact = GuardianContact(
            name=guardian.contact_name, phone=guardian.contact_phone, email=guardian.contact_email
        )
    return GuardianPublic.model_validate(
        {**guardian.model_dump(), "active": guardian.ended_on is None, "contact": contact}
    )


def assessment_public(assessment: AgeAssessment) -> AgeAssessmentPublic:
    return AgeAssessmentPublic.model_validate(
        {**assessment.model_dump(), "presumed_minor": service.presumed_minor(assessment)}
    )


def placement_public(placement: Placement) -> PlacementPublic:
    return PlacementPublic.model_validate(
        {**placement.model_dump(), "current": placement.ends_on is None}
    )


def plan_public(plan: TransitionPlan) -> TransitionPlanPublic:
    return TransitionPlanPublic.model_validate(plan.model_dump())


def extension_public(extension: SupportExtension) -> ExtensionPublic:
    return ExtensionPublic.model_validate(extension)


def coming_of_age_public(copy: BirthDateCopy) -> ComingOfAgePublic:
    limit = support_limit(copy.birth_date) if copy.birth_date else None
    return ComingOfAgePublic(
        coming_of_age_on=copy.coming_of_age_on,
        support_limit_on=limit,
        estimated=copy.estimated,
        source_version=copy.source_version,
        fetched_at=copy.fetched_at,
        pending=copy.source_version is None or copy.source_version < copy.wanted_version,
    )


@router.get("", responses=READ, summary="The case's minors' track at a glance")
async def get_track(case_id: uuid.UUID, call: Reading) -> MinorTrackPublic:
    track = await service.track(**call.by, case_id=case_id)
    minor = track.minor
    return MinorTrackPublic(
        case_id=minor.case_id,
        person_ref=minor.person_ref,
        coming_of_age=coming_of_age_public(track.birth) if track.birth else None,
        presumed_minor=service.presumed_minor(track.assessment),
        guardian=guardian_public(minor, track.guardian) if track.guardian else None,
        age_assessment=assessment_public(track.assessment) if track.assessment else None,
        placement=placement_public(track.placement) if track.placement else None,
        transition_plan=plan_public(track.plan) if track.plan else None,
        turned_adult_raised_on=track.turned_adult_on,
        extension=extension_public(track.extension) if track.extension else None,
    )


@dataclass
class HistoryQuery:
    kind: Annotated[
        TrackRecord | None, Query(description="Only the versions of this kind of record")
    ] = None


@router.get("/history", responses=READ, summary="Every version of the track's records")
async def get_history(
    case_id: uuid.UUID, call: Reading, query: QueryDep[HistoryQuery], page: PageParamsDep
) -> Page[TrackRecordVersionPublic]:
    minor, found = await service.history(**call.by, case_id=case_id, kind=query.kind, page=page)

    def public(version: TrackRecordVersion) -> TrackRecordVersionPublic:
        data = version.data if minor.team else service.without_contact(version.data)
        return TrackRecordVersionPublic.model_validate({**version.model_dump(), "data": data})

    return found.map(public)


# --- guardian ---------------------------------------------------------------------------


@router.get("/guardians", responses=READ, summary="The minor's guardians, latest first")
async def list_guardians(case_id: uuid.UUID, call: Reading) -> list[GuardianPublic]:
    minor, found = await service.guardians(**call.by, case_id=case_id)
    return [guardian_public(minor, guardian) for guardian in found]


@router.post(
    "/guardians",
    **creates(GuardianPublic, *CREATE),
    summary="Record a guardian's appointment (one in force at a time)",
)
async def appoint_guardian(
    case_id: uuid.UUID, guardian_in: GuardianIn, creation: Creating
) -> Response:
    async def appoint() -> GuardianPublic:
        minor, guardian = await service.appoint_guardian(
            **creation.by, case_id=case_id, guardian_in=guardian_in
        )
        return guardian_public(minor, guardian)

    return await creation.created(
        appoint, location=lambda g: f"/v1/casework/cases/{case_id}/minor/guardians/{g.id}"
    )


@router.get("/guardians/{guardian_id}", responses=READ, summary="One guardian's appointment")
async def get_guardian(case_id: uuid.UUID, guardian_id: uuid.UUID, call: Reading) -> GuardianPublic:
    minor, guardian = await service.guardian(**call.by, case_id=case_id, guardian_id=guardian_id)
    return call.etagged(guardian.version, guardian_public(minor, guardian))


@router.put(
    "/guardians/{guardian_id}",
    responses=MANAGED_CHANGE,
    summary="Correct an appointment, or record its end",
)
async def change_guardian(
    case_id: uuid.UUID, guardian_id: uuid.UUID, guardian_in: GuardianIn, change: Changing
) -> GuardianPublic:
    minor, guardian = await service.change_guardian(
        **change.by, case_id=case_id, guardian_id=guardian_id, guardian_in=guardian_in
    )
    return change.etagged(guardian.version, guardian_public(minor, guardian))


# --- age assessment ---------------------------------------------------------------------


@router.get("/age-assessment", responses=READ, summary="The minor's age assessment")
async def get_assessment(case_id: uuid.UUID, call: Reading) -> AgeAssessmentPublic:
    found = await service.assessment(**call.by, case_id=case_id)
    return call.etagged(found.version, assessment_public(found))


@router.post(
    "/age-assessment",
    **creates(AgeAssessmentPublic, *CREATE),
    summary="Record the age assessment (once; then change it)",
)
async def record_assessment(
    case_id: uuid.UUID, assessment_in: AgeAssessmentIn, creation: Creating
) -> Response:
    async def record() -> AgeAssessmentPublic:
        found = await service.record_assessment(
            **creation.by, case_id=case_id, assessment_in=assessment_in
        )
        return assessment_public(found)

    return await creation.created(
        record, location=lambda _: f"/v1/casework/cases/{case_id}/minor/age-assessment"
    )


@router.put(
    "/age-assessment",
    responses=problem_responses(403, 404, 409, 422),
    summary="The assessment's next step, or a correction of its details",
)
async def change_assessment(
    case_id: uuid.UUID, assessment_in: AgeAssessmentIn, change: Changing
) -> AgeAssessmentPublic:
    found = await service.change_assessment(
        **change.by, case_id=case_id, assessment_in=assessment_in
    )
    return change.etagged(found.version, assessment_public(found))


# --- placements -------------------------------------------------------------------------


@router.get("/placements", responses=READ, summary="The minor's placements, latest first")
async def list_placements(case_id: uuid.UUID, call: Reading) -> list[PlacementPublic]:
    return [placement_public(p) for p in await service.placements(**call.by, case_id=case_id)]


@router.post(
    "/placements",
    **creates(PlacementPublic, *CREATE),
    summary="Record a new placement (the one in force ends the day it starts)",
)
async def start_placement(
    case_id: uuid.UUID, placement_in: PlacementIn, creation: Creating
) -> Response:
    async def start() -> PlacementPublic:
        found = await service.start_placement(
            **creation.by, case_id=case_id, placement_in=placement_in
        )
        return placement_public(found)

    return await creation.created(
        start, location=lambda p: f"/v1/casework/cases/{case_id}/minor/placements/{p.id}"
    )


@router.get("/placements/{placement_id}", responses=READ, summary="One placement")
async def get_placement(
    case_id: uuid.UUID, placement_id: uuid.UUID, call: Reading
) -> PlacementPublic:
    found = await service.placement(**call.by, case_id=case_id, placement_id=placement_id)
    return call.etagged(found.version, placement_public(found))


@router.put(
    "/placements/{placement_id}",
    responses=problem_responses(403, 404, 409, 422),
    summary="Correct a placement, or record its end",
)
async def change_placement(
    case_id: uuid.UUID, placement_id: uuid.UUID, placement_in: PlacementIn, change: Changing
) -> PlacementPublic:
    found = await service.change_placement(
        **change.by, case_id=case_id, placement_id=placement_id, placement_in=placement_in
    )
    return change.etagged(found.version, placement_public(found))


# --- transition plan --------------------------------------------------------------------


@router.get(
    "/transition-plan",
    responses=READ,
    summary="The transition plan toward 18 (opened by itself ahead of the birthday)",
)
async def get_transition_plan(case_id: uuid.UUID, call: Reading) -> TransitionPlanPublic:
    found = await service.transition_plan(**call.by, case_id=case_id)
    return call.etagged(found.version, plan_public(found))


@router.put("/transition-plan", responses=MANAGED_CHANGE, summary="Change the transition plan")
async def change_transition_plan(
    case_id: uuid.UUID, plan_in: TransitionPlanIn, change: Changing
) -> TransitionPlanPublic:
    found = await service.change_transition_plan(**change.by, case_id=case_id, plan_in=plan_in)
    return change.etagged(found.version, plan_public(found))


# --- extension to 21 --------------------------------------------------------------------


@router.get("/extension", responses=READ, summary="The extension of support past 18 (prosieguo)")
async def get_extension(case_id: uuid.UUID, call: Reading) -> ExtensionPublic:
    found = await service.extension(**call.by, case_id=case_id)
    return call.etagged(found.version, extension_public(found))


@router.post(
    "/extension",
    **creates(ExtensionPublic, *CREATE),
    summary="Record the juvenile court's extension of support, up to the 21st birthday",
)
async def record_extension(
    case_id: uuid.UUID, extension_in: ExtensionIn, creation: Creating
) -> Response:
    async def record() -> ExtensionPublic:
        found = await service.record_extension(
            **creation.by, case_id=case_id, extension_in=extension_in
        )
        return extension_public(found)

    return await creation.created(
        record, location=lambda _: f"/v1/casework/cases/{case_id}/minor/extension"
    )


@router.put(
    "/extension",
    responses=problem_responses(403, 404, 409, 422),
    summary="Correct the extension of support",
)
async def change_extension(
    case_id: uuid.UUID, extension_in: ExtensionIn, change: Changing
) -> ExtensionPublic:
    found = await service.change_extension(**change.by, case_id=case_id, extension_in=extension_in)
    return change.etagged(found.version, extension_public(found))
