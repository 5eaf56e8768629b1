"""Casework's retention job (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.casework.retention import service

log = logging.getLogger(__name__)

BATCH = 200


async def sweep(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Anonymise every case due at `now` (default: the current time); one transaction per
    batch; safe to run repeatedly and concurrently. The ids anonymised."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        found = await service.anonymise_due(session=session, now=moment, limit=limit)
        return found.anonymised, found.seen

    done = await drain(database, batch, size=BATCH)
    if done:
        log.info("retention anonymised %d cases", len(done))
    return done


def retention_job(interval: timedelta) -> PeriodicJob:
    """The retention sweep, every `interval`."""
    return PeriodicJob("casework-retention", interval, sweep)
