"""A batch's inbox claim on PostgreSQL (its ids as one array): each event applied once, a
repeated one within the batch included, and a redelivered batch refused in one transaction."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.local.stack import Stack
from kit.events.envelope import CloudEvent
from kit.inbox import EventConsumer
from kit.testing.things import Counter, fresh_database, records_of, thing_changed, unit_of_work

pytestmark = pytest.mark.integration


async def test_a_batch_claims_each_event_once_on_postgresql(stack: Stack, topic: str) -> None:
    kind = thing_changed(topic)
    engine = await fresh_database(stack, f"batch_{uuid.uuid4().hex[:8]}")

    async def count(session: AsyncSession, event: CloudEvent) -> None:
        sequence = int(event.data["sequence"])
        session.add(Counter(event_id=uuid.UUID(event.id), sequence=sequence, key=event.subject))

    consumer = EventConsumer(
        name=f"batch-{topic}",
        topics=[topic],
        handlers={kind.name: count},
        sessions=unit_of_work(engine),
        bootstrap_servers=stack.kafka_bootstrap,  # never started: records are handed to it
        validate=None,
    )
    events = [
        CloudEvent(
            type=kind.name,
            source=kind.source,
            subject="agg-1",
            data={"sequence": i},
            dataschema=kind.dataschema,
        )
        for i in range(300)
    ]
    records = records_of([*events[:150], events[3], *events[150:]])
    try:
        outcomes = await consumer.process_batch(records)
        assert outcomes.count("applied") == 300
        assert outcomes[150] == "duplicate"  # the same event again, within the batch
        assert await consumer.process_batch(records) == ["duplicate"] * 301
        async with engine.connect() as conn:
            applied = (await conn.execute(text("SELECT count(*) FROM applied"))).scalar_one()
            inbox = (await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one()
        assert applied == inbox == 300
    finally:
        await engine.dispose()
