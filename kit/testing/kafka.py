"""Read what was really published: the first event about an aggregate on a topic."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer

from kit.events.envelope import CloudEvent


async def first_event_about(
    bootstrap_servers: str, topic: str, subject: str, *, within: float = 30
) -> CloudEvent:
    """The first event on ``topic`` whose key is ``subject``, read from the beginning."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    try:
        async with asyncio.timeout(within):
            async for record in consumer:
                if record.key == subject.encode():
                    return CloudEvent.from_record(record.key, record.value, record.headers)
    finally:
        await consumer.stop()
    raise AssertionError(f"no event about {subject} on {topic}")
