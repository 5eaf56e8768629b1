"""The inbox applies a poll's records in one transaction, and falls back to one by one when that
fails: each effect once, each partition in order, a poison record in the DLQ (SQLite, no Kafka:
records are built here and the DLQ is a list)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import sqlmodel
from aiokafka import ConsumerRecord
from pydantic import BaseModel
from sqlalchemy import insert, select, text
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database
from kit.events.envelope import CloudEvent
from kit.inbox import BatchHandler, ConsumedEvent, EventConsumer, Handler, Unprocessable
from kit.inbox.consumer import first_claims, runs
from kit.migrations import kit_metadata
from kit.service import Subscription
from kit.tables import new_registry
from kit.testing.things import consumer_record, records_of

_registry = new_registry()
CHANGED = "lgnet.testkit.thing.changed"
CLOSED = "lgnet.testkit.thing.closed"


class _Table(SQLModel, registry=_registry):
    pass


class Effect(_Table, table=True):
    """One row per application, numbered in the order applied (a rolled-back row is gone)."""

    __tablename__ = "effects"
    position: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID
    sequence: int
    via: str


_effects = Effect.__table__  # type: ignore[attr-defined]


@pytest.fixture
async def db(database: Database) -> Database:
    async with database.engine.begin() as connection:
        await connection.run_sync(kit_metadata().create_all)
        await connection.run_sync(_registry.metadata.create_all)
    return database


class Consumer(EventConsumer):
    """An `EventConsumer` that counts its transactions and parks DLQ records in a list."""

    def __init__(self, db: Database, *, backoff_base: float = 0.0, **kwargs: Any) -> None:
        super().__init__(
            name="batch-test",
            topics=["lgnet.testkit.things"],
            sessions=self._session,
            bootstrap_servers="127.0.0.1:1",  # never started: no Kafka here
            validate=None,
            backoff_base=backoff_base,
            **kwargs,
        )
        self.db = db
        self.transactions = 0
        self.parked: list[tuple[int, str, int]] = []  # offset, reason, attempts

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        self.transactions += 1
        async with self.db.session() as session:
            yield session

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, *, attempts: int
    ) -> None:
        self.parked.append((record.offset, reason, attempts))


def _event(sequence: int, kind: str = CHANGED) -> CloudEvent:
    return CloudEvent(
        type=kind,
        source="lgnet.testkit",
        subject="thing-1",
        data={"sequence": sequence},
        dataschema=f"{kind}/1",
    )


def effect(via: str, calls: list[int] | None = None) -> Handler:
    async def apply(session: AsyncSession, event: CloudEvent) -> None:
        if calls is not None:
            calls.append(int(event.data["sequence"]))
        session.add(Effect(event_id=uuid.UUID(event.id), sequence=event.data["sequence"], via=via))

    return apply


def bulk_effect(calls: list[list[int]]) -> BatchHandler:
    async def apply(session: AsyncSession, events: list[CloudEvent]) -> None:
        calls.append([int(event.data["sequence"]) for event in events])
        rows = [
            {"event_id": uuid.UUID(e.id), "sequence": e.data["sequence"], "via": "bulk"}
            for e in events
        ]
        await (await session.connection()).execute(insert(_effects), rows)

    return apply


async def applied(db: Database) -> list[tuple[int, str]]:
    async with db.engine.connect() as conn:
        query = select(_effects.c.sequence, _effects.c.via).order_by(_effects.c.position)
        return [(row.sequence, row.via) for row in await conn.execute(query)]


def test_consecutive_keys_form_one_run_and_none_stands_alone() -> None:
    assert runs([]) == []
    assert runs(["a", "a", "b", "a"]) == [(0, 2), (2, 3), (3, 4)]
    assert runs([None, None, "a", "a", None]) == [(0, 1), (1, 2), (2, 4), (4, 5)]


def test_an_event_is_applied_if_claimed_and_only_at_its_first_occurrence() -> None:
    one, two, three = (str(uuid.uuid4()) for _ in range(3))
    claimed = {uuid.UUID(one), uuid.UUID(three)}
    assert first_claims([one, two, one, three], claimed) == [True, False, False, True]


async def test_the_records_of_a_poll_are_applied_in_one_transaction_and_once(
    db: Database,
) -> None:
    consumer = Consumer(db, handlers={CHANGED: effect("event")})
    records = records_of([_event(i) for i in range(20)])

    assert await consumer.process_batch(records) == ["applied"] * 20
    assert consumer.transactions == 1
    assert await applied(db) == [(i, "event") for i in range(20)]

    # redelivered (a crash before the offset commit): refused, in one transaction again
    assert await consumer.process_batch(records) == ["duplicate"] * 20
    assert consumer.transactions == 2
    assert len(await applied(db)) == 20


async def test_an_event_repeated_within_a_batch_is_applied_once(db: Database) -> None:
    consumer = Consumer(db, handlers={CHANGED: effect("event")})
    first, second = _event(0), _event(1)
    outcomes = await consumer.process_batch(records_of([first, second, first]))
    assert outcomes == ["applied", "applied", "duplicate"]
    assert await applied(db) == [(0, "event"), (1, "event")]


async def test_a_poison_record_goes_to_the_dlq_and_the_rest_are_applied_once_in_order(
    db: Database,
) -> None:
    calls: list[int] = []
    good = effect("event", calls)

    async def fragile(session: AsyncSession, event: CloudEvent) -> None:
        if event.data["sequence"] == 4:
            calls.append(4)
            raise ValueError("this event can never be applied")
        await good(session, event)

    consumer = Consumer(db, handlers={CHANGED: fragile}, max_attempts=3)
    outcomes = await consumer.process_batch(records_of([_event(i) for i in range(10)]))

    assert outcomes == [*["applied"] * 4, "dead_lettered", *["applied"] * 5]
    assert await applied(db) == [(i, "event") for i in range(10) if i != 4]
    # its try in the batch was its first attempt: three in all, as one by one
    assert calls.count(4) == 3
    assert consumer.parked == [(4, "ValueError: this event can never be applied", 3)]
    # the batch, then one transaction per other record and per retry of the poison
    assert consumer.transactions == 1 + 9 + 2


async def test_a_poison_record_holds_back_only_its_own_partition(db: Database) -> None:
    good = effect("event")
    began = time.monotonic()
    partition_1_done_after = -1.0

    async def fragile(session: AsyncSession, event: CloudEvent) -> None:
        nonlocal partition_1_done_after
        if event.data["sequence"] == 1:
            raise ValueError("this event can never be applied")
        await good(session, event)
        if event.data["sequence"] == 4:
            partition_1_done_after = time.monotonic() - began

    # retried once, after 2 s: partition 1 must not wait for that (a loaded CI machine once
    # took 0.7 s to apply partition 1's two records)
    consumer = Consumer(db, handlers={CHANGED: fragile}, max_attempts=2, backoff_base=2.0)
    records = [
        *records_of([_event(0), _event(1), _event(2)], partition=0),
        *records_of([_event(3), _event(4)], partition=1),
    ]
    outcomes = await consumer.process_batch(records)

    assert time.monotonic() - began >= 2.0  # the poison's retry waited its backoff
    assert 0 <= partition_1_done_after < 2.0  # partition 1 went on meanwhile
    assert outcomes == ["applied", "dead_lettered", "applied", "applied", "applied"]
    effects = [sequence for sequence, _ in await applied(db)]
    assert sorted(effects) == [0, 2, 3, 4]
    assert effects.index(3) < effects.index(4)
    assert effects[-1] == 2  # partition 0 kept its order: 2 only after the poison was parked
    assert consumer.parked == [(1, "ValueError: this event can never be applied", 2)]


async def test_an_unprocessable_record_in_a_batch_is_parked_without_a_retry(
    db: Database,
) -> None:
    calls: list[int] = []
    good = effect("event", calls)

    async def strict(session: AsyncSession, event: CloudEvent) -> None:
        if event.data["sequence"] == 1:
            calls.append(1)
            raise Unprocessable("invalid sequence")
        await good(session, event)

    consumer = Consumer(db, handlers={CHANGED: strict})
    outcomes = await consumer.process_batch(records_of([_event(i) for i in range(3)]))

    assert outcomes == ["applied", "dead_lettered", "applied"]
    assert calls.count(1) == 1
    assert consumer.parked == [(1, "Unprocessable: invalid sequence", 1)]
    assert await applied(db) == [(0, "event"), (2, "event")]


async def test_a_bad_envelope_is_parked_and_never_enters_the_transaction(db: Database) -> None:
    consumer = Consumer(db, handlers={CHANGED: effect("event")})
    records = [
        consumer_record(0, *_event(0).to_record()),
        consumer_record(1, b"k", b"{}", [("content-type", b"application/json")]),
        consumer_record(2, *_event(2, kind="lgnet.testkit.other.type").to_record()),
        consumer_record(3, *_event(3).to_record()),
    ]
    outcomes = await consumer.process_batch(records)

    assert outcomes == ["applied", "dead_lettered", "ignored", "applied"]
    assert consumer.transactions == 1
    assert [(offset, attempts) for offset, _, attempts in consumer.parked] == [(1, 0)]
    assert await applied(db) == [(0, "event"), (3, "event")]


async def test_a_batch_form_takes_each_run_of_its_type_and_keeps_the_order(db: Database) -> None:
    bulk_calls: list[list[int]] = []
    consumer = Consumer(
        db,
        handlers={CHANGED: effect("event"), CLOSED: effect("closed")},
        batch_handlers={CHANGED: bulk_effect(bulk_calls)},
    )
    kinds = [CHANGED, CHANGED, CLOSED, CHANGED, CHANGED, CHANGED]
    outcomes = await consumer.process_batch(
        records_of([_event(i, kind) for i, kind in enumerate(kinds)])
    )

    assert outcomes == ["applied"] * 6
    assert bulk_calls == [[0, 1], [3, 4, 5]]
    assert await applied(db) == [
        (0, "bulk"),
        (1, "bulk"),
        (2, "closed"),
        (3, "bulk"),
        (4, "bulk"),
        (5, "bulk"),
    ]
    assert consumer.transactions == 1


async def test_events_whose_effects_commute_are_applied_type_by_type(db: Database) -> None:
    bulk_calls: list[list[int]] = []
    consumer = Consumer(
        db,
        handlers={CHANGED: effect("event"), CLOSED: effect("closed")},
        batch_handlers={CHANGED: bulk_effect(bulk_calls)},
        commutative=True,
    )
    kinds = [CHANGED, CLOSED, CHANGED, CLOSED, CHANGED]
    outcomes = await consumer.process_batch(
        records_of([_event(i, kind) for i, kind in enumerate(kinds)])
    )

    assert outcomes == ["applied"] * 5  # reported in the records' order
    assert bulk_calls == [[0, 2, 4]]  # one run, each type's events in order
    assert await applied(db) == [
        (0, "bulk"),
        (2, "bulk"),
        (4, "bulk"),
        (1, "closed"),
        (3, "closed"),
    ]
    assert consumer.transactions == 1


async def test_a_failing_batch_form_falls_back_to_the_per_event_handler(db: Database) -> None:
    async def broken(session: AsyncSession, events: list[CloudEvent]) -> None:
        await (await session.connection()).execute(text("SELECT 1"))
        raise RuntimeError("bulk insert refused")

    consumer = Consumer(db, handlers={CHANGED: effect("event")}, batch_handlers={CHANGED: broken})
    outcomes = await consumer.process_batch(records_of([_event(i) for i in range(3)]))

    assert outcomes == ["applied"] * 3
    assert await applied(db) == [(i, "event") for i in range(3)]
    assert consumer.parked == []


def test_a_batch_form_needs_a_per_event_handler() -> None:
    with pytest.raises(ValueError, match="without a per-event handler"):
        EventConsumer(
            name="x",
            topics=["t"],
            handlers={},
            batch_handlers={CHANGED: bulk_effect([])},
            sessions=Database("sqlite:///:memory:").session,
            bootstrap_servers="127.0.0.1:1",
        )


def test_a_subscription_offers_bulk_forms_only_for_events_it_consumes() -> None:
    class Changed(BaseModel):
        sequence: int

    changed = ConsumedEvent(CHANGED, "lgnet.testkit.things", Changed, 1)
    closed = ConsumedEvent(CLOSED, "lgnet.testkit.things", Changed, 1)
    bulk = bulk_effect([])

    subscription = Subscription("things", {changed: effect("event")}, batched={changed: bulk})
    assert subscription.batch_handlers == {CHANGED: bulk}
    assert Subscription("things", {changed: effect("event")}).batch_handlers == {}
    with pytest.raises(ValueError, match="batches an event it does not consume"):
        Subscription("things", {changed: effect("event")}, batched={closed: bulk})


async def test_a_failure_blamed_on_the_wrong_record_in_a_batch_parks_only_the_culprit(
    db: Database,
) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(_effects).values(position=999, event_id=uuid.uuid4(), sequence=-1, via="seed")
        )

    async def clashing(session: AsyncSession, event: CloudEvent) -> None:
        sequence = int(event.data["sequence"])
        if sequence == 0:  # its row's key is taken: fails when flushed, not here
            session.add(Effect(position=999, event_id=uuid.UUID(event.id), sequence=0, via="x"))
            return
        # this query flushes the row above first, so the error surfaces in this handler
        (await session.exec(sqlmodel.select(Effect).where(col(Effect.sequence) == sequence))).all()
        session.add(Effect(event_id=uuid.UUID(event.id), sequence=sequence, via="event"))

    consumer = Consumer(db, handlers={CHANGED: clashing}, max_attempts=1)
    outcomes = await consumer.process_batch(records_of([_event(0), _event(1)]))

    assert outcomes == ["dead_lettered", "applied"]
    assert [(offset, attempts) for offset, _, attempts in consumer.parked] == [(0, 1)]
    assert await applied(db) == [(-1, "seed"), (1, "event")]
