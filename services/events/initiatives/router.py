"""HTTP for initiatives: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates, location_in
from kit.schemas import Municipio, OrganisationAlias
from services.events.access import Changing, Creating, Reading
from services.events.initiatives import service
from services.events.initiatives.domain import Audience, InitiativeKind, InitiativeStatus
from services.events.initiatives.models import Initiative
from services.events.initiatives.schemas import (
    InitiativeCreate,
    InitiativePatch,
    InitiativePublic,
    Topic,
)

router = APIRouter(prefix="/v1/initiatives", tags=["initiatives"])
ONE = "/{initiative_id:uuid}"  # not "programme": its paths answer 405 for other methods

ORGANISED_CHANGE = problem_responses(403, 404, 409)
"""``responses=`` of a change to an initiative: not found (404), organised by another
organisation (403), refused by its status (409)."""


def public(initiative: Initiative) -> InitiativePublic:
    return InitiativePublic.model_validate(initiative)


@router.post("", **creates(InitiativePublic), summary="Write an initiative (a draft)")
async def create_initiative(initiative_in: InitiativeCreate, creation: Creating) -> Response:
    async def create() -> InitiativePublic:
        return public(await service.create(**creation.by, initiative_in=initiative_in))

    return await creation.created(create, location=location_in(router))


@dataclass
class InitiativeQuery:
    """Which initiatives a list shows (query parameters)."""

    kind: InitiativeKind | None = None
    municipio: Municipio | None = None
    organiser: Annotated[
        OrganisationAlias | None, Query(description="Alias of the organiser organisation")
    ] = None
    status: InitiativeStatus | None = None
    audience: Audience | None = None
    topic: Annotated[Topic | None, Query(description="Initiatives tagged so")] = None
    partner: Annotated[
        OrganisationAlias | None, Query(description="Initiatives this organisation partners")
    ] = None


@router.get("", summary="List initiatives, newest first")
async def list_initiatives(
    call: Reading, query: QueryDep[InitiativeQuery], page: PageParamsDep
) -> Page[InitiativePublic]:
    found = await service.list_initiatives(session=call.session, page=page, **asdict(query))
    return found.map(public)


@router.get(ONE, responses=NOT_FOUND, summary="One initiative")
async def get_initiative(initiative_id: uuid.UUID, call: Reading) -> InitiativePublic:
    initiative = await service.get(session=call.session, initiative_id=initiative_id)
    return call.etagged(initiative.version, public(initiative))


@router.patch(
    ONE,
    responses=ORGANISED_CHANGE,
    summary="Change an initiative: only the fields given (its organiser or a coordinator)",
)
async def change_initiative(
    initiative_id: uuid.UUID, patch: InitiativePatch, change: Changing
) -> InitiativePublic:
    initiative = await service.change(**change.by, initiative_id=initiative_id, patch=patch)
    return change.etagged(initiative.version, public(initiative))


@router.post(
    f"{ONE}/publication",
    responses=ORGANISED_CHANGE,
    summary="Publish a draft initiative (the network and the public programme show it)",
)
async def publish_initiative(initiative_id: uuid.UUID, change: Changing) -> InitiativePublic:
    initiative = await service.publish(**change.by, initiative_id=initiative_id)
    return change.etagged(initiative.version, public(initiative))


@router.post(
    f"{ONE}/completion",
    responses=ORGANISED_CHANGE,
    summary="Complete a published initiative (it has taken place)",
)
async def complete_initiative(initiative_id: uuid.UUID, change: Changing) -> InitiativePublic:
    initiative = await service.complete(**change.by, initiative_id=initiative_id)
    return change.etagged(initiative.version, public(initiative))


@router.post(
    f"{ONE}/cancellation",
    responses=ORGANISED_CHANGE,
    summary="Cancel a draft or published initiative",
)
async def cancel_initiative(initiative_id: uuid.UUID, change: Changing) -> InitiativePublic:
    initiative = await service.cancel(**change.by, initiative_id=initiative_id)
    return change.etagged(initiative.version, public(initiative))
