"""A throw-away event type, table and databases for testing the outbox, relay and inbox directly,
without a service: ``thing_changed(topic)`` declares the type, :class:`Counter` is a consumer's
effect (one row per applied event, so a double application shows)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.events.types import EventData, EventType, event_type
from kit.tables import KIT_METADATA, new_registry
from kit.testing.services import StackLike

_registry = new_registry()


class _TestTable(SQLModel, registry=_registry):
    pass


class Counter(_TestTable, table=True):
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


def validator_for(kind: EventType[Any]) -> Callable[[CloudEvent], None]:
    """Checks an event's data against ``kind``'s JSON Schema, as a consumer's ``validate``."""
    schema = Draft202012Validator(kind.json_schema())

    def validate(event: CloudEvent) -> None:
        schema.validate(dict(event.data))

    return validate


async def fresh_database(stack: StackLike, name: str) -> AsyncEngine:
    """A new database ``name`` with the kit's tables (outbox, inbox…) and :class:`Counter`."""
    engine = create_async_engine(stack.database_url(name))
    async with engine.begin() as conn:
        await conn.run_sync(KIT_METADATA.create_all)
        await conn.run_sync(_registry.metadata.create_all)
    return engine


def unit_of_work(engine: AsyncEngine) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """Sessions on ``engine`` committed on exit, as a consumer's ``sessions``."""
    maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        async with maker() as s, s.begin():
            yield s

    return session
