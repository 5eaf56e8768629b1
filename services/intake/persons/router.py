"""HTTP for persons: the registry and the duplicate search; their consents (consents.router).

Subject access, erasure, merges and splits span every feature: subject_rights.router.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, QueryDep, creates
from kit.schemas import OrganisationAlias, Timestamp
from services.intake.access import Changing, Creating, Reading, ReadingBirthDates, Writing
from services.intake.persons import service
from services.intake.persons.consents.router import router as consents_router
from services.intake.persons.domain import PersonStatus
from services.intake.persons.models import Person
from services.intake.persons.schemas import (
    BirthDatePublic,
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

ONE_PERSON = "/{person_id:uuid}"
"""`:uuid`: POST /match is a sibling, and PATCH /match must be a 405, not a person id (422)."""


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


async def registration(
    session: AsyncSession, principal: Principal, person_in: PersonCreate
) -> PersonCreated:
    """Register the person, and answer them with their candidates: in full those the
    caller may see, the others by score and reasons only."""
    person, candidates = await service.register(
        session=session, principal=principal, fields=person_in
    )
    visible = await service.visible_ids(session, principal, [c.person.id for c in candidates])
    return PersonCreated(person=public(person), candidates=candidates_public(candidates, visible))


@router.post(
    "",
    **creates(PersonCreated, 409),
    summary="Register a person; answers the persons who may be the same, best first",
)
async def create_person(person_in: PersonCreate, creation: Creating) -> Response:
    return await creation.created(
        partial(registration, creation.session, creation.principal, person_in),
        location=lambda r: f"{router.prefix}/{r.person.id}",
        version=lambda r: r.person.version,
    )


@router.post("/match", summary="Search for persons who may be this one, without registering anyone")
async def match_person(query: MatchIn, call: Writing) -> MatchResult:
    candidates, visible = await service.match(**call.by, query=service.facts_of_fields(query))
    return MatchResult(candidates=candidates_public(candidates, visible))


@dataclass
class PersonQuery:
    """Which persons a list shows (query parameters)."""

    status: PersonStatus | None = None
    organisation: Annotated[
        OrganisationAlias | None, Query(description="Registering organisation")
    ] = None
    created_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None
    created_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None

    def where(self) -> service.PersonFilter:
        return service.PersonFilter(
            status=self.status,
            registered_by_organisation=self.organisation,
            created_from=self.created_from,
            created_to=self.created_to,
        )


@router.get("", summary="List the persons visible to you, newest first")
async def list_persons(
    call: Reading, query: QueryDep[PersonQuery], page: PageParamsDep
) -> Page[PersonPublic]:
    found = await service.list_visible(**call.by, page=page, where=query.where())
    return found.map(public)


@router.get(
    ONE_PERSON,
    responses=NOT_FOUND,
    summary="One person (a merged record names its survivor in merged_into)",
)
async def get_person(person_id: uuid.UUID, call: Reading) -> PersonPublic:
    person = await service.get(**call.by, person_id=person_id)
    return call.etagged(person.version, public(person))


@router.patch(
    ONE_PERSON,
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Rectify a person's data: only the fields given change",
)
async def rectify_person(
    person_id: uuid.UUID, patch: PersonPatch, change: Changing
) -> PersonPublic:
    person = await service.rectify(**change.by, person_id=person_id, patch=patch)
    return change.etagged(person.version, public(person))


@router.get(
    f"{ONE_PERSON}/birth-date",
    responses=NOT_FOUND,
    summary="A person's birth date, for casework's minors' track (its service account only)",
)
async def get_birth_date(person_id: uuid.UUID, call: ReadingBirthDates) -> BirthDatePublic:
    person = await service.birth_date(**call.by, person_id=person_id)
    return call.etagged(
        person.version,
        BirthDatePublic.model_validate({**person.model_dump(), "person_ref": person.id}),
    )


router.include_router(consents_router)
