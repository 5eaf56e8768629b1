"""Consume CloudEvents from Kafka and apply each one's effect exactly once.

The records a poll returns are applied together, each partition's in order, in ONE
transaction: their ``(consumer, event_id)`` rows are inserted into the inbox in one statement
(``ON CONFLICT DO NOTHING RETURNING``), the handlers run for the events that statement claimed,
and the transaction commits once. A redelivered event finds its inbox row and is skipped, so a
crash between the database commit and the Kafka offset commit applies nothing twice. A fetch
waits up to ``linger`` seconds for more than a trickle brings (``fetch_max_wait_ms``): at a
trickle of events a transaction per record or two was most of the consumer's work.

A record that fails must not hold back the others: when the batch fails, it is rolled back and
its records are applied one by one (the partitions side by side, each in its order), each in
its own transaction, a failing one retried with capped exponential backoff; after
``max_attempts`` (or at once, for a record that can never succeed: bad envelope, schema
violation, `Unprocessable`) the record goes to ``<topic>.dlq`` with the reason, and
consumption goes on. A bad envelope or schema never enters the
transaction: it is parked before the batch is applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from sqlalchemy.dialects import sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.aio import cancel_and_wait
from kit.db import driver_connection
from kit.events import contracts
from kit.events.envelope import CloudEvent, InvalidEnvelope
from kit.inbox.models import InboxEntry
from kit.metrics import CONSUMED, CONSUMER_LAG, CONSUMER_RETRIES
from kit.outbox.relay import producer_config
from kit.telemetry import context_from, tracer, tracing_enabled

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
"""Applies one event's effect in `session` (flushes at most; the consumer commits).

The session may hold the effects of the events before it in the batch: ORM queries see them
(the session flushes before it queries); SQL run on ``session.connection()`` sees them once
the handler has called ``await session.flush()``."""
BatchHandler = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]
"""The bulk form of a `Handler`: the effects of consecutive events of one type, in order, in one
go (one multi-row statement rather than one per event). It must have the same effect as the
per-event handler applied to each event in turn, which stays the one used for retries."""


@dataclass(frozen=True)
class OneAtATime:
    """The per-event `Handler` of a `BatchHandler`: a run of one. An object, not a closure,
    so that a subscription pickles (a parallel rebuild hands it to another process)."""

    bulk: BatchHandler

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        await self.bulk(session, [event])


SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Batches = Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]]
"""What a poll returns: each partition's records, in order."""

FETCH_MIN_BYTES = 1 << 20
"""What a fetch waits for, up to ``linger`` seconds: far more than a trickle of events brings,
so at a trickle the broker answers every ``linger`` with all that came meanwhile, and under
load at once."""

CLAIM_CHUNK = 500
"""Inbox rows per INSERT on SQLite: 4 parameters each, well under its 32,766 bound parameters
per statement (PostgreSQL takes the batch's ids as one array)."""


class Unprocessable(Exception):
    """Raised by a handler for an event that no retry can make succeed: straight to the DLQ."""


@dataclass(frozen=True)
class _Item:
    """A record this consumer handles, its envelope parsed and validated."""

    record: ConsumerRecord[bytes, bytes]
    event: CloudEvent
    handler: Handler
    event_id: uuid.UUID  # the event's id, parsed once


