"""A throw-away event type, tables and databases for testing the outbox and inbox directly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.local.stack import Stack
from kit.events.envelope import CloudEvent
from kit.events.types import EventData, event_type
from kit.tables import KIT_METADATA, new_registry

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


def thing_changed(topic: str):  # type: ignore[no-untyped-def]
    return event_type(
        f"lgnet.testkit.{topic.replace('.', '_')}.changed", topic=topic, payload=ThingChangedData
    )


def validator_for(kind) -> Callable[[CloudEvent], None]:  # type: ignore[no-untyped-def]
    schema = Draft202012Validator(kind.json_schema())

    def validate(event: CloudEvent) -> None:
        schema.validate(dict(event.data))

    return validate


async def fresh_database(stack: Stack, name: str) -> AsyncEngine:
    assert stack.postgres is not None
    engine = create_async_engine(stack.postgres.create_database(name))
    async with engine.begin() as conn:
        await conn.run_sync(KIT_METADATA.create_all)
        await conn.run_sync(_registry.metadata.create_all)
    return engine


def unit_of_work(engine: AsyncEngine) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        async with maker() as s, s.begin():
            yield s

    return session


@pytest.fixture
def topic() -> str:
    return f"lgnet.testkit.things{uuid.uuid4().hex[:8]}"
