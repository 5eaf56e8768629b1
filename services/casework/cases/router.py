"""HTTP for cases: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep
from services.casework.access import Reading
from services.casework.cases import service
from services.casework.cases.domain import Status
from services.casework.cases.schemas import CasePublic

router = APIRouter(prefix="/v1/casework/cases", tags=["cases"])


@dataclass
class CaseQuery:
    """Which cases a list shows (query parameters)."""

    status: Status | None = None
    referral_id: Annotated[
        uuid.UUID | None, Query(description="The case opened for this referral, if any.")
    ] = None


@router.get("", summary="List the cases visible to you, newest first")
async def list_cases(
    call: Reading, query: QueryDep[CaseQuery], page: PageParamsDep
) -> Page[CasePublic]:
    found = await service.list_visible(**call.by, page=page, **asdict(query))
    return found.map(CasePublic.model_validate)


@router.get("/{case_id}", responses=NOT_FOUND, summary="One case")
async def get_case(case_id: uuid.UUID, call: Reading) -> CasePublic:
    case = await service.get(**call.by, case_id=case_id)
    return call.etagged(case.version, CasePublic.model_validate(case))
