"""Record an event in the outbox, inside the caller's transaction (services never commit)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import on_commit
from kit.events.envelope import CloudEvent, pack_headers
from kit.events.types import EventType, P
from kit.outbox.models import OutboxMessage
from kit.telemetry import current_trace_headers

NOTIFY_CHANNEL = "lgnet_outbox"
_WRITTEN = "lgnet.outbox.written"

# Relays waiting in this process, by database URL: woken right after a commit that wrote events.
_waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
# Relays of this process publishing a PostgreSQL database (holding its advisory lock), by URL:
# with one here, the local wake-up reaches the relay that publishes, and NOTIFY is not needed.
_leading: dict[str, int] = defaultdict(int)


async def record_event(
    session: AsyncSession,
    kind: EventType[P],
    data: P,
    *,
    subject: str,
    organisation: str | None = None,
) -> CloudEvent:
    """Add the event to the session's outbox; it leaves with the commit, or not at all."""
    traceparent, tracestate = current_trace_headers()
    cloud_event = CloudEvent(
        type=kind.name,
        source=kind.source,
        subject=subject,
        data=data.model_dump(mode="json"),
        dataschema=kind.dataschema,
        organisation=organisation,
        traceparent=traceparent,
        tracestate=tracestate,
    )
    key, value, headers = cloud_event.to_record()
    session.add(
        OutboxMessage(
            event_id=uuid.UUID(cloud_event.id),
            topic=kind.topic,
            key=key.decode(),
            event_type=kind.name,
            headers=pack_headers(headers),
            value=value,
            created_at=datetime.now(UTC),
        )
    )
    info = session.sync_session.info
    if not info.get(_WRITTEN):
        info[_WRITTEN] = True
        url = _url_of(session)
        on_commit(session, partial(_wake_relays, url))
        if session.get_bind().dialect.name == "postgresql" and not _leading.get(url):
            # wakes the relay of another process (PostgreSQL delivers it only if we commit); a
            # round trip, and a wake-up for every listening relay, saved when this process's
            # relay is the one publishing (a relay that takes over first reads all it missed)
            await (await session.connection()).execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return cloud_event


def waiter(database_url: str) -> asyncio.Event:
    """An event set after every local commit that wrote to the outbox of ``database_url``."""
    wake = asyncio.Event()
    _waiting[database_url].add(wake)
    return wake


def forget(database_url: str, wake: asyncio.Event) -> None:
    _waiting[database_url].discard(wake)


@contextmanager
def leading(database_url: str) -> Iterator[None]:
    """While inside, a relay of this process publishes ``database_url``'s outbox (it holds the
    database's advisory lock and waits on a `waiter`): commits here need not ``NOTIFY``."""
    _leading[database_url] += 1
    try:
        yield
    finally:
        _leading[database_url] -= 1
        if not _leading[database_url]:
            del _leading[database_url]


def _url_of(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def _wake_relays(database_url: str) -> None:
    for wake in _waiting.get(database_url, ()):
        wake.set()


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session: Session, *_: object) -> None:
    session.info.pop(_WRITTEN, None)
