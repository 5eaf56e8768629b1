"""The inbox consumer under failure: SIGKILL mid-batch, and poison messages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from functools import partial

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from deploy.local.process import ROOT
from deploy.local.stack import Stack
from kit.db import on_commit
from kit.events.envelope import CloudEvent
from kit.outbox.relay import producer_config
from kit.testing.things import (
    ThingChangedData,
    consumer_of,
    fresh_database,
    thing_changed,
)

pytestmark = pytest.mark.integration


async def _publish(stack: Stack, topic: str, events: list[CloudEvent]) -> None:
    producer = AIOKafkaProducer(**producer_config(stack.kafka_bootstrap, "test-publisher"))
    await producer.start()
    try:
        sent = []
        for event in events:
            key, value, headers = event.to_record()
            sent.append(await producer.send(topic, value=value, key=key, headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


def _event(kind, sequence: int) -> CloudEvent:  # type: ignore[no-untyped-def]
    return CloudEvent(
        type=kind.name,
        source=kind.source,
        subject=f"agg-{sequence % 5}",
        data=ThingChangedData(sequence=sequence).model_dump(),
        dataschema=kind.dataschema,
    )


async def _effect_tables(engine: AsyncEngine) -> None:
    """consumer_process's effect: a counter, and one row per application with its transaction."""
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE tally (applied integer NOT NULL)"))
        await conn.execute(text("INSERT INTO tally VALUES (0)"))
        await conn.execute(
            text("CREATE TABLE applications (event_id text NOT NULL, txid bigint NOT NULL)")
        )


