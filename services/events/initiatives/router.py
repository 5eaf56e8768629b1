"""HTTP for initiatives: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates, location_in
from kit.schemas import Municipio, OrganisationAlias
from services.events.access import Creating, Reading
from services.events.initiatives import service
from services.events.initiatives.domain import InitiativeKind
from services.events.initiatives.schemas import InitiativeCreate, InitiativePublic

router = APIRouter(prefix="/v1/initiatives", tags=["initiatives"])


@router.post("", **creates(InitiativePublic), summary="Create an initiative")
async def create_initiative(initiative_in: InitiativeCreate, creation: Creating) -> Response:
    async def create() -> InitiativePublic:
        initiative = await service.create(**creation.by, initiative_in=initiative_in)
        return InitiativePublic.model_validate(initiative)

    return await creation.created(create, location=location_in(router))


@dataclass
class InitiativeQuery:
    """Which initiatives a list shows (query parameters)."""

    kind: InitiativeKind | None = None
    municipio: Municipio | None = None
    organiser: Annotated[
        OrganisationAlias | None, Query(description="Alias of the organiser organisation")
    ] = None


@router.get("", summary="List initiatives, newest first")
async def list_initiatives(
    call: Reading, query: QueryDep[InitiativeQuery], page: PageParamsDep
) -> Page[InitiativePublic]:
    found = await service.list_initiatives(session=call.session, page=page, **asdict(query))
    return found.map(InitiativePublic.model_validate)


@router.get("/{initiative_id}", responses=NOT_FOUND, summary="One initiative")
async def get_initiative(initiative_id: uuid.UUID, call: Reading) -> InitiativePublic:
    initiative = await service.get(session=call.session, initiative_id=initiative_id)
    return call.etagged(initiative.version, InitiativePublic.model_validate(initiative))
