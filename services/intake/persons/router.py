"""HTTP for persons: the registry and the duplicate search; their consents (consents.router).

Subject access, erasure, merges and splits span every feature: subject_rights.router.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import IfMatchDep, set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.schemas import OrganisationAlias, Timestamp
from services.intake.access import Reader, Writer
from services.intake.persons import service
from services.intake.persons.consents.router import router as consents_router
from services.intake.persons.domain import PersonStatus
from services.intake.persons.models import Person
from services.intake.persons.schemas import (
    CandidatePublic,
    MatchBand,
    MatchIn,
    MatchResult,
    PersonCreate,
    PersonCreated,
    PersonPatch,
    PersonPublic,
    ReasonPublic,
)

router = APIRouter(prefix="/v1/intake/persons", tags=["persons"])


def public(person: Person) -> PersonPublic:
    return PersonPublic.model_validate(person)


def candidates_public(
    candidates: Sequence[service.Candidate], visible: set[uuid.UUID]
) -> list[CandidatePublic]:
    return [
        CandidatePublic(
            person_id=c.person.id,
            score=c.match.score,
            band=MatchBand.LIKELY if c.likely else MatchBand.POSSIBLE,
            reasons=[ReasonPublic.model_validate(asdict(r)) for r in c.match.reasons],
            person=public(c.person) if c.person.id in visible else None,
        )
        for c in candidates
    ]


@router.post(
    "",
    status_code=201,
    response_model=PersonCreated,
    responses=problem_responses(409),
    summary="Register a person; answers the persons who may be the same, best first",
)
async def create_person(
    person_in: PersonCreate, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def create() -> PersonCreated:
        person, candidates = await service.register(
            session=session, principal=principal, fields=person_in
        )
        visible = await service.visible_ids(session, principal, [c.person.id for c in candidates])
        return PersonCreated(
            person=public(person), candidates=candidates_public(candidates, visible)
        )

    return await idem.created(
        create,
        owner=principal.subject,
        location=lambda r: f"{router.prefix}/{r.person.id}",
        version=lambda r: r.person.version,
    )


@router.post(
    "/match",
    summary="Search for persons who may be this one, without registering anyone",
)
async def match_person(query: MatchIn, session: SessionDep, principal: Writer) -> MatchResult:
    candidates, visible = await service.match(
        session=session, principal=principal, query=service.facts_of_fields(query)
    )
    return MatchResult(candidates=candidates_public(candidates, visible))


@router.get(
    "",
    summary="List the persons visible to you, newest first",
)
async def list_persons(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    status: Annotated[PersonStatus | None, Query()] = None,
    organisation: Annotated[
        OrganisationAlias | None, Query(description="Registering organisation")
    ] = None,
    created_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None,
    created_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None,
) -> Page[PersonPublic]:
    where = service.PersonFilter(
        status=status,
        registered_by_organisation=organisation,
        created_from=created_from,
        created_to=created_to,
    )
    found = await service.list_visible(session=session, principal=principal, page=page, where=where)
    return found.map(public)


# `:uuid`: POST /match is a sibling, and PATCH /match must be a 405, not a person id (422)
@router.get(
    "/{person_id:uuid}",
    responses=problem_responses(404),
    summary="One person (a merged record names its survivor in merged_into)",
)
async def get_person(
    person_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> PersonPublic:
    person = await service.get(session=session, principal=principal, person_id=person_id)
    set_etag(response, person.version)
    return public(person)


@router.patch(
    "/{person_id:uuid}",
    responses=problem_responses(404, 409),
    summary="Rectify a person's data: only the fields given change",
)
async def rectify_person(
    person_id: uuid.UUID,
    patch: PersonPatch,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatchDep,
    response: Response,
) -> PersonPublic:
    person = await service.rectify(
        session=session, principal=principal, person_id=person_id, if_match=if_match, patch=patch
    )
    set_etag(response, person.version)
    return public(person)


router.include_router(consents_router)
