"""The proposal expiry: live proposals past their time end and free their beds (a
`kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.housing.requests.proposals import service

log = logging.getLogger(__name__)

BATCH = 200


async def expire_proposals(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """End every live proposal past its time at `now` (default: the current time); one
    transaction per batch, safe to run repeatedly and concurrently (rows locked are skipped)."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        ended = await service.expire(session, now=moment, limit=limit)
        return ended, len(ended)

    ended = await drain(database, batch, size=BATCH)
    if ended:
        log.info("proposal expiry ended %d proposals", len(ended))
    return ended


def expiry_job(interval: timedelta) -> PeriodicJob:
    return PeriodicJob("housing-proposal-expiry", interval, expire_proposals)
