"""The outbox relay: publishes committed outbox rows to Kafka, in order, then marks them.

- Idempotent producer with ``acks=all``; rows are sent in ``position`` order, so the events of
  one aggregate (one key, one partition) keep their order.
- Wakes right after a local commit that wrote events (and on PostgreSQL ``NOTIFY`` from other
  processes); otherwise polls every ``idle_poll`` seconds as a safety net.
- On a broker outage nothing is marked: the batch is retried with capped backoff and a fresh
  producer, so the relay resumes by itself when Kafka is back. Delivery is at-least-once;
  consumers dedupe by event id.
- On PostgreSQL one relay per database holds an advisory lock, so scaled-out replicas do not
  publish the same rows concurrently (which could reorder a key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from kit.metrics import OUTBOX_ERRORS, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from kit.outbox.models import OutboxMessage
from kit.outbox.writer import NOTIFY_CHANNEL, forget, waiter
from kit.telemetry import context_from, current_trace_headers, tracer

log = logging.getLogger(__name__)
_ADVISORY_LOCK_KEY = 0x4C474E4554  # "LGNET"
_table = OutboxMessage.__table__  # type: ignore[attr-defined]


def producer_config(bootstrap_servers: str, client_id: str) -> dict[str, Any]:
    """The producer settings every LGNet publisher uses."""
    return {
        "bootstrap_servers": bootstrap_servers,
        "client_id": client_id,
        "enable_idempotence": True,  # aiokafka's default is False
        "acks": "all",
        "linger_ms": 1,
        "request_timeout_ms": 15000,
        "retry_backoff_ms": 100,
    }


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        bootstrap_servers: str,
        client_id: str,
        batch_size: int = 500,
        idle_poll: float = 1.0,
        retention: timedelta = timedelta(days=1),
    ) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.batch_size = batch_size
        self.idle_poll = idle_poll
        self.retention = retention
        self._url = engine.url.render_as_string(hide_password=False)
        self._task: asyncio.Task[None] | None = None
        self._producer: AIOKafkaProducer | None = None
        self._last_purge = datetime.min.replace(tzinfo=UTC)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.client_id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_producer()

    async def _run(self) -> None:
        wake = waiter(self._url)
        listener = None
        if self.engine.dialect.name == "postgresql":
            listener = asyncio.create_task(self._listen(wake))
        try:
            while True:
                try:
                    async with self._leadership():
                        await self._pump(wake)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox relay failed; restarting in 1s")
                    await asyncio.sleep(1)
        finally:
            forget(self._url, wake)
            if listener is not None:
                listener.cancel()

    async def _pump(self, wake: asyncio.Event) -> None:
        backoff = 0.1
        while True:
            wake.clear()  # cleared before reading, so a commit during the read is not missed
            rows = await self._next_batch()
            if not rows:
                OUTBOX_OLDEST_AGE.set(0)
                await self._purge_published()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.idle_poll)
                continue
            OUTBOX_OLDEST_AGE.set((datetime.now(UTC) - _aware(rows[0].created_at)).total_seconds())
            try:
                await self._publish(rows)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                OUTBOX_ERRORS.inc()
                log.warning(
                    "outbox publish failed (%s); retrying in %.1fs", type(exc).__name__, backoff
                )
                await self._close_producer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.1
            await self._mark_published(rows)

    async def _next_batch(self) -> Sequence[OutboxMessage]:
        async with self.sessions() as session:
            result = await session.execute(
                select(OutboxMessage)
                .where(_table.c.published_at.is_(None))
                .order_by(_table.c.position)
                .limit(self.batch_size)
            )
            return result.scalars().all()

    async def _publish(self, rows: Sequence[OutboxMessage]) -> None:
        producer = await self._ensure_producer()
        deliveries = []
        for row in rows:
            headers = [(name, value.encode()) for name, value in row.headers]
            parent = context_from(_header(row.headers, "ce_traceparent"))
            with tracer().start_as_current_span(
                f"publish {row.topic}", context=parent, kind=trace.SpanKind.PRODUCER
            ) as span:
                span.set_attribute("messaging.system", "kafka")
                span.set_attribute("messaging.destination.name", row.topic)
                span.set_attribute("messaging.message.id", str(row.event_id))
                traceparent, _ = current_trace_headers()
                if traceparent:
                    headers = [(n, v) for n, v in headers if n != "ce_traceparent"]
                    headers.append(("ce_traceparent", traceparent.encode()))
                deliveries.append(
                    await producer.send(
                        row.topic, value=row.value, key=row.key.encode(), headers=headers
                    )
                )
        await asyncio.gather(*deliveries)
        for row in rows:
            OUTBOX_PUBLISHED.labels(row.topic).inc()

    async def _mark_published(self, rows: Sequence[OutboxMessage]) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(_table.c.position.in_([r.position for r in rows]))
                .values(published_at=datetime.now(UTC))
            )

    async def _purge_published(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_purge < timedelta(minutes=5):
            return
        self._last_purge = now
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(OutboxMessage).where(_table.c.published_at < now - self.retention)
            )

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(**producer_config(self.bootstrap_servers, self.client_id))
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    @contextlib.asynccontextmanager
    async def _leadership(self) -> AsyncIterator[None]:
        if self.engine.dialect.name != "postgresql":
            yield
            return
        async with self.engine.connect() as conn:
            while not (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY}
                )
            ).scalar_one():
                await conn.rollback()
                await asyncio.sleep(2)  # another replica relays this database
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK_KEY})
                await conn.commit()

    async def _listen(self, wake: asyncio.Event) -> None:
        import psycopg

        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    async for _ in conn.notifies():
                        wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox LISTEN connection lost (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(1)


def _header(headers: list[Any], name: str) -> str | None:
    return next((value for key, value in headers if key == name), None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = ["OutboxRelay", "producer_config"]