class _BatchFailed(Exception):
    """The batch was rolled back; `position` is the item whose handler raised, if one did (it
    may have raised another's error: an ORM flush before its query runs earlier statements)."""

    def __init__(self, position: int | None, cause: Exception) -> None:
        super().__init__(str(cause))
        self.position = position
        self.cause = cause


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        sessions: SessionFactory,
        bootstrap_servers: str,
        batch_handlers: Mapping[str, BatchHandler] | None = None,
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_cap: float = 5.0,
        batch_size: int = 200,
        validate: Callable[[CloudEvent], None] | None = contracts.validate,
        commit_interval: float = 0.5,
        linger: float = 0.03,
        dead_letters: bool = True,
        commutative: bool = False,
    ) -> None:
        self.name = name
        self.topics = topics
        self.handlers = dict(handlers)
        self.batch_handlers = dict(batch_handlers or {})
        if unknown := sorted(set(self.batch_handlers) - set(self.handlers)):
            # the per-event handler is what a failed batch falls back to
            raise ValueError(f"batch handlers without a per-event handler: {', '.join(unknown)}")
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
        self.linger = linger
        self.dead_letters = dead_letters  # False: a replay, whose failures were parked live
        # True: events of different types have effects that commute, so a batch's events are
        # applied type by type (each type's in order): long runs for the batch handlers
        self.commutative = commutative
        self._uncommitted: dict[TopicPartition, int] = {}
        self._committed_at = 0.0
        self._committing: asyncio.Task[None] | None = None  # the offset commit under way
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
            # the broker answers a fetch when it holds a batch's worth or `linger` has passed
            fetch_min_bytes=FETCH_MIN_BYTES if self.linger > 0 else 1,
            fetch_max_wait_ms=max(1, round(1000 * self.linger)) if self.linger > 0 else 500,
        )
        self._dlq = AIOKafkaProducer(**producer_config(self.bootstrap_servers, f"{self.name}-dlq"))
        await self._consumer.start()
        await self._dlq.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")
        self.started = True

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        if self._committing is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self._committing
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
                if batches:
                    await self._apply_poll(consumer, batches)
                # Offsets only bound what a restart or a rebalance redelivers (and the inbox
                # refuses a redelivered event): committed every commit_interval, not after every
                # poll, and beside the next polls rather than before them: a commit is a round
                # trip to the group's coordinator that took as long as applying a batch.
                now = time.monotonic()
                if (
                    self._uncommitted
                    and now - self._committed_at >= self.commit_interval
                    and (self._committing is None or self._committing.done())
                ):
                    self._committing = asyncio.create_task(self._commit(consumer))
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

    async def _apply_poll(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        try:
            await self.process_batch([record for records in batches.values() for record in records])
        except BaseException:
            # read them again next time, not skipped until a rebalance (what was applied
            # meanwhile is refused by the inbox)
            for partition, records in batches.items():
                consumer.seek(partition, records[0].offset)
            raise
        for partition, records in batches.items():
            self._uncommitted[partition] = records[-1].offset + 1

    async def process_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
        """Apply `records` together (each partition's in the order given); their outcomes,
        one per record (applied, duplicate, ignored, dead_lettered)."""
        outcomes: dict[int, str] = {}
        items: list[tuple[int, _Item]] = []
        for position, record in enumerate(records):
            parsed = await self._parse(record)
            if isinstance(parsed, str):
                outcomes[position] = parsed
            else:
                items.append((position, parsed))
        if items:
            try:
                applied = await self._apply_together([item for _, item in items])
            except _BatchFailed as failed:
                log.info(
                    "consumer %s: a batch of %d failed (%s); applying them one by one",
                    self.name,
                    len(items),
                    type(failed.cause).__name__,
                )
                by_partition: dict[tuple[str, int], list[tuple[int, int, _Item]]] = {}
                for n, (position, item) in enumerate(items):
                    key = (item.record.topic, item.record.partition)
                    by_partition.setdefault(key, []).append((n, position, item))

                cause, failed_at = failed.cause, failed.position

                async def one_by_one(group: list[tuple[int, int, _Item]]) -> None:
                    for n, position, item in group:
                        first = cause if n == failed_at else None
                        outcomes[position] = await self._apply_with_retries(item, failed=first)

                # partitions are independent (a key stays in one): side by side, each in order
                await asyncio.gather(*(one_by_one(group) for group in by_partition.values()))
            else:
                tally: Counter[tuple[str, str]] = Counter()
                for (position, item), fresh in zip(items, applied, strict=True):
                    outcome = "applied" if fresh else "duplicate"
                    outcomes[position] = outcome
                    tally[item.event.type, outcome] += 1
                for (event_type, outcome), count in tally.items():  # one update per kind
                    CONSUMED.labels(self.name, event_type, outcome).inc(count)
        return [outcomes[position] for position in range(len(records))]

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> str:
        """Apply one record in a transaction of its own; returns the outcome (applied,
        duplicate, ignored, dead_lettered)."""
        parsed = await self._parse(record)
        if isinstance(parsed, str):
            return parsed
        return await self._apply_with_retries(parsed)

    async def _parse(self, record: ConsumerRecord[bytes, bytes]) -> _Item | str:
        """The record as an item to apply, or the outcome of a record not to apply: parked in
        the DLQ (it can never succeed) or ignored (a type this consumer does not need: told
        by its ``ce_type`` header, without parsing it)."""
        kind = _type_header(record.headers)
        if kind is not None and kind not in self.handlers:
            return self._count(kind, "ignored")
        try:
            event = CloudEvent.from_record(record.key, record.value, record.headers)
            if self.validate is not None:
                self.validate(event)
        except (InvalidEnvelope, contracts.SchemaViolation) as exc:
            await self._dead_letter(record, f"{type(exc).__name__}: {exc}", attempts=0)
            return self._count("unknown", "dead_lettered")
        handler = self.handlers.get(event.type)
        if handler is None:
            return self._count(event.type, "ignored")
        return _Item(record, event, handler, uuid.UUID(event.id))

    async def _apply_together(self, items: list[_Item]) -> list[bool]:
        """Apply `items` in one transaction: for each, whether it was applied (False: a
        duplicate, this consumer applied it before). `_BatchFailed` once rolled back."""
        position: int | None = None
        try:
            async with self.sessions() as session:
                claimed = await _claim(session, self.name, items)
                fresh = first_claims([item.event_id for item in items], claimed)
                todo = [n for n, is_fresh in enumerate(fresh) if is_fresh]
                if self.commutative:  # type by type, in the order types first came
                    rank: dict[str, int] = {}
                    for n in todo:
                        rank.setdefault(items[n].event.type, len(rank))
                    todo.sort(key=lambda n: rank[items[n].event.type])  # stable
                keys = [self._batch_key(items[n].event.type) for n in todo]
                for first, end in runs(keys):
                    run = [items[n] for n in todo[first:end]]
                    if keys[first] is None or len(run) == 1:
                        # one event goes through its own handler, in its own span, a child
                        # of the span that published it (a bulk run's span only links them)
                        position = todo[first]
                        await self._handle(session, run[0])
                    else:
                        position = None  # which of its events failed is not known
                        # its SQL sees the effects before it (the ORM flushes before its own
                        # queries, not before SQL run on the connection)
                        await session.flush()
                        await self._handle_bulk(session, run)
                position = None  # a failed commit belongs to no one item
            return fresh
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise _BatchFailed(position, exc) from exc

    def _batch_key(self, event_type: str) -> str | None:
        return event_type if event_type in self.batch_handlers else None

    async def _handle(self, session: AsyncSession, item: _Item) -> None:
        with self._span(item.event):
            await item.handler(session, item.event)

    def _span(self, event: CloudEvent) -> AbstractContextManager[object]:
        """One event's span, its parent the span that published the event (none when spans
        are not recorded: a no-op span costs as much as a small effect)."""
        if not tracing_enabled():
            return contextlib.nullcontext()
        span = tracer().start_as_current_span(
            f"process {event.type}",
            context=context_from(event.traceparent, event.tracestate),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": event.id,
            },
        )
        return span

    async def _handle_bulk(self, session: AsyncSession, run: list[_Item]) -> None:
        """A run of events of one type through its batch handler, in one span linked to each
        event's publishing span."""
        events = [item.event for item in run]
        bulk = self.batch_handlers[events[0].type]
        if not tracing_enabled():
            await bulk(session, events)
            return
        links = [
            trace.Link(trace.get_current_span(context_from(e.traceparent)).get_span_context())
            for e in events
            if e.traceparent
        ]
        # and one span per event, a child of the span that published it, so that each
        # event's trace runs on to its effect (they end with the run that applied them)
        each = [
            tracer().start_span(
                f"process {event.type}",
                context=context_from(event.traceparent, event.tracestate),
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.consumer.group.name": self.name,
                    "messaging.message.id": event.id,
                },
            )
            for event in events
        ]
        try:
            with tracer().start_as_current_span(
                f"process {events[0].type}",
                kind=trace.SpanKind.CONSUMER,
                links=links,
                attributes={
                    "messaging.consumer.group.name": self.name,
                    "messaging.batch.message_count": len(events),
                },
            ):
                await bulk(session, events)
        finally:
            for span in each:
                span.end()

    async def _apply_with_retries(self, item: _Item, *, failed: Exception | None = None) -> str:
        """Apply `item` in a transaction of its own, retried with backoff, then the DLQ.
        `failed`: how its first attempt (inside a batch) failed, if it did."""
        event, record = item.event, item.record
        # A failure in a batch is this item's only if its handler raised it, not a statement of
        # an earlier handler flushed late: it counts as an attempt, but is never the last one.
        in_batch = failed is not None
        attempt = 0
        while True:
            attempt += 1
            if failed is None:
                try:
                    applied = await self._apply(item)
                    return self._count(event.type, "applied" if applied else "duplicate")
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failed = exc
            if isinstance(failed, Unprocessable):
                await self._dead_letter(record, f"Unprocessable: {failed}", attempts=attempt)
                return self._count(event.type, "dead_lettered")
            if attempt >= self.max_attempts and not (in_batch and attempt == 1):
                log.error(
                    "consumer %s: event %s failed %d times",
                    self.name,
                    event.id,
                    attempt,
                    exc_info=failed,
                )
                await self._dead_letter(
                    record, f"{type(failed).__name__}: {failed}", attempts=attempt
                )
                return self._count(event.type, "dead_lettered")
            failed = None
            CONSUMER_RETRIES.labels(self.name, event.type).inc()
            await asyncio.sleep(min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    async def _apply(self, item: _Item) -> bool:
        with self._span(item.event):
            async with self.sessions() as session:
                if not await _claim(session, self.name, [item]):
                    return False
                await item.handler(session, item.event)
                return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, *, attempts: int
    ) -> None:
        if not self.dead_letters:
            log.warning(
                "consumer %s: %s/%d@%d not applied (%s); not parked again",
                self.name,
                record.topic,
                record.partition,
                record.offset,
                reason.partition(":")[0],  # the kind: a message may quote the record
            )
            return
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
        """Commit the offsets of what was applied, for the partitions still assigned. Offsets
        it could not commit wait for the next commit, unless a newer one came meanwhile."""
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
        except KafkaError as exc:
            log.warning("consumer %s: offset commit failed (%s)", self.name, type(exc).__name__)
            for partition, offset in offsets.items():
                self._uncommitted.setdefault(partition, offset)

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


