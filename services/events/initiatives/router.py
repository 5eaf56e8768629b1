"""HTTP for initiatives: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from kit.auth import Principal, Role, require_roles
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.schemas import Municipio, OrganisationAlias
from services.events.initiatives import service
from services.events.initiatives.domain import InitiativeKind
from services.events.initiatives.models import Initiative
from services.events.initiatives.schemas import InitiativeCreate, InitiativePublic

router = APIRouter(
    prefix="/v1/initiatives",
    tags=["initiatives"],
)

Reader = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.INITIATIVE_ORGANIZER,
            Role.COORDINATOR,
            Role.CASE_WORKER,
            Role.INTAKE_OPERATOR,
            Role.OBSERVATORY_ANALYST,
        )
    ),
]
Writer = Annotated[Principal, Depends(require_roles(Role.INITIATIVE_ORGANIZER, Role.COORDINATOR))]


def public(initiative: Initiative) -> InitiativePublic:
    return InitiativePublic.model_validate(initiative)


@router.post(
    "",
    status_code=201,
    response_model=InitiativePublic,
    summary="Create an initiative",
)
async def create_initiative(
    initiative_in: InitiativeCreate, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def create() -> InitiativePublic:
        initiative = await service.create(
            session=session, principal=principal, initiative_in=initiative_in
        )
        return public(initiative)

    return await idem.created(
        create, owner=principal.subject, location=lambda i: f"{router.prefix}/{i.id}"
    )


@router.get(
    "",
    summary="List initiatives, newest first",
)
async def list_initiatives(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    kind: Annotated[InitiativeKind | None, Query()] = None,
    municipio: Annotated[Municipio | None, Query()] = None,
    organiser: Annotated[
        OrganisationAlias | None, Query(description="Alias of the organiser organisation")
    ] = None,
) -> Page[InitiativePublic]:
    found = await service.list_initiatives(
        session=session, page=page, kind=kind, municipio=municipio, organiser=organiser
    )
    return found.map(public)


@router.get(
    "/{initiative_id}",
    responses=problem_responses(404),
    summary="One initiative",
)
async def get_initiative(
    initiative_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> InitiativePublic:
    initiative = await service.get(session=session, initiative_id=initiative_id)
    set_etag(response, initiative.version)
    return public(initiative)
