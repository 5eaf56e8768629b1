"""The duplicate review queue: pairs that may be the same person, until an operator decides.

A pair is queued once (in either order); a later search that scores it again refreshes the
score while the pair is still open. Only a reviewer who sees both persons sees the pair
(coordinators see all), so the queue leaks no one across organisations.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound
from kit.pagination import Page, PageParams, paginate
from services.intake.persons import repository
from services.intake.persons.models import DuplicateCandidate, Person

if TYPE_CHECKING:
    from services.intake.persons.service import Candidate


class ReviewStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # the same person: merged
    DISMISSED = "dismissed"  # not the same person
    OBSOLETE = "obsolete"  # one of the two was erased or merged elsewhere before review


class ReviewNotFound(NotFound):
    slug = "duplicate-review-not-found"
    title = "Duplicate review not found"


class ReviewDecided(Conflict):
    slug = "duplicate-review-decided"
    title = "The pair was already decided"


async def keep(
    session: AsyncSession, principal: Principal, person: Person, candidates: Sequence[Candidate]
) -> None:
    """Queue each candidate pair with ``person`` not queued before; refresh open ones."""
    if not candidates:
        return
    others = [c.person.id for c in candidates]
    stmt = select(DuplicateCandidate).where(
        or_(
            and_(
                col(DuplicateCandidate.person_id) == person.id,
                col(DuplicateCandidate.candidate_id).in_(others),
            ),
            and_(
                col(DuplicateCandidate.candidate_id) == person.id,
                col(DuplicateCandidate.person_id).in_(others),
            ),
        )
    )
    existing = {
        (r.candidate_id if r.person_id == person.id else r.person_id): r
        for r in await session.exec(stmt)
    }
    now = utcnow()
    for candidate in candidates:
        reasons = [asdict(r) for r in candidate.match.reasons]
        row = existing.get(candidate.person.id)
        if row is None:
            session.add(
                DuplicateCandidate(
                    person_id=person.id,
                    candidate_id=candidate.person.id,
                    score=candidate.match.score,
                    reasons=reasons,
                    status=ReviewStatus.OPEN,
                    found_at=now,
                    found_by_organisation=principal.organisation,
                )
            )
        elif row.status == ReviewStatus.OPEN:
            row.score, row.reasons = candidate.match.score, reasons
    await session.flush()


def _reviewable(principal: Principal) -> list[object]:
    clause = repository.visible_clause(principal)
    if clause is None:
        return []
    visible = select(Person.id).where(clause)
    return [
        col(DuplicateCandidate.person_id).in_(visible),
        col(DuplicateCandidate.candidate_id).in_(visible),
    ]


async def list_reviews(
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    *,
    status: ReviewStatus | None,
    person_id: uuid.UUID | None,
) -> Page[DuplicateCandidate]:
    stmt = select(DuplicateCandidate).where(*_reviewable(principal))  # type: ignore[arg-type]
    if status is not None:
        stmt = stmt.where(DuplicateCandidate.status == status)
    if person_id is not None:
        stmt = stmt.where(
            or_(
                col(DuplicateCandidate.person_id) == person_id,
                col(DuplicateCandidate.candidate_id) == person_id,
            )
        )
    return await paginate(
        session,
        stmt,
        page,
        order_by=(DuplicateCandidate.found_at, DuplicateCandidate.id),
        descending=True,
    )


async def get_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, *, for_update: bool = False
) -> DuplicateCandidate:
    stmt = select(DuplicateCandidate).where(
        DuplicateCandidate.id == review_id,
        *_reviewable(principal),  # type: ignore[arg-type]
    )
    if for_update:
        stmt = stmt.with_for_update()
    review = (await session.exec(stmt)).first()
    if review is None:
        raise ReviewNotFound(f"No duplicate review {review_id} visible to you.")
    return review


def decide(
    review: DuplicateCandidate,
    principal: Principal,
    status: ReviewStatus,
    *,
    was: ReviewStatus = ReviewStatus.OPEN,
) -> None:
    """Record ``principal``'s decision on the pair, which must be ``was`` (409 otherwise)."""
    if review.status != was:
        raise ReviewDecided(f"Duplicate review {review.id} is already {review.status}.")
    review.status = status
    review.decided_by = principal.subject
    review.decided_by_organisation = principal.organisation
    review.decided_at = utcnow()


async def dismiss(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> DuplicateCandidate:
    """Not the same person: the pair stays recorded as dismissed, and is not queued again."""
    review = await get_review(session, principal, review_id, for_update=True)
    decide(review, principal, ReviewStatus.DISMISSED)
    await session.flush()
    return review


async def retire(session: AsyncSession, person_ids: Sequence[uuid.UUID]) -> None:
    """Open pairs involving these persons (just erased) can no longer be decided."""
    stmt = select(DuplicateCandidate).where(
        DuplicateCandidate.status == ReviewStatus.OPEN,
        or_(
            col(DuplicateCandidate.person_id).in_(person_ids),
            col(DuplicateCandidate.candidate_id).in_(person_ids),
        ),
    )
    for review in await session.exec(stmt):
        review.status = ReviewStatus.OBSOLETE
    await session.flush()
