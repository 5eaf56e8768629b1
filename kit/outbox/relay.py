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
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy import BigInteger, Row, any_, bindparam, delete, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from kit.aio import cancel_and_wait, wait_until_set
from kit.db import READS_ONLY
from kit.events.envelope import unpack_headers
from kit.metrics import OUTBOX_ERRORS, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from kit.outbox.models import OutboxMessage
from kit.outbox.writer import NOTIFY_CHANNEL, forget, leading, waiter
from kit.telemetry import context_from, current_trace_headers, tracer, tracing_enabled

log = logging.getLogger(__name__)
_ADVISORY_LOCK_KEY = 0x4C474E4554  # "LGNET"
_table = OutboxMessage.__table__  # type: ignore[attr-defined]
# What the relay reads: plain rows, not ORM instances (loading entities cost more than sending).
_COLUMNS = [
    _table.c[name]
    for name in ("position", "event_id", "topic", "key", "headers", "value", "created_at")
]


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
            task, self._task = self._task, None
            await cancel_and_wait(task)
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
                await cancel_and_wait(listener)

    async def _pump(self, wake: asyncio.Event) -> None:
        backoff = 0.1
        # Three things overlap: batch k is sent and acknowledged while batch k+1 is read, and
        # batch k-1 is marked meanwhile. A read skips the positions still in flight or being
        # marked; at most one read and one mark run beside the send.
        marking: asyncio.Task[None] | None = None
        marking_positions: list[int] = []
        reading: asyncio.Task[Sequence[Row[Any]]] | None = None
        # Whether rows may be waiting that no read has seen: a read that returned a full batch
        # may have left some, and `wake` is set by every commit that wrote events since the
        # last read began. Otherwise no read is made (at a steady trickle of events, reading
        # again after each batch was most of the relay's work and found nothing).
        more = True
        try:
            while True:
                if reading is None:
                    if not more and not wake.is_set():
                        if marking is not None:
                            await marking
                            marking, marking_positions = None, []
                        OUTBOX_OLDEST_AGE.set(0)
                        await self._purge_published()
                        await wait_until_set(wake, self.idle_poll)  # idle_poll: a safety net
                    wake.clear()  # before reading, so a commit during the read is not missed
                    reading = asyncio.create_task(self._next_batch(exclude=marking_positions))
                rows, reading = await reading, None
                more = len(rows) >= self.batch_size
                if not rows:
                    continue
                OUTBOX_OLDEST_AGE.set(
                    (datetime.now(UTC) - _aware(rows[0].created_at)).total_seconds()
                )
                positions = [row.position for row in rows]
                if more or wake.is_set():
                    wake.clear()
                    reading = asyncio.create_task(
                        self._next_batch(exclude=[*marking_positions, *positions])
                    )
                try:
                    await self._publish(rows)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if reading is not None:
                        with contextlib.suppress(Exception):  # the read is started again
                            await cancel_and_wait(reading)
                    reading, more = None, True
                    OUTBOX_ERRORS.inc()
                    log.warning(
                        "outbox publish failed (%s); retrying in %.1fs",
                        type(exc).__name__,
                        backoff,
                    )
                    await self._close_producer()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                backoff = 0.1
                if marking is not None:
                    await marking
                marking = asyncio.create_task(self._mark_published(rows))
                marking_positions = positions
        finally:
            for task in (reading, marking):
                if task is not None and not task.done():
                    task.cancel()

    async def _next_batch(self, exclude: Sequence[int] = ()) -> Sequence[Row[Any]]:
        query = select(*_COLUMNS).where(_table.c.published_at.is_(None))
        if exclude:
            query = query.where(~self._among(exclude))
        async with self._connection(READS_ONLY) as conn:  # SQLite: never waits for a writer
            result = await conn.execute(query.order_by(_table.c.position).limit(self.batch_size))
            return result.all()

    @contextlib.asynccontextmanager
    async def _connection(
        self, sqlite_options: Mapping[str, str]
    ) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement: on PostgreSQL in autocommit (the statement is its
        own transaction, with no BEGIN and COMMIT round trips); on SQLite a transaction with
        `sqlite_options`, committed on exit (the writer's turn needs it)."""
        async with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
                return
            await conn.execution_options(**sqlite_options)
            yield conn
            await conn.commit()

    def _among(self, positions: Sequence[int]) -> Any:
        """``position IN positions``: one array parameter on PostgreSQL, not one per row."""
        if self.engine.dialect.name == "postgresql":
            array = bindparam("positions", list(positions), type_=ARRAY(BigInteger))
            return _table.c.position == any_(array)
        return _table.c.position.in_(list(positions))

    async def _publish(self, rows: Sequence[Row[Any]]) -> None:
        producer = await self._ensure_producer()
        # a publish span per event only when spans are recorded: the no-op ones cost a third of
        # the send itself, and without them the row's own traceparent reaches the consumer
        traced = tracing_enabled()
        deliveries = []
        for row in rows:
            headers = unpack_headers(row.headers)
            if traced:
                headers = _with_publish_span(row, headers)
            deliveries.append(
                await producer.send(
                    row.topic, value=row.value, key=row.key.encode(), headers=headers
                )
            )
        await asyncio.gather(*deliveries)
        for topic, count in Counter(row.topic for row in rows).items():
            OUTBOX_PUBLISHED.labels(topic).inc(count)

    async def _mark_published(self, rows: Sequence[Row[Any]]) -> None:
        async with self._connection({}) as conn:
            await conn.execute(
                update(_table)
                .where(self._among([row.position for row in rows]))
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
                await _stop(producer)
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _stop(producer)

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
                with leading(self._url):
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


async def _stop(producer: AIOKafkaProducer) -> None:
    """Stop `producer`, giving up after 5 s (an unreachable broker must not hang a shutdown)."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(5):
            await producer.stop()


def _with_publish_span(row: Row[Any], headers: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The record's headers with ``ce_traceparent`` naming a new PRODUCER span."""
    parent = context_from(_header(headers, "ce_traceparent"))
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
    return headers


def _header(headers: list[tuple[str, bytes]], name: str) -> str | None:
    return next((value.decode() for key, value in headers if key == name), None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = ["OutboxRelay", "producer_config"]
