"""The stay check: a household still there after its facility's maximum stay is alerted once
(``placement.over_stay``; a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.housing.placements import service

log = logging.getLogger(__name__)

BATCH = 200


async def check_stays(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Alert every placement over stay on `now`'s day (default: the current time) not alerted
    before; one transaction per batch, safe to run repeatedly and concurrently (rows locked
    are skipped)."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        found = await service.alert_over_stays(session, now=moment, limit=limit)
        return found.alerted, found.seen

    alerted = await drain(database, batch, size=BATCH)
    if alerted:
        log.info("stay check alerted %d placements over stay", len(alerted))
    return alerted


def stay_check_job(interval: timedelta) -> PeriodicJob:
    """The stay check, every `interval`."""
    return PeriodicJob("housing-stay-check", interval, check_stays)
