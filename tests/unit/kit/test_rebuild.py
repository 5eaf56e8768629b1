"""The rebuild's progress line (share, counts, rate and time left), and how it shares the
subscriptions out among processes."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import ClassVar

import pytest
from aiokafka import TopicPartition
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database
from kit.events.envelope import CloudEvent
from kit.inbox import OneAtATime, consumed_event
from kit.inbox.replay import Progress
from kit.rebuild import _analysed, _Job, _shared_out, _side_by_side, bar
from kit.service import Subscription
from kit.settings import CommonSettings, ServiceSettings


def test_the_bar_shows_share_counts_rate_and_time_left() -> None:
    progress = Progress(total=1_000_000, done=250_000, started=time.monotonic() - 10)

    line = bar(progress, width=20)

    assert line.startswith("[#####...............]  25% 250,000/1,000,000 events")
    assert re.search(r" 2[45],\d{3} events/s", line)  # 10 s elapsed, give or take
    assert "00:10 elapsed, 00:30 left" in line


def test_before_the_first_record_no_time_left_is_guessed() -> None:
    line = bar(Progress(total=10))

    assert "0/10 events" in line
    assert "--:-- left" in line


def test_nothing_to_replay_is_complete() -> None:
    assert bar(Progress(total=0), width=4).startswith("[####] 100% 0/0 events")


def test_long_replays_count_hours() -> None:
    progress = Progress(total=100, done=1, started=time.monotonic() - 3600)

    assert "1:00:00 elapsed" in bar(progress)


def _job(name: str, records: int) -> _Job:
    topic = f"lgnet.test.{name}"
    declared = consumed_event(f"lgnet.test.{name}.happened", topic=topic, payload=_Nothing)
    subscription = Subscription(name, {declared: OneAtATime(_ignore)})
    return _Job(subscription, {TopicPartition(topic, 0): records})


class _Nothing(BaseModel):
    pass


async def _ignore(session: AsyncSession, events: list[CloudEvent]) -> None:
    return None


def test_subscriptions_are_shared_out_whole_by_their_records() -> None:
    jobs = [_job("a", 60), _job("b", 35), _job("c", 20), _job("d", 10)]

    shares = _shared_out(jobs, {}, 2)

    assert [[job.subscription.name for job in share] for share in shares] == [
        ["a"],
        ["b", "c", "d"],
    ]
    assert _shared_out(jobs, {}, 8) == [[job] for job in jobs]  # never more than the jobs
    assert _shared_out(jobs, {}, 1) == [jobs]


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LGNET_REBUILDING_", extra="ignore")
    service_name: ClassVar[str] = "rebuilding"


async def test_a_replay_process_that_fails_fails_the_rebuild() -> None:
    settings = _Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        common=CommonSettings(kafka_bootstrap_servers="127.0.0.1:1"),  # nobody listens
    )
    shares = [[_job("a", 5)], [_job("b", 5)]]

    with pytest.raises(RuntimeError, match="the rebuild failed") as failed:
        await _side_by_side(settings, shares, {}, 10, Progress(total=10), lambda _: None)

    assert "KafkaConnectionError" in str(failed.value)  # each process's own traceback


async def test_the_rebuilt_tables_are_analysed_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'read-model.db'}"
    read_model = MetaData()
    Table(
        "facts",
        read_model,
        Column("id", Integer, primary_key=True),
        Column("n", Integer, index=True),
    )
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(read_model.create_all)
        await connection.execute(text("INSERT INTO facts (id, n) VALUES (1, 2), (2, 3)"))
    await database.dispose()

    await _analysed(_Settings(database_url=url), read_model)

    database = Database(url)
    async with database.engine.connect() as connection:
        stats = (await connection.execute(text("SELECT tbl FROM sqlite_stat1"))).scalars().all()
    await database.dispose()
    assert "facts" in stats
