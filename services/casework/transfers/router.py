"""HTTP for transfers: ask, list, answer, withdraw."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.transfers import service
from services.casework.transfers.domain import TransferStatus
from services.casework.transfers.schemas import AnswerIn, TransferIn, TransferPublic

router = APIRouter(prefix="/v1/casework", tags=["transfers"])
TRANSFERS = f"{router.prefix}/transfers"


def _location(transfer: TransferPublic) -> str:
    return f"{TRANSFERS}/{transfer.id}"


@router.post(
    "/cases/{case_id}/transfers",
    **creates(TransferPublic, 403, 404, 409),
    summary="Ask another organisation to lead the case (it is `transferred` until answered)",
)
async def request_transfer(
    case_id: uuid.UUID, transfer_in: TransferIn, creation: Creating
) -> Response:
    async def ask() -> TransferPublic:
        found = await service.request(**creation.by, case_id=case_id, transfer_in=transfer_in)
        return TransferPublic.model_validate(found)

    return await creation.created(ask, location=_location)


@router.get(
    "/cases/{case_id}/transfers", responses=NOT_FOUND, summary="The case's transfers, first first"
)
async def case_transfers(case_id: uuid.UUID, call: Reading) -> list[TransferPublic]:
    found = await service.of_case(**call.by, case_id=case_id)
    return [TransferPublic.model_validate(t) for t in found]


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass
class TransferQuery:
    """Which transfers a list shows (query parameters)."""

    status: TransferStatus | None = None
    case_id: uuid.UUID | None = None
    direction: Annotated[
        Direction | None,
        Query(description="incoming: asked of your organisation; outgoing: asked by it"),
    ] = None


@router.get("/transfers", summary="Transfers you see, oldest request first")
async def list_transfers(
    call: Reading, query: QueryDep[TransferQuery], page: PageParamsDep
) -> Page[TransferPublic]:
    organisation = call.principal.organisation
    where = service.TransferFilter(
        status=query.status,
        case_id=query.case_id,
        to_organisation=organisation if query.direction is Direction.INCOMING else None,
        from_organisation=organisation if query.direction is Direction.OUTGOING else None,
    )
    found = await service.list_visible(**call.by, page=page, where=where)
    return found.map(TransferPublic.model_validate)


@router.get("/transfers/{transfer_id}", responses=NOT_FOUND, summary="One transfer")
async def get_transfer(transfer_id: uuid.UUID, call: Reading) -> TransferPublic:
    found = await service.get(**call.by, transfer_id=transfer_id)
    return call.etagged(found.version, TransferPublic.model_validate(found))


@router.post(
    "/transfers/{transfer_id}/answer",
    responses=MANAGED_CHANGE,
    summary="Accept (naming the new case manager) or refuse with a reason (a supervisor of "
    "the organisation asked)",
)
async def answer(transfer_id: uuid.UUID, answer_in: AnswerIn, change: Changing) -> TransferPublic:
    found = await service.answer(**change.by, transfer_id=transfer_id, answer_in=answer_in)
    return change.etagged(found.version, TransferPublic.model_validate(found))


@router.post(
    "/transfers/{transfer_id}/withdrawal",
    responses=MANAGED_CHANGE,
    summary="Take the request back while it is pending (the lead organisation)",
)
async def withdraw(transfer_id: uuid.UUID, change: Changing) -> TransferPublic:
    found = await service.withdraw(**change.by, transfer_id=transfer_id)
    return change.etagged(found.version, TransferPublic.model_validate(found))
