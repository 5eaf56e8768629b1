"""Read what was really published: the first event about an aggregate on a topic, or all."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from kit.events import contracts
from kit.events.envelope import CloudEvent
from kit.events.types import EventType
from kit.outbox.relay import producer_config


async def publish(
    bootstrap_servers: str,
    events: Iterable[tuple[EventType[Any], Mapping[str, Any]]],
    *,
    subject: str,
    organisation: str,
    client_id: str = "lgnet-test",
) -> None:
    """Send each ``(kind, data)`` as a new event about ``subject``, in order, straight to its
    topic, as the relay would (a redelivery under a new id, an event of a service not running)."""
    producer = AIOKafkaProducer(**producer_config(bootstrap_servers, client_id))
    await producer.start()
    try:
        for kind, data in events:
            event = CloudEvent(
                type=kind.name,
                source=kind.source,
                subject=subject,
                data=dict(data),
                dataschema=kind.dataschema,
                organisation=organisation,
            )
            key, value, headers = event.to_record()
            await producer.send_and_wait(kind.topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


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


async def first_published(
    bootstrap_servers: str,
    topic: str,
    subject: str,
    *,
    type_: str,
    source: str,
    organisation: str,
) -> CloudEvent:
    """:func:`first_event_about` ``subject``, asserted to match its published contract and to be
    a ``type_`` from ``source`` about ``subject`` in ``organisation``; the event, for its data."""
    event = await first_event_about(bootstrap_servers, topic, subject)
    contracts.validate(event)
    assert event.type == type_
    assert event.source == source
    assert event.subject == subject
    assert event.organisation == organisation
    return event


async def events_about(
    bootstrap_servers: str,
    topic: str,
    subject: str,
    *,
    event_type: str | None = None,
    within: float = 30,
) -> list[CloudEvent]:
    """Every event on ``topic`` whose key is ``subject`` (and type ``event_type``, if given),
    from the beginning up to the end of the topic when called — to count them."""
    return [
        event
        for event in await all_events(bootstrap_servers, [topic], within=within)
        if event.subject == subject and (event_type is None or event.type == event_type)
    ]


async def all_events(
    bootstrap_servers: str, topics: list[str], *, within: float = 30
) -> list[CloudEvent]:
    """Every event on ``topics`` (which must exist), from the beginning up to their end
    offsets when called."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    found: list[CloudEvent] = []
    try:
        async with asyncio.timeout(within):
            partitions = [tp for topic in topics for tp in await _partitions(consumer, topic)]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
                batches = await consumer.getmany(*partitions, timeout_ms=500)
                for records in batches.values():
                    found += (CloudEvent.from_record(r.key, r.value, r.headers) for r in records)
    finally:
        await consumer.stop()
    return found


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[TopicPartition]:
    while True:
        known = consumer.partitions_for_topic(topic)
        if known:
            return {TopicPartition(topic, p) for p in known}
        await consumer.topics()  # refreshes the metadata
        await asyncio.sleep(0.1)
