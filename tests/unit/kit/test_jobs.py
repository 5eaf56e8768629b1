"""Periodic jobs run again and again, survive their own failures, and stop cleanly."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from kit.db import Database
from kit.jobs import JobRunner, PeriodicJob, run_once
from kit.service import ServiceSpec, create_service
from kit.settings import CommonSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[3]


class JobsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_JOBSTEST_", extra="ignore")
    service_name: ClassVar[str] = "jobstest"


TICK = timedelta(milliseconds=10)


class Runs:
    """Counts a job's runs; `reached(n)` waits until it ran `n` times."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Condition()

    async def tick(self) -> None:
        async with self._changed:
            self.count += 1
            self._changed.notify_all()

    async def reached(self, n: int, within: float = 5) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: self.count >= n)


async def test_a_job_runs_at_start_and_then_every_interval(database: Database) -> None:
    seen: list[Database] = []
    runs = Runs()

    async def run(db: Database) -> None:
        seen.append(db)
        await runs.tick()

    runner = JobRunner([PeriodicJob("count", TICK, run)], database)
    runner.start()
    try:
        await runs.reached(3)
    finally:
        await runner.stop()
    assert all(db is database for db in seen)
    after_stop = runs.count
    await asyncio.sleep(5 * TICK.total_seconds())
    assert runs.count == after_stop  # stopped means stopped


async def test_a_failing_run_is_logged_without_its_message_and_retried(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    runs = Runs()

    async def flaky(_db: Database) -> None:
        await runs.tick()
        if runs.count == 1:
            raise RuntimeError("person Mario Rossi not found")  # data must not reach the log

    runner = JobRunner([PeriodicJob("flaky", TICK, flaky)], database)
    with caplog.at_level(logging.ERROR, logger="kit.jobs"):
        runner.start()
        try:
            await runs.reached(3)
        finally:
            await runner.stop()
    failures = [r for r in caplog.records if r.name == "kit.jobs"]
    assert len(failures) == 1
    message = failures[0].getMessage()
    assert "flaky" in message
    assert "RuntimeError" in message
    assert "Rossi" not in message
    assert failures[0].exc_info is None


async def test_stop_cancels_a_run_in_progress(database: Database) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow(_db: Database) -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    runner = JobRunner([PeriodicJob("slow", timedelta(hours=1), slow)], database)
    runner.start()
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(runner.stop(), 5)
    assert cancelled.is_set()


async def test_one_failing_job_does_not_stop_another(database: Database) -> None:
    good = Runs()

    async def broken(_db: Database) -> None:
        raise ValueError("always")

    async def fine(_db: Database) -> None:
        await good.tick()

    runner = JobRunner(
        [PeriodicJob("broken", TICK, broken), PeriodicJob("fine", TICK, fine)], database
    )
    runner.start()
    try:
        await good.reached(3)
    finally:
        await runner.stop()


async def test_run_once_reports_the_outcome(database: Database) -> None:
    async def ok(_db: Database) -> None:
        return None

    async def boom(_db: Database) -> None:
        raise KeyError("x")

    assert await run_once(PeriodicJob("ok", TICK, ok), database) is True
    assert await run_once(PeriodicJob("boom", TICK, boom), database) is False


def test_a_job_needs_a_positive_interval_and_a_unique_name(database: Database) -> None:
    async def noop(_db: Database) -> None:
        return None

    with pytest.raises(ValueError, match="positive"):
        PeriodicJob("zero", timedelta(0), noop)
    with pytest.raises(ValueError, match="unique"):
        JobRunner([PeriodicJob("a", TICK, noop), PeriodicJob("a", TICK, noop)], database)


async def test_a_service_runs_its_jobs_between_start_and_shutdown(tmp_path: Path) -> None:
    runs = Runs()
    databases: list[Database] = []

    async def job(db: Database) -> None:
        databases.append(db)
        await runs.tick()

    settings = JobsSettings(
        database_url=f"sqlite:///{tmp_path}/service.db",
        # nothing listens there: the service starts anyway and keeps retrying Kafka
        common=CommonSettings(kafka_bootstrap_servers="127.0.0.1:9", environment="test"),
    )
    app = create_service(
        ServiceSpec(
            settings=settings,
            title="jobs",
            description="a service with a job",
            routers=[],
            migrations=ROOT / "services" / "intake" / "migrations",  # any service's will do
            jobs=[PeriodicJob("tick", TICK, job)],
        )
    )
    async with app.router.lifespan_context(app):
        await runs.reached(2)
        assert databases[0] is app.state.database
    stopped_at = runs.count
    await asyncio.sleep(5 * TICK.total_seconds())
    assert runs.count == stopped_at
