"""The offer expiry: live offers past their time end, and their seats pass to the next in
line (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.events.registrations import service

log = logging.getLogger(__name__)

BATCH = 50  # sessions per transaction: each is locked while its line moves


async def expire_offers(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """End every live offer past its time at `now` (default: the current time) and offer its
    seat to the next in line; one transaction per batch of sessions, safe to run repeatedly
    and concurrently. The offers ended."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        return await service.expire(session, now=moment, limit=limit)

    ended = await drain(database, batch, size=BATCH)
    if ended:
        log.info("offer expiry ended %d offers", len(ended))
    return ended


def expiry_job(interval: timedelta) -> PeriodicJob:
    return PeriodicJob("events-offer-expiry", interval, expire_offers)
