"""Review use cases: record a periodic review, list them, raise the missed ones once.
Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import ValidationFailed
from services.casework.cases import repository, reviews, service
from services.casework.cases.events import ReviewOverdue, ReviewRecorded
from services.casework.cases.models import Case, CaseReview
from services.casework.cases.schemas import ReviewIn


async def record(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    review_in: ReviewIn,
) -> tuple[Case, CaseReview]:
    """The team's review of the case's plan; the next one falls due a cadence later."""
    case = await service.for_change(session, principal, case_id, if_match)
    service.require_running(case, "reviewed")
    now = utcnow()
    reviewed_at = review_in.reviewed_at or now
    since = case.last_review_at or case.reopened_at or case.opened_at
    if not since <= reviewed_at <= now:
        raise ValidationFailed.for_field(
            "reviewed_at",
            "must lie between the previous review (or the opening) and now",
            code="out_of_cycle",
        )
    case.reviews_done += 1
    review = CaseReview(
        case_id=case.id,
        cycle=case.reviews_done,
        reviewed_at=reviewed_at,
        outcome=review_in.outcome,
        summary=review_in.summary,
        reviewed_by=principal.subject,
        recorded_at=now,
    )
    session.add(review)
    case.last_review_at = reviewed_at
    await service.schedule_review(session, case, reviewed_at)
    await service.save_change(session, principal, case, now)
    await service.publish(
        session,
        ReviewRecorded,
        case,
        case_id=case.id,
        cycle=review.cycle,
        outcome=review.outcome,
        reviewed_at=reviewed_at,
    )
    return case, review


async def reviews_of(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[CaseReview]:
    """The case's reviews, first first (the read of the case is audited)."""
    case = await service.get(session=session, principal=principal, case_id=case_id)
    return await repository.reviews_of(session, case.id)


@dataclass(frozen=True)
class ReviewCheck:
    """One batch of the review check: the (case, cycle) raised, and how many cases were seen."""

    raised: list[reviews.BreachKey]
    seen: int


async def raise_overdue(*, session: AsyncSession, now: datetime, limit: int) -> ReviewCheck:
    """Raise ``lgnet.casework.review.overdue`` for each missed review not raised before.

    Each is claimed in ``review_breaches`` (primary key: case, cycle) in the transaction of
    its outbox event, so repeated or concurrent checks raise it exactly once. Looks at up to
    `limit` cases; call again while `ReviewCheck.seen` equals `limit`.
    """
    raised: list[reviews.BreachKey] = []
    late = await repository.unraised_overdue(session, now, limit=limit)
    for case in late:
        cycle, due = case.reviews_done + 1, case.next_review_due_at
        if due is None or not await repository.claim_review_breach(
            session, case.id, cycle, due, utcnow()
        ):
            continue  # another check raised it first
        await service.publish(
            session, ReviewOverdue, case, case_id=case.id, cycle=cycle, due_at=due
        )
        raised.append(reviews.BreachKey(case.id, cycle))
    return ReviewCheck(raised=raised, seen=len(late))
