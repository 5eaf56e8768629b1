"""Outbox relay and inbox consumer against real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.local.stack import Stack
from kit.events.envelope import CloudEvent
from kit.events.types import EventType
from kit.inbox import Handler
from kit.outbox import OutboxMessage, OutboxRelay, record_event
from kit.testing import things
from kit.testing.things import Counter, ThingChangedData

pytestmark = pytest.mark.integration


async def _apply(session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Counter(event_id=uuid.UUID(event.id), sequence=event.data["sequence"], key=event.subject)
    )


async def _wait_for_count(session_factory, expected: int, within: float) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    count = 0
    while time.monotonic() < deadline:
        async with session_factory() as session:
            count = (await session.exec(select(func.count()).select_from(Counter))).one()
        if count >= expected:
            return int(count)
        await asyncio.sleep(0.2)
    return int(count)


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@asynccontextmanager
async def pipeline(
    stack: Stack, kind: EventType[ThingChangedData], handler: Handler, **relay_options: Any
) -> AsyncIterator[tuple[Sessions, Sessions]]:
    """A producer's database and its relay (with `relay_options`), a consumer's database and a
    consumer of ``kind`` applying ``handler``, all started; yields sessions on each (writes,
    reads)."""
    producer_db = await things.fresh_database(stack, f"p_{uuid.uuid4().hex[:8]}")
    consumer_db = await things.fresh_database(stack, f"c_{uuid.uuid4().hex[:8]}")
    relay = OutboxRelay(
        engine=producer_db,
        bootstrap_servers=stack.kafka_bootstrap,
        client_id="t",
        **relay_options,
    )
    consumer = things.consumer_of(
        kind, handler, engine=consumer_db, bootstrap_servers=stack.kafka_bootstrap
    )
    await relay.start()
    await consumer.start()
    try:
        yield things.unit_of_work(producer_db), things.unit_of_work(consumer_db)
    finally:
        await consumer.stop()
        await relay.stop()


async def test_rolled_back_changes_publish_nothing_and_committed_ones_arrive_in_order(
    stack: Stack, topic: str
) -> None:
    kind = things.thing_changed(topic)
    seen: list[int] = []

    async def remember(session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        seen.append(event.data["sequence"])
        await _apply(session, event)

    async with pipeline(stack, kind, remember) as (writes, reads):
        for sequence in range(20):
            async with writes() as session:
                await record_event(
                    session, kind, ThingChangedData(sequence=sequence), subject="agg-1"
                )

        async def failing_change() -> None:
            async with writes() as session:
                await record_event(session, kind, ThingChangedData(sequence=999), subject="agg-1")
                raise RuntimeError("business rule failed after the event was recorded")

        with pytest.raises(RuntimeError):
            await failing_change()
        assert await _wait_for_count(reads, 20, within=20) == 20
        await asyncio.sleep(1)  # nothing else may arrive
        assert seen == list(range(20))


async def test_published_rows_are_marked_together_and_a_stopping_relay_marks_them(
    stack: Stack, topic: str
) -> None:
    kind = things.thing_changed(topic)
    async with pipeline(stack, kind, _apply, mark_interval=60) as (writes, reads):
        for sequence in range(10):
            async with writes() as session:
                await record_event(session, kind, ThingChangedData(sequence=sequence), subject="a")
        assert await _wait_for_count(reads, 10, within=20) == 10
        # published, and not marked one batch at a time: they wait for their interval
        assert await _marks(writes) == (10, 0)
    # the relay stopped: what it published is marked, together
    assert await _marks(writes) == (0, 1)


async def _marks(sessions: Sessions) -> tuple[int, int]:
    """Outbox rows not marked published, and distinct marking instants of the others."""
    async with sessions() as session:
        unmarked = (
            await session.exec(
                select(func.count()).where(col(OutboxMessage.published_at).is_(None))
            )
        ).one()
        instants = (
            await session.exec(select(func.count(func.distinct(OutboxMessage.published_at))))
        ).one()
    return int(unmarked), int(instants)


@pytest.mark.slow
async def test_kafka_outage_loses_nothing_and_applies_each_change_once(
    stack: Stack, topic: str
) -> None:
    """Kafka stopped while 1,000 changes commit, then restarted: all arrive, each applied once."""
    kind = things.thing_changed(topic)
    async with pipeline(stack, kind, _apply) as (writes, reads):
        async with writes() as session:  # the topic exists and the consumer is assigned
            await record_event(session, kind, ThingChangedData(sequence=-1), subject="warm-up")
        assert await _wait_for_count(reads, 1, within=30) == 1

        await asyncio.to_thread(stack.supervisor.stop, stack.kafka)
        for sequence in range(1000):
            async with writes() as session:
                await record_event(
                    session,
                    kind,
                    ThingChangedData(sequence=sequence),
                    subject=f"agg-{sequence % 7}",
                )
        await asyncio.sleep(2)  # the relay tries, fails and backs off meanwhile
        await asyncio.to_thread(stack.supervisor.start, stack.kafka)

        assert await _wait_for_count(reads, 1001, within=90) == 1001
        await asyncio.sleep(2)
        async with reads() as session:
            rows = (await session.exec(select(Counter))).all()
        assert len(rows) == 1001
        assert sorted(r.sequence for r in rows) == [-1, *range(1000)]
        for key in {r.key for r in rows}:  # per-aggregate order survived the outage
            in_key = [r.sequence for r in rows if r.key == key]
            assert len(in_key) == len(set(in_key))
