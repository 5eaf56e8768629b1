"""HTTP for initiatives: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.auth import Principal, Role
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.routes import QueryDep, etagged, holding, location_in
from kit.schemas import Municipio, OrganisationAlias
from services.events.initiatives import service
from services.events.initiatives.domain import InitiativeKind
from services.events.initiatives.schemas import InitiativeCreate, InitiativePublic

router = APIRouter(prefix="/v1/initiatives", tags=["initiatives"])

Reader = Annotated[
    Principal,
    holding(
        Role.INITIATIVE_ORGANIZER,
        Role.COORDINATOR,
        Role.CASE_WORKER,
        Role.INTAKE_OPERATOR,
        Role.OBSERVATORY_ANALYST,
    ),
]
Writer = Annotated[Principal, holding(Role.INITIATIVE_ORGANIZER, Role.COORDINATOR)]


@router.post("", status_code=201, response_model=InitiativePublic, summary="Create an initiative")
async def create_initiative(
    initiative_in: InitiativeCreate, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def create() -> InitiativePublic:
        initiative = await service.create(
            session=session, principal=principal, initiative_in=initiative_in
        )
        return InitiativePublic.model_validate(initiative)

    return await idem.created(create, owner=principal.subject, location=location_in(router))


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
    session: SessionDep, principal: Reader, query: QueryDep[InitiativeQuery], page: PageParamsDep
) -> Page[InitiativePublic]:
    found = await service.list_initiatives(session=session, page=page, **asdict(query))
    return found.map(InitiativePublic.model_validate)


@router.get("/{initiative_id}", responses=problem_responses(404), summary="One initiative")
async def get_initiative(
    initiative_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> InitiativePublic:
    initiative = await service.get(session=session, initiative_id=initiative_id)
    return etagged(response, initiative.version, InitiativePublic.model_validate(initiative))
