"""HTTP for subject rights and merges: export, erasure, confirm a duplicate pair, split."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import IfMatchDep, set_etag
from services.intake.access import Coordinator, Writer
from services.intake.persons.merges import service as merges
from services.intake.persons.merges.schemas import ConfirmIn, MergePublic
from services.intake.persons.schemas import ErasureIn, PersonPublic
from services.intake.subject_rights import service
from services.intake.subject_rights.schemas import PersonExport

router = APIRouter(prefix="/v1/intake")


def merge_public(merge: merges.PersonMerge) -> MergePublic:
    return MergePublic.model_validate({**merge.model_dump(), "review_id": merge.candidate_id})


@router.get(
    "/persons/{person_id}/export",
    tags=["persons"],
    responses=problem_responses(404),
    summary="Subject access export: everything intake holds about the person",
)
async def export_person(
    person_id: uuid.UUID, session: SessionDep, principal: Writer
) -> PersonExport:
    return await service.export(session=session, principal=principal, person_id=person_id)


@router.post(
    "/persons/{person_id}/erasure",
    tags=["persons"],
    responses=problem_responses(404, 409),
    summary="Erase the person's identifying data (Comune coordinators only)",
)
async def erase_person(
    person_id: uuid.UUID,
    erasure: ErasureIn,
    session: SessionDep,
    principal: Coordinator,
    if_match: IfMatchDep,
    response: Response,
) -> PersonPublic:
    person = await service.erase(
        session=session,
        principal=principal,
        person_id=person_id,
        erasure=erasure,
        if_match=if_match,
    )
    set_etag(response, person.version)
    return PersonPublic.model_validate(person)


@router.post(
    "/duplicate-reviews/{review_id}/confirm",
    tags=["duplicates"],
    status_code=201,
    responses=problem_responses(404, 409),
    summary="Confirm the pair is one person: merge them",
)
async def confirm_review(
    review_id: uuid.UUID, confirm_in: ConfirmIn, session: SessionDep, principal: Writer
) -> MergePublic:
    merge = await service.confirm_merge(
        session=session, principal=principal, review_id=review_id, confirm_in=confirm_in
    )
    return merge_public(merge)


@router.get(
    "/person-merges/{merge_id}",
    tags=["duplicates"],
    responses=problem_responses(404),
    summary="One merge, and what moved",
)
async def get_merge(merge_id: uuid.UUID, session: SessionDep, principal: Writer) -> MergePublic:
    return merge_public(await merges.get_merge(session, principal, merge_id))


@router.post(
    "/person-merges/{merge_id}/split",
    tags=["duplicates"],
    responses=problem_responses(404, 409),
    summary="Undo a wrong merge: both persons exist again, each with their own history",
)
async def split_merge(merge_id: uuid.UUID, session: SessionDep, principal: Writer) -> MergePublic:
    return merge_public(
        await service.split_merge(session=session, principal=principal, merge_id=merge_id)
    )
