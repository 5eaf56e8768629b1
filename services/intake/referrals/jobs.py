"""Intake's background work on referrals: the SLA check (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.intake.referrals import service
from services.intake.referrals.sla import Breach

log = logging.getLogger(__name__)

BATCH = 500


async def check_sla(database: Database, *, now: datetime | None = None) -> list[Breach]:
    """Raise every SLA breach at `now` (default: the current time) not raised before.

    One transaction per batch of referrals; safe to run repeatedly and concurrently (each
    breach is raised once, see `service.raise_sla_breaches`).  Returns the breaches raised.
    """
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[Breach], int]:
        found = await service.raise_sla_breaches(session=session, now=moment, limit=limit)
        return found.raised, found.seen

    raised = await drain(database, batch, size=BATCH)
    if raised:
        log.info("sla check raised %d breaches", len(raised))
    return raised


def sla_check_job(interval: timedelta) -> PeriodicJob:
    """The SLA check, every `interval`."""

    async def run(database: Database) -> None:
        await check_sla(database)

    return PeriodicJob("intake-sla-check", interval, run)
