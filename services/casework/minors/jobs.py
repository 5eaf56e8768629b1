"""Casework's background work on the minors' track (`kit.jobs.PeriodicJob`s): keeping the
minors' birth dates from intake, and the transition at 18."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database, utcnow
from kit.jobs import PeriodicJob, drain
from services.casework.minors import transitions
from services.casework.minors.intake import BirthDateClient

log = logging.getLogger(__name__)

BATCH = 100
"""Birth dates read per round trip of transactions (and cases per transition batch)."""


async def sync_birth_dates(
    database: Database, client: BirthDateClient, *, now: datetime | None = None
) -> list[uuid.UUID]:
    """Read from intake every birth date casework lacks or holds behind, at `now` (default:
    the current time): one short transaction to pick them, the reads outside any, one to
    store them. The persons whose birth date was stored."""
    moment = now or utcnow()
    stored: list[uuid.UUID] = []
    retried = 0
    async with client.http() as http:
        while True:
            async with database.session() as session:
                due = await transitions.due_birth_dates(session, moment, limit=BATCH)
            if not due:
                break
            answers = [await transitions.read(client, http, ref) for ref in due]
            async with database.session() as session:
                for answer in answers:
                    if await transitions.store(session, answer, moment):
                        stored.append(answer.person_ref)
                    else:
                        retried += 1
            if len(due) < BATCH:
                break
    if stored or retried:
        log.info("birth dates: %d read from intake, %d to retry", len(stored), retried)
    return stored


async def check_transitions(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Open the transition plans due at `now` (default: the current time), then raise the
    turns of 18; one transaction per batch, safe to run repeatedly and concurrently. The ids
    of the cases acted on (plans opened, then turns raised)."""
    moment = now or utcnow()

    async def opening(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        step = await transitions.open_plans(session, now=moment, limit=limit)
        return step.done, step.seen

    async def turning(session: AsyncSession, limit: int) -> tuple[list[uuid.UUID], int]:
        step = await transitions.raise_turning_18(session, now=moment, limit=limit)
        return step.done, step.seen

    opened = await drain(database, opening, size=BATCH)
    raised = await drain(database, turning, size=BATCH)
    if opened or raised:
        log.info("transitions: %d plans opened, %d turns of 18 raised", len(opened), len(raised))
    return [*opened, *raised]


def birth_date_job(interval: timedelta, client: BirthDateClient) -> PeriodicJob:
    """The birth-date reads, every `interval`."""
    return PeriodicJob(
        "casework-minors-birth-dates", interval, partial(sync_birth_dates, client=client)
    )


def transition_job(interval: timedelta) -> PeriodicJob:
    """The transition check, every `interval`."""
    return PeriodicJob("casework-minors-transitions", interval, check_transitions)
