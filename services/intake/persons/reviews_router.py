"""HTTP for the duplicate review queue, merges and splits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from kit.audit import AuditAction, AuditPurpose, record_accesses
from kit.auth import Principal
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.schemas import Id, PublicModel
from services.intake.access import Writer
from services.intake.persons import duplicates, merging
from services.intake.persons.duplicates import ReviewStatus
from services.intake.persons.matching import DEFAULT_THRESHOLD
from services.intake.persons.merging import ConfirmIn
from services.intake.persons.models import DuplicateCandidate, PersonMerge
from services.intake.persons.schemas import MatchBand, ReasonPublic

router = APIRouter(prefix="/v1/intake", tags=["duplicates"])


class ReviewPublic(PublicModel):
    id: Id
    person_id: Id
    candidate_id: Id
    score: float
    band: MatchBand
    reasons: list[ReasonPublic]
    status: ReviewStatus
    found_at: datetime
    found_by_organisation: str
    decided_by: str | None = Field(description="The deciding account (Keycloak subject id)")
    decided_by_organisation: str | None
    decided_at: datetime | None


class MergePublic(PublicModel):
    id: Id
    survivor_id: Id
    merged_id: Id
    review_id: Id | None
    moved: dict[str, list[str]]
    merged_by: str = Field(description="The merging account (Keycloak subject id)")
    merged_by_organisation: str
    merged_at: datetime
    split_by: str | None
    split_at: datetime | None


def review_public(review: DuplicateCandidate) -> ReviewPublic:
    data: dict[str, Any] = review.model_dump()
    data["band"] = MatchBand.LIKELY if review.score >= DEFAULT_THRESHOLD else MatchBand.POSSIBLE
    return ReviewPublic.model_validate(data)


def merge_public(merge: PersonMerge) -> MergePublic:
    return MergePublic.model_validate({**merge.model_dump(), "review_id": merge.candidate_id})


async def _audit(
    session: SessionDep, principal: Principal, reviews: list[DuplicateCandidate]
) -> None:
    await record_accesses(
        session,
        principal,
        action=AuditAction.READ,
        resource_type="duplicate_review",
        resource_ids=[r.id for r in reviews],
        purpose=AuditPurpose.DUPLICATE_RESOLUTION,
    )


@router.get(
    "/duplicate-reviews",
    response_model=Page[ReviewPublic],
    responses=problem_responses(400, 401, 403),
    summary="The duplicate review queue: pairs you can see both of, newest first",
)
async def list_reviews(
    session: SessionDep,
    principal: Writer,
    page: PageParamsDep,
    status: Annotated[ReviewStatus | None, Query()] = ReviewStatus.OPEN,
    person_id: Annotated[uuid.UUID | None, Query(description="Pairs with this person")] = None,
) -> Page[ReviewPublic]:
    found = await duplicates.list_reviews(
        session, principal, page, status=status, person_id=person_id
    )
    await _audit(session, principal, found.items)
    return found.map(review_public)


@router.get(
    "/duplicate-reviews/{review_id}",
    response_model=ReviewPublic,
    responses=problem_responses(401, 403, 404),
    summary="One pair in the review queue",
)
async def get_review(review_id: uuid.UUID, session: SessionDep, principal: Writer) -> ReviewPublic:
    review = await duplicates.get_review(session, principal, review_id)
    await _audit(session, principal, [review])
    return review_public(review)


@router.post(
    "/duplicate-reviews/{review_id}/confirm",
    status_code=201,
    response_model=MergePublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Confirm the pair is one person: merge them",
)
async def confirm_review(
    review_id: uuid.UUID, confirm_in: ConfirmIn, session: SessionDep, principal: Writer
) -> MergePublic:
    merge = await merging.confirm(
        session=session, principal=principal, review_id=review_id, confirm_in=confirm_in
    )
    return merge_public(merge)


@router.post(
    "/duplicate-reviews/{review_id}/dismiss",
    response_model=ReviewPublic,
    responses=problem_responses(401, 403, 404, 409),
    summary="Not the same person: dismiss the pair (it is not proposed again)",
)
async def dismiss_review(
    review_id: uuid.UUID, session: SessionDep, principal: Writer
) -> ReviewPublic:
    return review_public(await duplicates.dismiss(session, principal, review_id))


@router.get(
    "/person-merges/{merge_id}",
    response_model=MergePublic,
    responses=problem_responses(401, 403, 404),
    summary="One merge, and what moved",
)
async def get_merge(merge_id: uuid.UUID, session: SessionDep, principal: Writer) -> MergePublic:
    return merge_public(await merging.get_merge(session, principal, merge_id))


@router.post(
    "/person-merges/{merge_id}/split",
    response_model=MergePublic,
    responses=problem_responses(401, 403, 404, 409),
    summary="Undo a wrong merge: both persons exist again, each with their own history",
)
async def split_merge(merge_id: uuid.UUID, session: SessionDep, principal: Writer) -> MergePublic:
    return merge_public(
        await merging.split(session=session, principal=principal, merge_id=merge_id)
    )
