"""Casework's background work on cases: the review check (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.casework.cases import reviewing
from services.casework.cases.reviews import BreachKey

log = logging.getLogger(__name__)

BATCH = 500


async def check_reviews(database: Database, *, now: datetime | None = None) -> list[BreachKey]:
    """Raise every review missed at `now` (default: the current time) not raised before; one
    transaction per batch of cases, safe to run repeatedly and concurrently."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[BreachKey], int]:
        found = await reviewing.raise_overdue(session=session, now=moment, limit=limit)
        return found.raised, found.seen

    raised = await drain(database, batch, size=BATCH)
    if raised:
        log.info("review check raised %d missed reviews", len(raised))
    return raised


def review_check_job(interval: timedelta) -> PeriodicJob:
    """The review check, every `interval`."""
    return PeriodicJob("casework-review-check", interval, check_reviews)