def _type_header(headers: Sequence[tuple[str, bytes]]) -> str | None:
    """The record's ``ce_type``, if it has a readable one."""
    for name, raw in headers:
        if name == "ce_type":
            try:
                return raw.decode()
            except UnicodeDecodeError:
                return None
    return None


def first_claims(event_ids: Sequence[str | uuid.UUID], claimed: set[uuid.UUID]) -> list[bool]:
    """For each event id of a batch, in order, whether it is to be applied: claimed by this
    batch's inbox insert, and its first occurrence (a producer's retry may repeat an event
    within one batch; the insert claims it once)."""
    seen: set[uuid.UUID] = set()
    fresh = []
    for event_id in event_ids:
        key = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(event_id)
        fresh.append(key in claimed and key not in seen)
        seen.add(key)
    return fresh


def runs(keys: Sequence[Hashable | None]) -> list[tuple[int, int]]:
    """``(start, end)`` of each run to hand to one handler call: consecutive equal keys form
    one run, and every ``None`` (no batch form) is a run of its own."""
    spans: list[tuple[int, int]] = []
    for n, key in enumerate(keys):
        if spans and key is not None and keys[spans[-1][0]] == key:
            spans[-1] = (spans[-1][0], n + 1)
        else:
            spans.append((n, n + 1))
    return spans


