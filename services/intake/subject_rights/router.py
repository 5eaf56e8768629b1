"""HTTP for subject rights and merges: export, erasure, confirm a duplicate pair, split."""

from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Response

from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, Creation, creates
from services.intake.access import Creating, Erasing, Writing
from services.intake.persons.merges import service as merges
from services.intake.persons.merges.schemas import ConfirmIn, MergePublic
from services.intake.persons.schemas import ErasureIn, PersonPublic
from services.intake.subject_rights import service
from services.intake.subject_rights.schemas import PersonExport

router = APIRouter(prefix="/v1/intake")
rights = APIRouter(prefix="/persons/{person_id}", tags=["persons"])
merging = APIRouter(tags=["duplicates"])


def merge_public(merge: merges.PersonMerge) -> MergePublic:
    return MergePublic.model_validate({**merge.model_dump(), "review_id": merge.candidate_id})


@rights.get(
    "/export",
    responses=NOT_FOUND,
    summary="Subject access export: everything intake holds about the person",
)
async def export_person(person_id: uuid.UUID, call: Writing) -> PersonExport:
    return await service.export(**call.by, person_id=person_id)


@rights.post(
    "/erasure",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Erase the person's identifying data (Comune coordinators only)",
)
async def erase_person(person_id: uuid.UUID, erasure: ErasureIn, change: Erasing) -> PersonPublic:
    person = await service.erase(**change.by, person_id=person_id, erasure=erasure)
    return change.etagged(person.version, PersonPublic.model_validate(person))


@merging.post(
    "/duplicate-reviews/{review_id}/confirm",
    **creates(MergePublic, 404, 409),
    summary="Confirm the pair is one person: merge them",
)
async def confirm_review(
    review_id: uuid.UUID, confirm_in: ConfirmIn, creation: Creating
) -> Response:
    merge = partial(_confirm, creation, review_id, confirm_in)
    return await creation.created(merge, location=lambda m: f"/v1/intake/person-merges/{m.id}")


async def _confirm(creation: Creation, review_id: uuid.UUID, confirm_in: ConfirmIn) -> MergePublic:
    merge = await service.confirm_merge(**creation.by, review_id=review_id, confirm_in=confirm_in)
    return merge_public(merge)


@merging.get("/person-merges/{merge_id}", responses=NOT_FOUND, summary="One merge, and what moved")
async def get_merge(merge_id: uuid.UUID, call: Writing) -> MergePublic:
    return merge_public(await merges.get_merge(call.session, call.principal, merge_id))


@merging.post(
    "/person-merges/{merge_id}/split",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Undo a wrong merge: both persons exist again, each with their own history",
)
async def split_merge(merge_id: uuid.UUID, call: Writing) -> MergePublic:
    merge = await service.split_merge(**call.by, merge_id=merge_id)
    return merge_public(merge)


router.include_router(rights)
router.include_router(merging)
