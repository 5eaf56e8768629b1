"""The referral check: late answers raised once (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.casework.referrals import service

log = logging.getLogger(__name__)

BATCH = 500


async def check_referrals(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Raise every referral answer late at `now` (default: the current time) not raised
    before; one transaction per batch, safe to run repeatedly and concurrently."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        found = await service.raise_overdue(session=session, now=moment, limit=limit)
        return found.raised, found.seen

    raised = await drain(database, batch, size=BATCH)
    if raised:
        log.info("referral check raised %d late answers", len(raised))
    return raised


def referral_check_job(interval: timedelta) -> PeriodicJob:
    """The referral check, every `interval`."""
    return PeriodicJob("casework-referral-check", interval, check_referrals)
