"""Record an event in the outbox, inside the caller's transaction (services never commit)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, insert
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import driver_connection, on_commit, refuse_if_reading
from kit.events.envelope import CloudEvent, pack_headers
from kit.events.types import EventData, EventType, P
from kit.outbox.models import OutboxMessage
from kit.rows import insert_many
from kit.telemetry import current_trace_headers

NOTIFY_CHANNEL = "lgnet_outbox"
_WRITTEN = "lgnet.outbox.written"

# Relays waiting in this process, by `database_key`: woken right after a commit that wrote
# events.
_waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
# Relays of this process publishing a PostgreSQL database (holding its advisory lock), by
# `database_key`: with one here, the local wake-up reaches the relay that publishes, and NOTIFY
# is not needed.
_leading: dict[str, int] = defaultdict(int)
_keys: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()
_table = OutboxMessage.__table__  # type: ignore[attr-defined]
_WRITTEN_NAMES = ("event_id", "topic", "key", "event_type", "headers", "value", "created_at")
_INSERT = (  # on the driver (PostgreSQL)
    f"INSERT INTO outbox ({', '.join(_WRITTEN_NAMES)}) "
    f"VALUES ({', '.join(f'%({name})s' for name in _WRITTEN_NAMES)})"
)


@dataclass(frozen=True)
class Pending:
    """One event to record: what `record_events` takes for each."""

    kind: EventType[Any]
    data: EventData
    subject: str
    organisation: str | None = None


async def record_event(
    session: AsyncSession,
    kind: EventType[P],
    data: P,
    *,
    subject: str,
    organisation: str | None = None,
) -> CloudEvent:
    """Add the event to the session's outbox; it leaves with the commit, or not at all."""
    (cloud_event,) = await record_events(session, [Pending(kind, data, subject, organisation)])
    return cloud_event


async def record_events(session: AsyncSession, pending: Sequence[Pending]) -> list[CloudEvent]:
    """`record_event` for several events at once, in their order: one statement (PostgreSQL:
    one round trip), not one each — what a batch handler opening many records uses."""
    refuse_if_reading(session.sync_session)
    traceparent, tracestate = current_trace_headers()
    events, rows = [], []
    for item in pending:
        event_id = uuid.uuid4()
        cloud_event = CloudEvent(
            id=str(event_id),
            type=item.kind.name,
            source=item.kind.source,
            subject=item.subject,
            data=item.data.model_dump(mode="json"),
            dataschema=item.kind.dataschema,
            organisation=item.organisation,
            traceparent=traceparent,
            tracestate=tracestate,
        )
        key, value, headers = cloud_event.to_record()
        events.append(cloud_event)
        rows.append(
            {
                "event_id": event_id,
                "topic": item.kind.topic,
                "key": key.decode(),
                "event_type": item.kind.name,
                "headers": pack_headers(headers),
                "value": value,
                "created_at": datetime.now(UTC),
            }
        )
    if not rows:
        return events
    connection = await session.connection()
    database = database_key(connection.sync_engine)
    postgres = connection.dialect.name == "postgresql"
    info = session.sync_session.info
    first = not info.get(_WRITTEN)
    if first:
        info[_WRITTEN] = True
        on_commit(session, partial(_wake_relays, database))
    if postgres:
        # through SQLAlchemy (an ORM object flushed, or Core) this INSERT took twice the CPU
        driver = await driver_connection(connection)
        if len(rows) == 1:
            await driver.execute(_INSERT, rows[0])
        else:  # by COPY: 5,000 events took 0.20 s of CPU, 0.25 s as pipelined INSERTs
            await insert_many(session, _table, rows)
        if first and not _leading.get(database):
            # wakes the relay of another process (PostgreSQL delivers it only if we commit); a
            # round trip, and a wake-up for every listening relay, saved when this process's
            # relay is the one publishing (a relay that takes over first reads all it missed)
            await driver.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    else:
        await connection.execute(insert(_table), rows)
    return events


def database_key(engine: Engine) -> str:
    """The database `engine` connects to, as relays and writers of this process name it (its
    URL, password hidden), worked out once per engine: SQLAlchemy hashes a `URL` by rendering
    it, which cost each event two renderings."""
    key = _keys.get(engine)
    if key is None:
        key = _keys[engine] = engine.url.render_as_string(hide_password=True)
    return key


def waiter(database: str) -> asyncio.Event:
    """An event set after every local commit that wrote to the outbox of ``database`` (a
    `database_key`)."""
    wake = asyncio.Event()
    _waiting[database].add(wake)
    return wake


def forget(database: str, wake: asyncio.Event) -> None:
    _waiting[database].discard(wake)


@contextmanager
def leading(database: str) -> Iterator[None]:
    """While inside, a relay of this process publishes the outbox of ``database`` (a
    `database_key`; it holds the database's advisory lock and waits on a `waiter`): commits
    here need not ``NOTIFY``."""
    _leading[database] += 1
    try:
        yield
    finally:
        _leading[database] -= 1
        if not _leading[database]:
            del _leading[database]


def _wake_relays(database: str) -> None:
    for wake in _waiting.get(database, ()):
        wake.set()


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session: Session, *_: object) -> None:
    session.info.pop(_WRITTEN, None)