async def _claim(session: AsyncSession, consumer: str, items: Sequence[_Item]) -> set[uuid.UUID]:
    """Insert the items' inbox rows in one statement; the ids inserted (the events this
    consumer had not applied before)."""
    now = datetime.now(UTC)
    ids = [item.event_id for item in items]
    types = [item.event.type for item in items]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # two array parameters: one statement text whatever the batch's size, prepared once
        # (a VALUES list of 4 parameters per row costs psycopg ~0.1 ms per row to parse); on
        # the driver's connection, in the session's transaction (`driver_connection`)
        driver = await driver_connection(connection)
        cursor = await driver.execute(
            _CLAIM_ARRAYS, {"consumer": consumer, "ids": ids, "types": types, "now": now}
        )
        # it returns the ids applied before (mostly none), not the thousands claimed: reading
        # rows back cost more than the insert
        return set(ids).difference(row[0] for row in await cursor.fetchall())
    claimed: set[uuid.UUID] = set()
    for first in range(0, len(ids), CLAIM_CHUNK):
        rows: list[dict[str, Any]] = [
            {"consumer": consumer, "event_id": i, "event_type": t, "processed_at": now}
            for i, t in zip(
                ids[first : first + CLAIM_CHUNK], types[first : first + CLAIM_CHUNK], strict=True
            )
        ]
        # RETURNING, not rowcount: psycopg's async cursor reports -1 for ON CONFLICT DO NOTHING
        statement = (
            sqlite.insert(_inbox).values(rows).on_conflict_do_nothing().returning(_inbox.c.event_id)
        )
        claimed.update((await connection.execute(statement)).scalars())
    return claimed


_inbox = InboxEntry.__table__  # type: ignore[attr-defined]
_CLAIM_ARRAYS = (
    "WITH inserted AS ("
    "INSERT INTO inbox (consumer, event_id, event_type, processed_at) "
    "SELECT %(consumer)s, claimed.event_id, claimed.event_type, %(now)s "
    "FROM unnest(%(ids)s::uuid[], %(types)s::text[]) AS claimed (event_id, event_type) "
    "ON CONFLICT DO NOTHING RETURNING inbox.event_id) "
    "SELECT DISTINCT asked.event_id FROM unnest(%(ids)s::uuid[]) AS asked (event_id) "
    "WHERE asked.event_id NOT IN (SELECT event_id FROM inserted)"
)
"""The batch's inbox rows inserted in one statement; it returns the ids already there."""
