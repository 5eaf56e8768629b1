"""Casework's background work on cases: the review check (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob
from services.casework.cases import reviewing
from services.casework.cases.reviews import BreachKey

log = logging.getLogger(__name__)

BATCH = 500


async def check_reviews(database: Database, *, now: datetime | None = None) -> list[BreachKey]:
    """Raise every review missed at `now` (default: the current time) not raised before; one
    transaction per batch of cases, safe to run repeatedly and concurrently."""
    moment = now or utcnow()
    raised: list[BreachKey] = []
    while True:
        async with database.session() as session:
            batch = await reviewing.raise_overdue(session=session, now=moment, limit=BATCH)
        raised += batch.raised
        # a full batch with nothing new was raised by a concurrent check: next run goes on
        if batch.seen < BATCH or not batch.raised:
            break
    if raised:
        log.info("review check raised %d missed reviews", len(raised))
    return raised


def review_check_job(interval: timedelta) -> PeriodicJob:
    """The review check, every `interval`."""

    async def run(database: Database) -> None:
        await check_reviews(database)

    return PeriodicJob("casework-review-check", interval, run)
