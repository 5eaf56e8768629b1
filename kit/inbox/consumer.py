"""Consume CloudEvents from Kafka and apply each one's effect exactly once.

For every record: parse the envelope, validate it against its contract, then in ONE
transaction insert ``(consumer, event_id)`` into the inbox and run the handler. A redelivered
event finds its inbox row and is skipped, so a crash between the database commit and the Kafka
offset commit applies nothing twice. A failing handler is retried with capped exponential
backoff; after ``max_attempts`` (or at once, for a record that can never succeed: bad envelope,
schema violation) the record goes to ``<topic>.dlq`` with the reason, and consumption goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.aio import cancel_and_wait
from kit.events import contracts
from kit.events.envelope import CloudEvent, InvalidEnvelope
from kit.inbox.models import InboxEntry
from kit.metrics import CONSUMED, CONSUMER_LAG, CONSUMER_RETRIES
from kit.outbox.relay import producer_config
from kit.telemetry import context_from, tracer

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class Unprocessable(Exception):
    """Raised by a handler for an event that no retry can make succeed: straight to the DLQ."""


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        sessions: SessionFactory,
        bootstrap_servers: str,
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_cap: float = 5.0,
        batch_size: int = 200,
        validate: Callable[[CloudEvent], None] | None = contracts.validate,
        commit_interval: float = 0.5,
    ) -> None:
        self.name = name
        self.topics = topics
        self.handlers = dict(handlers)
        self.sessions = sessions
        self.bootstrap_servers = bootstrap_servers
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.batch_size = batch_size
        self.validate = validate
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self.commit_interval = commit_interval
        self._uncommitted: dict[TopicPartition, int] = {}
        self._committed_at = 0.0
        self._dlq: AIOKafkaProducer | None = None
        self.started = False

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.name,
            client_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,  # notice new topics quickly
        )
        self._dlq = AIOKafkaProducer(**producer_config(self.bootstrap_servers, f"{self.name}-dlq"))
        await self._consumer.start()
        await self._dlq.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")
        self.started = True

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        if self._consumer is not None and self._uncommitted:
            # best effort: what is not committed is redelivered at the next start, and refused
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self._commit(self._consumer)
        for client in (self._consumer, self._dlq):
            if client is not None:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(10):
                        await client.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        while True:
            try:
                batches = await consumer.getmany(timeout_ms=1000, max_records=self.batch_size)
                # Partitions are independent (one key stays in one partition): they are applied
                # side by side, each in its order.
                outcomes = await asyncio.gather(
                    *(
                        self._apply_in_order(consumer, partition, records)
                        for partition, records in batches.items()
                    ),
                    return_exceptions=True,
                )
                for (partition, records), outcome in zip(batches.items(), outcomes, strict=True):
                    if outcome is None:
                        self._uncommitted[partition] = records[-1].offset + 1
                for outcome in outcomes:
                    if isinstance(outcome, BaseException):
                        raise outcome
                # Offsets only bound what a restart or a rebalance redelivers (and the inbox
                # refuses a redelivered event): committed every commit_interval, not after every
                # poll, since a commit is a round trip that costs more than applying a record.
                now = time.monotonic()
                if self._uncommitted and now - self._committed_at >= self.commit_interval:
                    await self._commit(consumer)
                    self._committed_at = now
                await self._report_lag(consumer)
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:
                log.warning("consumer %s: kafka error %s; going on", self.name, type(exc).__name__)
                await asyncio.sleep(1)
            except Exception:
                # the failed partition was rewound: its records are read again, none is lost
                log.exception("consumer %s: batch failed; reading it again", self.name)
                await asyncio.sleep(1)

    async def _apply_in_order(
        self,
        consumer: AIOKafkaConsumer,
        partition: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
    ) -> None:
        for record in records:
            try:
                await self.process(record)
            except BaseException:
                # read again from here next time, not skipped until a rebalance
                consumer.seek(partition, record.offset)
                raise

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> str:
        """Apply one record; returns the outcome (applied, duplicate, ignored, dead_lettered)."""
        try:
            event = CloudEvent.from_record(record.key, record.value, record.headers)
            if self.validate is not None:
                self.validate(event)
        except (InvalidEnvelope, contracts.SchemaViolation) as exc:
            await self._dead_letter(record, f"{type(exc).__name__}: {exc}", attempts=0)
            return self._count("unknown", "dead_lettered")
        handler = self.handlers.get(event.type)
        if handler is None:
            return self._count(event.type, "ignored")  # a type this consumer does not need
        attempt = 0
        while True:
            attempt += 1
            try:
                with tracer().start_as_current_span(
                    f"process {event.type}",
                    context=context_from(event.traceparent, event.tracestate),
                    kind=trace.SpanKind.CONSUMER,
                ) as span:
                    span.set_attribute("messaging.consumer.group.name", self.name)
                    span.set_attribute("messaging.message.id", event.id)
                    applied = await self._apply(handler, event)
                return self._count(event.type, "applied" if applied else "duplicate")
            except asyncio.CancelledError:
                raise
            except Unprocessable as exc:
                await self._dead_letter(record, f"Unprocessable: {exc}", attempts=attempt)
                return self._count(event.type, "dead_lettered")
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.exception(
                        "consumer %s: event %s failed %d times", self.name, event.id, attempt
                    )
                    await self._dead_letter(
                        record, f"{type(exc).__name__}: {exc}", attempts=attempt
                    )
                    return self._count(event.type, "dead_lettered")
                CONSUMER_RETRIES.labels(self.name, event.type).inc()
                await asyncio.sleep(min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    async def _apply(self, handler: Handler, event: CloudEvent) -> bool:
        async with self.sessions() as session:
            if not await _claim(session, self.name, event):
                return False
            await handler(session, event)
            return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, *, attempts: int
    ) -> None:
        assert self._dlq is not None
        headers = [
            *record.headers,
            ("lgnet_dlq_reason", reason[:1000].encode()),
            ("lgnet_dlq_consumer", self.name.encode()),
            ("lgnet_dlq_attempts", str(attempts).encode()),
            ("lgnet_dlq_source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        await self._dlq.send_and_wait(
            f"{record.topic}.dlq", value=record.value, key=record.key, headers=headers
        )
        log.warning(
            "consumer %s: %s/%d@%d sent to DLQ",
            self.name,
            record.topic,
            record.partition,
            record.offset,
        )

    async def _commit(self, consumer: AIOKafkaConsumer) -> None:
        """Commit the offsets of what was applied, for the partitions still assigned."""
        assigned = consumer.assignment()
        offsets = {tp: offset for tp, offset in self._uncommitted.items() if tp in assigned}
        self._uncommitted = {}
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except CommitFailedError:
            # rebalanced away: the new owner re-reads from the last commit; the inbox dedupes
            log.info("consumer %s: commit lost in a rebalance", self.name)

    async def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            if highwater is None:
                continue
            position = await consumer.position(partition)
            CONSUMER_LAG.labels(self.name, partition.topic, str(partition.partition)).set(
                max(0, highwater - position)
            )

    def _count(self, event_type: str, outcome: str) -> str:
        CONSUMED.labels(self.name, event_type, outcome).inc()
        return outcome


async def _claim(session: AsyncSession, consumer: str, event: CloudEvent) -> bool:
    """Insert the inbox row; False if this consumer already applied the event."""
    values: dict[str, Any] = {
        "consumer": consumer,
        "event_id": uuid.UUID(event.id),
        "event_type": event.type,
        "processed_at": datetime.now(UTC),
    }
    table = InboxEntry.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    connection = await session.connection()
    # RETURNING, not rowcount: psycopg's async cursor reports -1 for ON CONFLICT DO NOTHING
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.event_id)
    return (await connection.execute(statement)).first() is not None