def _start_consumer(
    stack: Stack, engine: AsyncEngine, topic: str, event_type: str, **env: str
) -> subprocess.Popen[bytes]:
    """consumer_process, in a session of its own (its group is ``crash-<topic>``)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.kit.inbox.consumer_process",
            engine.url.render_as_string(hide_password=False),
            stack.kafka_bootstrap,
            topic,
            event_type,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        start_new_session=True,
    )


async def _applied(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT applied FROM tally"))).scalar_one())


async def _applications(engine: AsyncEngine) -> tuple[int, int, int]:
    """Rows, distinct events and distinct transactions of the applications log."""
    query = "SELECT count(*), count(DISTINCT event_id), count(DISTINCT txid) FROM applications"
    async with engine.connect() as conn:
        rows, events, transactions = (await conn.execute(text(query))).one()
    return int(rows), int(events), int(transactions)


async def _committed_offsets(stack: Stack, group: str, topic: str) -> int:
    """Records of `topic` the consumer group has committed (the sum of its partitions')."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, group_id=group)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        offsets = [await consumer.committed(TopicPartition(topic, p)) for p in partitions]
        return sum(offset or 0 for offset in offsets)
    finally:
        await consumer.stop()


async def _drained(engine: AsyncEngine, total: int, within: float) -> None:
    deadline = time.monotonic() + within
    while await _applied(engine) < total:
        assert time.monotonic() < deadline, f"only {await _applied(engine)} of {total} applied"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # anything redelivered has had time to be (wrongly) applied


@pytest.mark.slow
async def test_a_consumer_killed_mid_batch_applies_nothing_twice(stack: Stack, topic: str) -> None:
    kind = thing_changed(topic)
    engine = await fresh_database(stack, f"crash_{uuid.uuid4().hex[:8]}")
    await _effect_tables(engine)
    total = 600
    await _publish(stack, topic, [_event(kind, i) for i in range(total)])

    def start() -> subprocess.Popen[bytes]:
        return _start_consumer(stack, engine, topic, kind.name)

    async def applied() -> int:
        return await _applied(engine)

    process = start()
    try:
        deadline = time.monotonic() + 60
        while await applied() < total // 3:  # well into the stream, mid-batch
            assert time.monotonic() < deadline, "the consumer made no progress"
            assert process.poll() is None, "the consumer died on its own"
            await asyncio.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed_at = await applied()
        assert killed_at < total

        process = start()
        await _drained(engine, total, 90)
        assert await applied() == total
        _, distinct, _ = await _applications(engine)
        assert distinct == total
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        await engine.dispose()


@pytest.mark.slow
async def test_a_kill_between_a_batch_commit_and_its_offset_commit_applies_nothing_twice(
    stack: Stack, topic: str
) -> None:
    kind = thing_changed(topic)
    engine = await fresh_database(stack, f"crash_{uuid.uuid4().hex[:8]}")
    await _effect_tables(engine)
    total, kill_after = 600, 200
    await _publish(stack, topic, [_event(kind, i) for i in range(total)])

    # it kills itself right after the database commit of the batch that reaches kill_after
    process = _start_consumer(
        stack, engine, topic, kind.name, LGNET_TEST_KILL_AFTER=str(kill_after)
    )
    try:
        await asyncio.wait_for(asyncio.to_thread(process.wait), 60)
        assert process.returncode == -signal.SIGKILL
        killed_at = await _applied(engine)
        assert kill_after <= killed_at < total
        # that last batch is in the database and not in the group's offsets: it comes again
        assert await _committed_offsets(stack, f"crash-{topic}", topic) < killed_at

        process = _start_consumer(stack, engine, topic, kind.name)
        await _drained(engine, total, 90)
        assert await _applied(engine) == total
        rows, distinct, transactions = await _applications(engine)
        assert rows == distinct == total
        assert transactions < total // 10  # batches, one transaction each
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        await engine.dispose()


async def test_a_poison_record_in_a_batch_reaches_the_dlq_and_the_rest_apply_once_in_order(
    stack: Stack, topic: str
) -> None:
    kind = thing_changed(topic)
    engine = await fresh_database(stack, f"poison_{uuid.uuid4().hex[:8]}")
    async with engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE effects (position bigserial PRIMARY KEY, sequence int NOT NULL)")
        )
    attempts: dict[int, int] = {}

    async def fragile(session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        sequence = event.data["sequence"]
        attempts[sequence] = attempts.get(sequence, 0) + 1
        if sequence == 7:
            raise ValueError("this event can never be applied")
        connection = await session.connection()
        await connection.execute(
            text("INSERT INTO effects (sequence) VALUES (:sequence)"), {"sequence": sequence}
        )

    consumer = consumer_of(
        kind,
        fragile,
        engine=engine,
        bootstrap_servers=stack.kafka_bootstrap,
        name=f"poison-{topic}",
        max_attempts=3,
        backoff_base=0.01,
    )
    total = 20
    one_key = [replace(_event(kind, i), subject="agg-1") for i in range(total)]  # one partition
    await _publish(stack, topic, one_key)  # before the consumer starts: they come in one poll

    await consumer.start()
    dlq = AIOKafkaConsumer(
        f"{topic}.dlq", bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    try:
        await dlq.start()
        parked = await asyncio.wait_for(dlq.getone(), 30)
        await asyncio.sleep(1)  # anything wrongly applied again has had time to show
    finally:
        await dlq.stop()
        await consumer.stop()
    async with engine.connect() as conn:
        query = text("SELECT sequence FROM effects ORDER BY position")
        applied = [row.sequence for row in await conn.execute(query)]
    await engine.dispose()

    assert applied == [i for i in range(total) if i != 7]  # each once, in order
    assert attempts[7] == 3  # bounded retries, its try in the batch the first of them
    # the batch was tried as one and rolled back: the others around the poison ran again
    assert any(attempts[i] > 1 for i in range(total) if i != 7)
    assert dict(parked.headers)["lgnet_dlq_reason"].startswith(b"ValueError")
    assert dict(parked.headers)["lgnet_dlq_attempts"] == b"3"


async def test_a_poison_message_goes_to_the_dlq_after_bounded_retries(
    stack: Stack, topic: str
) -> None:
    kind = thing_changed(topic)
    engine = await fresh_database(stack, f"poison_{uuid.uuid4().hex[:8]}")
    attempts: dict[int, int] = {}
    applied: list[int] = []

    async def fragile(session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        sequence = event.data["sequence"]
        attempts[sequence] = attempts.get(sequence, 0) + 1
        if sequence == 2:
            raise ValueError("this event can never be applied")
        # once committed: a batch rolled back around the poison record applied nothing
        on_commit(session, partial(applied.append, sequence))

    consumer = consumer_of(
        kind,
        fragile,
        engine=engine,
        bootstrap_servers=stack.kafka_bootstrap,
        name=f"poison-{topic}",
        max_attempts=3,
        backoff_base=0.01,
    )
    not_a_cloud_event = (b"k", b"{}", [("content-type", b"application/json")])
    await _publish(stack, topic, [_event(kind, i) for i in range(5)])
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    key, value, headers = not_a_cloud_event
    await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    await producer.stop()
    await _publish(stack, topic, [_event(kind, 5)])

    await consumer.start()
    dlq = AIOKafkaConsumer(
        f"{topic}.dlq", bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    try:
        deadline = time.monotonic() + 30
        while len(applied) < 5:
            assert time.monotonic() < deadline, f"applied only {applied}"
            await asyncio.sleep(0.1)
        # the consumer runs until both poison messages are parked: partitions are applied
        # side by side, so the DLQ send of one may still be under way
        await dlq.start()
        parked = [await asyncio.wait_for(dlq.getone(), 20) for _ in range(2)]
    finally:
        await dlq.stop()
        await consumer.stop()
    assert sorted(applied) == [0, 1, 3, 4, 5]  # the consumer went on past both poison messages
    assert attempts[2] == 3  # bounded retries
    reasons = sorted(dict(r.headers)["lgnet_dlq_reason"].decode() for r in parked)
    assert reasons[0].startswith("InvalidEnvelope")
    assert reasons[1].startswith("ValueError")
    assert {dict(r.headers)["lgnet_dlq_attempts"] for r in parked} == {b"0", b"3"}
    await engine.dispose()
