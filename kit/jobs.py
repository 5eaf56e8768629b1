"""Periodic jobs: work a service does in the background every so often (SLA checks, sweeps).

A service declares its jobs on its `kit.service.ServiceSpec`; `create_service` starts them
once migrations ran and the relay is up, and cancels them at shutdown::

    ServiceSpec(..., jobs=[PeriodicJob("sla-check", timedelta(seconds=60), check_sla)])

    async def check_sla(database: Database) -> None:
        async with database.session() as session:    # the one commit point
            ...

A job runs once at start, then ``interval`` after the end of each run (runs of one job never
overlap in a process).  A run that raises is logged — the job's name and the exception's
type, never its message, which may carry data — counted in
``lgnet_job_runs_total{outcome="failed"}``, and the job runs again at the next interval: a
failing job never stops the service.  Several replicas may run the same job at the same time,
so a job must be safe to run concurrently (e.g. a primary key that refuses a second write).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from prometheus_client import Counter
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.aio import cancel_and_wait
from kit.db import Database

T = TypeVar("T")

__all__ = ["JobRunner", "PeriodicJob", "run_periodically"]

log = logging.getLogger(__name__)

JOB_RUNS = Counter("lgnet_job_runs_total", "Runs of periodic jobs", ["job", "outcome"])


@dataclass(frozen=True)
class PeriodicJob:
    """A job: its `name` (for logs and metrics), its `interval`, and what it `run`s."""

    name: str
    interval: timedelta
    run: Callable[[Database], Awaitable[object]]

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError(f"interval of job {self.name!r} must be positive")


async def run_once(job: PeriodicJob, database: Database) -> bool:
    """Run `job` once; a failure is logged and counted, not raised. True if it succeeded."""
    try:
        await job.run(database)
    except Exception as exc:
        JOB_RUNS.labels(job.name, "failed").inc()
        log.error(
            "job %s failed (%s); next run in %ss",
            job.name,
            type(exc).__name__,
            job.interval.total_seconds(),
        )
        return False
    JOB_RUNS.labels(job.name, "succeeded").inc()
    return True


async def run_periodically(job: PeriodicJob, database: Database) -> None:
    """Run `job` now and then every `interval` after each run ends, until cancelled."""
    while True:
        await run_once(job, database)
        await asyncio.sleep(job.interval.total_seconds())


class JobRunner:
    """The tasks running a service's jobs: `start` them, `stop` cancels and awaits them."""

    def __init__(self, jobs: Sequence[PeriodicJob], database: Database) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError("job names must be unique")
        self.jobs = list(jobs)
        self.database = database
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start one task per job (call inside the running event loop)."""
        for job in self.jobs:
            task = asyncio.create_task(run_periodically(job, self.database), name=f"job-{job.name}")
            self._tasks.append(task)

    async def stop(self) -> None:
        """Cancel every job and wait until it stopped (a run in progress is rolled back)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            await cancel_and_wait(task)


async def drain(
    database: Database,
    batch: Callable[[AsyncSession, int], Awaitable[tuple[list[T], int]]],
    *,
    size: int,
) -> list[T]:
    """Run `batch` (what it did, and how many rows it looked at, up to `size`) in one
    transaction after another until it looks at fewer than `size` rows, or does nothing in a
    full batch (a concurrent run did that work first: the next run goes on). What was done."""
    done: list[T] = []
    while True:
        async with database.session() as session:
            did, seen = await batch(session, size)
        done += did
        if seen < size or not did:
            return done
