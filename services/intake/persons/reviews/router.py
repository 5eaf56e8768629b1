"""HTTP for the duplicate review queue (confirming a pair merges it: subject_rights.router)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT
from services.intake.access import Writing
from services.intake.persons.matching import DEFAULT_THRESHOLD
from services.intake.persons.reviews import service
from services.intake.persons.reviews.models import DuplicateCandidate
from services.intake.persons.reviews.schemas import ReviewPublic, ReviewStatus
from services.intake.persons.schemas import MatchBand

router = APIRouter(prefix="/v1/intake", tags=["duplicates"])


def review_public(review: DuplicateCandidate) -> ReviewPublic:
    data: dict[str, Any] = review.model_dump()
    data["band"] = MatchBand.LIKELY if review.score >= DEFAULT_THRESHOLD else MatchBand.POSSIBLE
    return ReviewPublic.model_validate(data)


@router.get(
    "/duplicate-reviews",
    summary="The duplicate review queue: pairs you can see both of, newest first",
)
async def list_reviews(
    call: Writing,
    page: PageParamsDep,
    status: Annotated[ReviewStatus | None, Query()] = ReviewStatus.OPEN,
    person_id: Annotated[uuid.UUID | None, Query(description="Pairs with this person")] = None,
) -> Page[ReviewPublic]:
    found = await service.list_reviews(**call.by, page=page, status=status, person_id=person_id)
    return found.map(review_public)


@router.get(
    "/duplicate-reviews/{review_id}", responses=NOT_FOUND, summary="One pair in the review queue"
)
async def get_review(review_id: uuid.UUID, call: Writing) -> ReviewPublic:
    return review_public(await service.get(**call.by, review_id=review_id))


@router.post(
    "/duplicate-reviews/{review_id}/dismiss",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Not the same person: dismiss the pair (it is not proposed again)",
)
async def dismiss_review(review_id: uuid.UUID, call: Writing) -> ReviewPublic:
    return review_public(await service.dismiss(**call.by, review_id=review_id))
