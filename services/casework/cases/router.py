"""HTTP for cases: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.auth import Principal, Role
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.routes import QueryDep, etagged, holding
from services.casework.cases import service
from services.casework.cases.domain import Status
from services.casework.cases.schemas import CasePublic

router = APIRouter(prefix="/v1/casework/cases", tags=["cases"])

Reader = Annotated[
    Principal,
    holding(Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COORDINATOR, Role.INTAKE_OPERATOR),
]


@dataclass
class CaseQuery:
    """Which cases a list shows (query parameters)."""

    status: Annotated[Status | None, Query()] = None
    referral_id: Annotated[
        uuid.UUID | None, Query(description="The case opened for this referral, if any.")
    ] = None


@router.get("", summary="List the cases visible to you, newest first")
async def list_cases(
    session: SessionDep, principal: Reader, query: QueryDep[CaseQuery], page: PageParamsDep
) -> Page[CasePublic]:
    found = await service.list_visible(
        session=session, principal=principal, page=page, **asdict(query)
    )
    return found.map(CasePublic.model_validate)


@router.get("/{case_id}", responses=problem_responses(404), summary="One case")
async def get_case(
    case_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> CasePublic:
    case = await service.get(session=session, principal=principal, case_id=case_id)
    return etagged(response, case.version, CasePublic.model_validate(case))
