"""The inbox consumer under failure: SIGKILL mid-batch, and poison messages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text

from deploy.local.process import ROOT
from deploy.local.stack import Stack
from kit.events.envelope import CloudEvent
from kit.outbox.relay import producer_config
from kit.testing import things
from kit.testing.things import ThingChangedData

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


@pytest.mark.slow
async def test_a_consumer_killed_mid_batch_applies_nothing_twice(stack: Stack, topic: str) -> None:
    kind = things.thing_changed(topic)
    engine = await things.fresh_database(stack, f"crash_{uuid.uuid4().hex[:8]}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE tally (applied integer NOT NULL)"))
        await conn.execute(text("INSERT INTO tally VALUES (0)"))
        await conn.execute(text("CREATE TABLE applications (event_id text NOT NULL)"))
    total = 600
    await _publish(stack, topic, [_event(kind, i) for i in range(total)])

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.kit.inbox.consumer_process",
                engine.url.render_as_string(hide_password=False),
                stack.kafka_bootstrap,
                topic,
                kind.name,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,
        )

    async def applied() -> int:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT applied FROM tally"))).scalar_one())

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
        deadline = time.monotonic() + 90
        while await applied() < total:
            assert time.monotonic() < deadline, f"only {await applied()} of {total} applied"
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # anything redelivered has had time to be (wrongly) applied
        assert await applied() == total
        async with engine.connect() as conn:
            distinct = (
                await conn.execute(text("SELECT count(DISTINCT event_id) FROM applications"))
            ).scalar_one()
        assert distinct == total
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        await engine.dispose()


async def test_a_poison_message_goes_to_the_dlq_after_bounded_retries(
    stack: Stack, topic: str
) -> None:
    kind = things.thing_changed(topic)
    engine = await things.fresh_database(stack, f"poison_{uuid.uuid4().hex[:8]}")
    attempts: dict[int, int] = {}
    applied: list[int] = []

    async def fragile(session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        sequence = event.data["sequence"]
        attempts[sequence] = attempts.get(sequence, 0) + 1
        if sequence == 2:
            raise ValueError("this event can never be applied")
        applied.append(sequence)

    consumer = things.consumer_of(
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
