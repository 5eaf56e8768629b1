"""A throw-away event type, table and databases for testing the outbox, relay and inbox directly,
without a service: ``thing_changed(topic)`` declares the type, :class:`Counter` is a consumer's
effect (one row per applied event, so a double application shows)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.contracts import validator_for
from kit.events.envelope import CloudEvent
from kit.events.types import EventData, EventType, event_type
from kit.inbox import EventConsumer, Handler
from kit.tables import KIT_METADATA
from kit.testing.services import StackLike
from kit.testing.tables import SCRATCH_METADATA, ScratchTable


class Counter(ScratchTable, table=True):
    """The consumer's effect: one row per applied event, so a double application shows."""

    __tablename__ = "applied"
    event_id: uuid.UUID = Field(primary_key=True)
    sequence: int
    key: str


class ThingChangedData(EventData):
    sequence: int


def thing_changed(topic: str) -> EventType[ThingChangedData]:
    """A throw-away event type published on ``topic``."""
    return event_type(
        f"lgnet.testkit.{topic.replace('.', '_')}.changed", topic=topic, payload=ThingChangedData
    )


async def fresh_database(stack: StackLike, name: str) -> AsyncEngine:
    """A new database ``name`` with the kit's tables (outbox, inbox…) and the scratch tables,
    :class:`Counter` among them."""
    engine = create_async_engine(stack.database_url(name))
    async with engine.begin() as conn:
        await conn.run_sync(KIT_METADATA.create_all)
        await conn.run_sync(SCRATCH_METADATA.create_all)
    return engine


def consumer_of(
    kind: EventType[Any],
    handler: Handler,
    *,
    engine: AsyncEngine,
    bootstrap_servers: str,
    name: str | None = None,
    **options: Any,
) -> EventConsumer:
    """A consumer of ``kind``'s topic that checks each event against ``kind``'s schema and runs
    ``handler`` in a :func:`unit_of_work` on ``engine``; ``options`` go to the consumer."""
    return EventConsumer(
        name=name or f"test-{kind.topic}",
        topics=[kind.topic],
        handlers={kind.name: handler},
        sessions=unit_of_work(engine),
        bootstrap_servers=bootstrap_servers,
        validate=validator_for(kind.json_schema()),
        **options,
    )


def unit_of_work(engine: AsyncEngine) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """Sessions on ``engine`` committed on exit, as a consumer's ``sessions``."""
    maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        async with maker() as s, s.begin():
            yield s

    return session


def consumer_record(
    offset: int,
    key: bytes,
    value: bytes,
    headers: list[tuple[str, bytes]],
    *,
    partition: int = 0,
) -> ConsumerRecord[bytes, bytes]:
    """A record as a poll returns it, for feeding a consumer without Kafka."""
    return ConsumerRecord(
        topic="lgnet.testkit.things",
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(value),
        headers=headers,
    )


def records_of(
    events: list[CloudEvent], *, partition: int = 0
) -> list[ConsumerRecord[bytes, bytes]]:
    """``events`` as the records of one poll from `partition`, at offsets 0, 1, 2…"""
    return [
        consumer_record(offset, *event.to_record(), partition=partition)
        for offset, event in enumerate(events)
    ]
