"""HTTP for housing requests: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import utcnow
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, QueryDep, creates, location_in
from kit.schemas import CalendarDate, Id, TargetGroup
from services.housing.access import Filing, Reading, Refiling
from services.housing.requests import service
from services.housing.requests.domain import HousingUrgency, RequestStatus
from services.housing.requests.schemas import (
    RequestCreate,
    RequestPatch,
    RequestPublic,
    WithdrawalIn,
)
from services.housing.requests.service import Filed

router = APIRouter(prefix="/v1/housing/requests", tags=["housing requests"])
ONE = "/{request_id}"


def public(filed: Filed) -> RequestPublic:
    request, household = filed.request, filed.household
    return RequestPublic.model_validate(
        {
            **request.model_dump(),
            "adults": request.household_size - request.minors,
            "members": [{"sex": m.sex, "age": m.age} for m in household.members],
            "vulnerability": filed.vulnerability,
            "waiting_days": filed.waiting_days(utcnow().date()),
        }
    )


@router.post(
    "",
    **creates(RequestPublic, 404, 409),
    summary="File a housing request for a case your organisation acts for",
)
async def file_request(request_in: RequestCreate, creation: Filing) -> Response:
    async def file() -> RequestPublic:
        return public(await service.file(**creation.by, request_in=request_in))

    return await creation.created(file, location=location_in(router), version=lambda r: r.version)


@dataclass
class RequestQuery:
    """Which requests a list shows (query parameters); ``requested_to`` is exclusive."""

    status: RequestStatus | None = None
    case_id: Id | None = None
    target_group: TargetGroup | None = None
    urgency: HousingUrgency | None = None
    requested_from: Annotated[CalendarDate | None, Query(description="Inclusive")] = None
    requested_to: Annotated[CalendarDate | None, Query(description="Exclusive")] = None


@router.get("", summary="List the housing requests you may see, longest waiting first")
async def list_requests(
    call: Reading, query: QueryDep[RequestQuery], page: PageParamsDep
) -> Page[RequestPublic]:
    found = await service.list_requests(**call.by, page=page, **asdict(query))
    return found.map(public)


@router.get(ONE, responses=NOT_FOUND, summary="One housing request")
async def get_request(request_id: uuid.UUID, call: Reading) -> RequestPublic:
    filed = await service.get(**call.by, request_id=request_id)
    return call.etagged(filed.request.version, public(filed))


@router.patch(
    ONE,
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Change an open request: only the fields given",
)
async def change_request(
    request_id: uuid.UUID, patch: RequestPatch, change: Refiling
) -> RequestPublic:
    filed = await service.change(**change.by, request_id=request_id, patch=patch)
    return change.etagged(filed.request.version, public(filed))


@router.post(
    f"{ONE}/withdrawal",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Withdraw an open request (its live proposal, if any, ends)",
)
async def withdraw_request(
    request_id: uuid.UUID, withdrawal: WithdrawalIn, change: Refiling
) -> RequestPublic:
    filed = await service.withdraw(**change.by, request_id=request_id, reason=withdrawal.reason)
    return change.etagged(filed.request.version, public(filed))
