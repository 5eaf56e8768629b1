"""The duplicate review queue: pairs that may be the same person, until an operator decides.
Never commits.

A pair is queued once (in either order); a later search that scores it again refreshes the
score while the pair is still open. Only a reviewer who sees both persons sees the pair
(coordinators see all), so the queue leaks no one across organisations.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import asdict
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound
from kit.pagination import Page, PageParams
from services.intake.persons.candidates import Candidate
from services.intake.persons.models import Person
from services.intake.persons.reviews import repository
from services.intake.persons.reviews.domain import ReviewStatus
from services.intake.persons.reviews.models import DuplicateCandidate
from services.intake.visibility import VisibleLookup

REVIEWS = AuditScope("duplicate_review", AuditPurpose.DUPLICATE_RESOLUTION)


class ReviewNotFound(
    NotFound, slug="duplicate-review-not-found", title="Duplicate review not found"
): ...


get_review = VisibleLookup(repository.get_reviewable, ReviewNotFound, "duplicate review").get
"""The pair ``principal`` may review (``for_update``: locked), or ReviewNotFound."""


class ReviewDecided(
    Conflict, slug="duplicate-review-decided", title="The pair was already decided"
): ...


async def keep(
    session: AsyncSession, principal: Principal, person: Person, candidates: Sequence[Candidate]
) -> None:
    """Queue each candidate pair with ``person`` not queued before; refresh open ones."""
    if not candidates:
        return
    existing = await repository.pairs_with(session, person.id, [c.person.id for c in candidates])
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


async def list_reviews(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    status: ReviewStatus | None,
    person_id: uuid.UUID | None,
) -> Page[DuplicateCandidate]:
    """The pairs ``principal`` may review, newest first (the reads are audited)."""
    where = repository.ReviewFilter(status=status, person_id=person_id)
    return await REVIEWS.listed(
        session, principal, await repository.list_reviewable(session, principal, page, where=where)
    )


async def get(
    *, session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> DuplicateCandidate:
    """One pair ``principal`` may review (the read is audited)."""
    return await REVIEWS.read(session, principal, await get_review(session, principal, review_id))


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
    *, session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> DuplicateCandidate:
    """Not the same person: the pair stays recorded as dismissed, and is not queued again."""
    review = await get_review(session, principal, review_id, for_update=True)
    decide(review, principal, ReviewStatus.DISMISSED)
    await session.flush()
    return review


async def retire(session: AsyncSession, person_ids: Collection[uuid.UUID]) -> None:
    """Open pairs involving these persons (erased, or merged away) can no longer be decided."""
    for review in await repository.involving(session, person_ids, status=ReviewStatus.OPEN):
        review.status = ReviewStatus.OBSOLETE
    await session.flush()


# --- what the review queue holds about a person (subject rights) ----------------------------

erase_for = retire
"""Erasure: the open pairs of the erased persons become obsolete."""


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: the pairs involving these persons, as JSON values."""
    return [
        r.model_dump(
            mode="json", include={"id", "person_id", "candidate_id", "score", "status", "found_at"}
        )
        for r in await repository.involving(session, person_ids)
    ]
