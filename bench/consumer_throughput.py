"""Inbox consumer throughput on PostgreSQL: a poll's records applied in one transaction,
against one transaction per record, in the same run.

N events (a topic with 3 partitions, 100 keys) are published BEFORE any consumer starts. Then
each mode drains the whole topic with a fresh consumer group into a fresh database: the clock
starts when the first batch reaches the consumer (the group join is left out) and stops when
the transaction holding the N-th effect has committed. Every event is validated against its
schema, as services do, and its effect is one row (`bench_effect`) plus its inbox row:

- one per transaction: each record claimed, applied and committed on its own, as the consumer
  did before batching (its per-record path, `EventConsumer.process`);
- batched: `EventConsumer` as it is, the per-event handler (``session.add``) run for each
  record of the batch;
- batched, bulk handler: the same with a batch form of the handler (one multi-row INSERT).

The modes take turns going first. Afterwards each database must hold N effects and N inbox
rows. Targets: batched ≥ 10× one per transaction, and ≥ 5,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from statistics import median
from time import perf_counter, process_time
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench._support import (
    Effect,
    create_topics,
    fresh_database,
    fresh_topic,
    machine,
    payload,
    postgres_and_kafka,
    print_block,
    run_async,
    standalone,
    thing_changed,
    topic_size,
)
from deploy.local.process import say
from deploy.local.stack import Stack
from kit.db import on_commit
from kit.events.contracts import validator_for
from kit.events.envelope import CloudEvent
from kit.inbox import BatchHandler, EventConsumer, Handler, InboxEntry
from kit.outbox.relay import producer_config

KEYS = 100
MODES = ("one per transaction", "batched", "batched, bulk handler")
_effect = Effect.__table__  # type: ignore[attr-defined]
_inbox = InboxEntry.__table__  # type: ignore[attr-defined]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("consumer_throughput")
    group.add_argument(
        "--consumer-events", type=int, default=10_000, help="events drained in each mode"
    )
    group.add_argument(
        "--consumer-rounds", type=int, default=2, help="rounds of every mode (medians reported)"
    )
    group.add_argument(
        "--consumer-batch",
        type=int,
        default=200,
        help="EventConsumer batch_size, records per poll (its default: 200)",
    )
    group.add_argument(
        "--consumer-profile",
        action="store_true",
        help="cProfile the batched drains (per-event handler) and print the top entries",
    )


class Drain:
    """Counts committed effects; notes when the first batch came and when the N-th committed."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.applied = 0
        self.began: float | None = None
        self.ended: float | None = None
        self.batches = 0
        self.records = 0
        self.done = asyncio.Event()

    def committed(self, count: int) -> None:
        self.applied += count
        if self.applied >= self.target and self.ended is None:
            self.ended = perf_counter()
            self.done.set()


