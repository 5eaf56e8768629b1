"""HTTP for the duplicate review queue (confirming a pair merges it: subject_rights.router)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from services.intake.access import Writer
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
    session: SessionDep,
    principal: Writer,
    page: PageParamsDep,
    status: Annotated[ReviewStatus | None, Query()] = ReviewStatus.OPEN,
    person_id: Annotated[uuid.UUID | None, Query(description="Pairs with this person")] = None,
) -> Page[ReviewPublic]:
    found = await service.list_reviews(
        session=session, principal=principal, page=page, status=status, person_id=person_id
    )
    return found.map(review_public)


@router.get(
    "/duplicate-reviews/{review_id}",
    responses=problem_responses(404),
    summary="One pair in the review queue",
)
async def get_review(review_id: uuid.UUID, session: SessionDep, principal: Writer) -> ReviewPublic:
    return review_public(
        await service.get(session=session, principal=principal, review_id=review_id)
    )


@router.post(
    "/duplicate-reviews/{review_id}/dismiss",
    responses=problem_responses(404, 409),
    summary="Not the same person: dismiss the pair (it is not proposed again)",
)
async def dismiss_review(
    review_id: uuid.UUID, session: SessionDep, principal: Writer
) -> ReviewPublic:
    return review_public(
        await service.dismiss(session=session, principal=principal, review_id=review_id)
    )
