"""The retention job: public registrants erased once the period after their session, or
their registration, ended (a `kit.jobs.PeriodicJob`)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.events.erasure import service

log = logging.getLogger(__name__)

BATCH = 200


async def erase_expired(
    database: Database, *, retention: timedelta, now: datetime | None = None
) -> list[uuid.UUID]:
    """Erase every public registrant `retention` past their end at `now` (default: the
    current time); one transaction per batch, safe to run repeatedly and concurrently (rows
    another run holds are skipped). The registrations erased."""
    moment = now or utcnow()

    async def batch(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        return await service.erase_expired(
            session=session, now=moment, retention=retention, limit=limit
        )

    erased = await drain(database, batch, size=BATCH)
    if erased:
        log.info("retention erased %d public registrants", len(erased))
    return erased


def retention_job(interval: timedelta, retention: timedelta) -> PeriodicJob:
    return PeriodicJob(
        "events-registrant-retention", interval, partial(erase_expired, retention=retention)
    )