class DrainingConsumer(EventConsumer):
    """``EventConsumer`` unchanged, but for noting its batches; with ``one_per_transaction``
    it applies each record through its per-record path, one transaction each."""

    def __init__(self, *, drain: Drain, one_per_transaction: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drain = drain
        self.one_per_transaction = one_per_transaction

    async def process_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
        if self.drain.began is None:
            self.drain.began = perf_counter()
        self.drain.batches += 1
        self.drain.records += len(records)
        if self.one_per_transaction:
            return [await self.process(record) for record in records]
        return await super().process_batch(records)


def handler(drain: Drain) -> Handler:
    async def apply(session: AsyncSession, event: CloudEvent) -> None:
        session.add(Effect(event_id=uuid.UUID(event.id), sequence=int(event.data["sequence"])))
        on_commit(session, partial(drain.committed, 1))

    return apply


def bulk_handler(drain: Drain) -> BatchHandler:
    async def apply(session: AsyncSession, events: list[CloudEvent]) -> None:
        rows = [{"event_id": uuid.UUID(e.id), "sequence": int(e.data["sequence"])} for e in events]
        await (await session.connection()).execute(insert(_effect), rows)
        on_commit(session, partial(drain.committed, len(events)))

    return apply


async def publish(stack: Stack, topic: str, n: int) -> float:
    """N events on `topic`, sent and acknowledged; the seconds it took."""
    kind = thing_changed(topic)
    began = perf_counter()
    producer = AIOKafkaProducer(**producer_config(stack.kafka_bootstrap, "bench-consumer-load"))
    await producer.start()
    try:
        sent = []
        for sequence in range(n):
            key, value, headers = CloudEvent(
                type=kind.name,
                source=kind.source,
                subject=f"agg-{sequence % KEYS}",
                data=payload(sequence).model_dump(mode="json"),
                dataschema=kind.dataschema,
            ).to_record()
            sent.append(await producer.send(topic, value=value, key=key, headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return perf_counter() - began


@dataclass
class Drained:
    mode: str
    seconds: float
    cpu: float  # CPU seconds of this process (the consumer's) over the drain
    batches: int
    records: int


async def drain(
    stack: Stack,
    topic: str,
    n: int,
    mode: str,
    batch_size: int,
    profiler: cProfile.Profile | None = None,
) -> Drained:
    kind = thing_changed(topic)
    database = await fresh_database(stack, "bench_consumer")
    tally = Drain(n)
    consumer = DrainingConsumer(
        drain=tally,
        one_per_transaction=mode == "one per transaction",
        name=f"bench-drain-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handlers={kind.name: handler(tally)},
        batch_handlers={kind.name: bulk_handler(tally)} if mode.endswith("bulk handler") else {},
        sessions=database.session,
        bootstrap_servers=stack.kafka_bootstrap,
        validate=validator_for(kind.json_schema()),
        batch_size=batch_size,
    )
    cpu = process_time()
    await consumer.start()
    try:
        if profiler is not None:
            profiler.enable()
        await asyncio.wait_for(tally.done.wait(), timeout=max(120.0, n / 50))
        cpu = process_time() - cpu
    finally:
        if profiler is not None:
            profiler.disable()
        await consumer.stop()
    try:
        async with database.engine.connect() as conn:
            effects = (await conn.execute(select(func.count()).select_from(_effect))).scalar_one()
            inbox = (await conn.execute(select(func.count()).select_from(_inbox))).scalar_one()
    finally:
        await database.dispose()
    if effects != n or inbox != n:
        raise RuntimeError(f"{mode}: {effects} effects and {inbox} inbox rows, expected {n}")
    assert tally.began is not None
    assert tally.ended is not None
    return Drained(mode, tally.ended - tally.began, cpu, tally.batches, tally.records)


async def measure(
    stack: Stack, args: argparse.Namespace, profiler: cProfile.Profile | None
) -> tuple[float, list[Drained]]:
    n = args.consumer_events
    topic = fresh_topic("drain")
    await create_topics(stack, topic)
    say(f"▶ publishing {n:,} events")
    published = await publish(stack, topic, n)
    if (on_topic := await topic_size(stack, topic)) != n:
        raise RuntimeError(f"{on_topic} records on the topic, expected {n}")
    drained = []
    for number in range(1, args.consumer_rounds + 1):
        # alternate the order, so that no mode always runs on a warmer (or busier) machine
        order = MODES if number % 2 else tuple(reversed(MODES))
        for mode in order:
            say(f"▶ round {number}: {mode}")
            profiled = profiler if mode == "batched" else None
            drained.append(await drain(stack, topic, n, mode, args.consumer_batch, profiled))
    return published, drained


def report(args: argparse.Namespace, published: float, drained: list[Drained], load: str) -> None:
    n = args.consumer_events

    def rate(mode: str) -> float:
        return float(median(n / d.seconds for d in drained if d.mode == mode))

    single, batched, bulk = (rate(mode) for mode in MODES)
    ratio, bulk_ratio = batched / single, bulk / single

    def verdict(speedup: float, rate: float) -> str:
        return "met" if speedup >= 10 and rate >= 5000 else "NOT met"

    rows = [
        ("events", f"{n:,} per drain (3 partitions, {KEYS} keys), validated, 1 effect row each"),
        ("published first", f"{n / published:,.0f} events/s (before any consumer starts)"),
        ("rounds", f"{args.consumer_rounds} (medians; the modes take turns going first)"),
        *(
            (
                mode,
                f"{rate(mode):>7,.0f} events/s  "
                f"{1e6 * median(d.cpu for d in drained if d.mode == mode) / n:5.0f} µs CPU "
                f"per event, "
                f"{median(d.records / d.batches for d in drained if d.mode == mode):5.1f} "
                "records per batch",
            )
            for mode in MODES
        ),
        (
            "batched / one per tx",
            f"{ratio:.1f}×  (target ≥ 10× and ≥ 5,000 events/s: {verdict(ratio, batched)})",
        ),
        (
            "bulk / one per tx",
            f"{bulk_ratio:.1f}×  (the same targets: {verdict(bulk_ratio, bulk)})",
        ),
        *(
            (f"  round {i // len(MODES) + 1}, {d.mode}", f"{n / d.seconds:,.0f} events/s")
            for i, d in enumerate(drained)
        ),
        ("batch size", f"{args.consumer_batch} records per poll (EventConsumer batch_size)"),
        ("machine", load),
    ]
    print_block("inbox consumer throughput", rows)


def run(args: argparse.Namespace) -> int:
    profiler = cProfile.Profile() if args.consumer_profile else None
    with postgres_and_kafka() as stack:
        published, drained = run_async(measure(stack, args, profiler))
        load = machine()
    report(args, published, drained, load)
    if profiler is not None:
        print("\n== cProfile of the batched drains (per-event handler), by own time ==")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
