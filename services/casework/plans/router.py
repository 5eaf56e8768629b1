"""HTTP for plans: the latest version and every one before, made under If-Match."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.cases.schemas import CaseFacts
from services.casework.plans import service
from services.casework.plans.models import Plan, PlanVersion
from services.casework.plans.schemas import PlanIn, PlanPublic

router = APIRouter(prefix="/v1/casework/cases/{case_id}/plan", tags=["plans"])


def public(case: CaseFacts, plan: Plan, version: PlanVersion) -> PlanPublic:
    return PlanPublic.model_validate(
        {
            **version.model_dump(),
            "case_id": case.id,
            "latest_version": plan.version,
            "approved_version": case.plan_approved_version,
            "created_at": plan.created_at,
        }
    )


@router.post("", **creates(PlanPublic, 403, 404, 409), summary="Make the case's plan (version 1)")
async def create_plan(case_id: uuid.UUID, plan_in: PlanIn, creation: Creating) -> Response:
    async def make() -> PlanPublic:
        return public(*await service.create(**creation.by, case_id=case_id, plan_in=plan_in))

    return await creation.created(
        make, location=lambda _: f"/v1/casework/cases/{case_id}/plan", version=lambda p: p.version
    )


@router.get("", responses=NOT_FOUND, summary="The plan's latest version")
async def get_plan(case_id: uuid.UUID, call: Reading) -> PlanPublic:
    case, plan, version = await service.latest(**call.by, case_id=case_id)
    return call.etagged(plan.version, public(case, plan, version))


@router.put(
    "", responses=MANAGED_CHANGE, summary="Revise the plan: the whole plan, as a new version"
)
async def revise_plan(case_id: uuid.UUID, plan_in: PlanIn, change: Changing) -> PlanPublic:
    case, plan, version = await service.revise(**change.by, case_id=case_id, plan_in=plan_in)
    return change.etagged(plan.version, public(case, plan, version))


@router.get("/versions", responses=NOT_FOUND, summary="Every version of the plan, oldest first")
async def list_versions(case_id: uuid.UUID, call: Reading, page: PageParamsDep) -> Page[PlanPublic]:
    case, plan, found = await service.versions(**call.by, case_id=case_id, page=page)
    return found.map(lambda version: public(case, plan, version))


@router.get("/versions/{number}", responses=NOT_FOUND, summary="One version of the plan")
async def get_version(
    case_id: uuid.UUID, number: Annotated[int, Path(ge=1, le=1_000_000)], call: Reading
) -> PlanPublic:
    case, plan, version = await service.version(**call.by, case_id=case_id, number=number)
    return public(case, plan, version)
