"""Every event published on an LGNet topic during this test run matches its JSON Schema.

Runs last (see ``pytest_collection_modifyitems`` in tests/conftest.py), reading every
``lgnet.*`` topic of the session's Kafka from the beginning.
"""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from deploy.local.stack import Stack
from kit.events import contracts
from kit.events.envelope import CloudEvent

pytestmark = pytest.mark.integration

# throw-away topics of the kit's own tests carry test-only event types
_NOT_CONTRACTED = ("lgnet.testkit.",)


async def test_every_published_event_matches_its_contract(stack: Stack) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        topics = [
            t
            for t in await admin.list_topics()
            if t.startswith("lgnet.")
            and not t.endswith(".dlq")
            and not t.startswith(_NOT_CONTRACTED)
        ]
        described = await admin.describe_topics(topics) if topics else []
    finally:
        await admin.close()
    partitions = [
        TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    checked = 0
    violations: list[str] = []
    try:
        if not partitions:
            pytest.skip("no LGNet topic was written in this run")
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batches = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 30)
            for records in batches.values():
                for record in records:
                    checked += 1
                    try:
                        contracts.validate(
                            CloudEvent.from_record(record.key, record.value, record.headers)
                        )
                    except Exception as exc:
                        violations.append(f"{record.topic}@{record.offset}: {exc}")
    finally:
        await consumer.stop()
    print(f"checked {checked} events on {len(topics)} topics")
    assert not violations, "\n".join(violations[:20])
