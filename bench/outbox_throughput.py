"""Outbox relay throughput against a raw aiokafka producer sending the same records.

N events are written through ``record_event`` in committed batches BEFORE the relay starts, so
the relay's publish rate is measured, not the writers'. Then, in the same run:

- raw: an ``AIOKafkaProducer`` with the same ``producer_config`` (idempotent, acks=all) sends
  the same keys, values and headers to a fresh topic, send + gather (producer start included);
- relay: ``OutboxRelay`` starts (its producer start included) and the clock stops when the
  batch that completes the N rows has been marked ``published_at`` (the mark's commit returned;
  the rows' acks came before it). Both topics are then checked to hold the N records.

Besides the wall-clock rates, the CPU time of this process is taken for both sides: on a busy
machine (other processes, Kafka and PostgreSQL on the same cores) it varies much less than the
wall clock. The relay is a thin subclass that only times its three phases (read a batch,
publish it, mark it). Target: relay/raw ≥ 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from time import perf_counter, process_time
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from bench._support import (
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
from kit.db import Database
from kit.events.envelope import CloudEvent, unpack_headers
from kit.outbox import OutboxMessage, OutboxRelay, record_event
from kit.outbox.relay import producer_config

DEFAULT_EVENTS = 20_000
KEYS = 100  # distinct aggregates, spread over the topic's partitions
PHASES = ("read a batch", "publish it", "mark it")
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]
_outbox = OutboxMessage.__table__  # type: ignore[attr-defined]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("outbox_throughput")
    group.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="events per round")
    group.add_argument(
        "--write-batch", type=int, default=500, help="events per committed writer transaction"
    )
    group.add_argument(
        "--relay-batch", type=int, default=500, help="OutboxRelay batch_size (its default: 500)"
    )
    group.add_argument(
        "--rounds", type=int, default=3, help="raw + relay rounds (medians are reported)"
    )
    group.add_argument(
        "--profile", action="store_true", help="cProfile the relay and print the top entries"
    )


@dataclass
class Cost:
    """Wall-clock and CPU seconds (CPU of this process)."""

    wall: float = 0.0
    cpu: float = 0.0


@dataclass
class RelayTimings:
    target: int
    phases: dict[str, Cost] = field(default_factory=lambda: {p: Cost() for p in PHASES})
    batches: int = 0
    marked: int = 0
    done_at: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, phase: str, wall: float, cpu: float) -> None:
        cost = self.phases[phase]
        cost.wall += wall
        cost.cpu += cpu


class TimedRelay(OutboxRelay):
    """``OutboxRelay`` unchanged, its phases timed. Signatures are passed through, so that it
    keeps working when the relay's internals change. When phases overlap (a relay that
    pipelines), their CPU figures include whatever else ran meanwhile."""

    def __init__(self, *, timings: RelayTimings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timings = timings

    async def _next_batch(self, *args: Any, **kwargs: Any) -> Sequence[Any]:
        wall, cpu = perf_counter(), process_time()
        rows = await super()._next_batch(*args, **kwargs)
        self.timings.add("read a batch", perf_counter() - wall, process_time() - cpu)
        return rows

    async def _publish(self, rows: Sequence[Any]) -> None:
        wall, cpu = perf_counter(), process_time()
        await super()._publish(rows)
        self.timings.add("publish it", perf_counter() - wall, process_time() - cpu)

    async def _mark_published(self, rows: Sequence[Any]) -> None:
        wall, cpu = perf_counter(), process_time()
        await super()._mark_published(rows)
        now = perf_counter()
        timings = self.timings
        timings.add("mark it", now - wall, process_time() - cpu)
        timings.batches += 1
        timings.marked += len(rows)
        if timings.marked >= timings.target and timings.done_at is None:
            timings.done_at = now
            timings.done.set()


@dataclass
class Round:
    written: float  # seconds to write the N events through record_event
    raw: Cost  # raw producer, its start included
    raw_start: float  # wall seconds of that start
    relay: Cost  # relay start to the last mark committed
    timings: RelayTimings
    profile: str = ""


async def write_outbox(database: Database, topic: str, n: int, batch: int) -> float:
    """N events through ``record_event`` in committed transactions of ``batch`` events."""
    kind = thing_changed(topic)
    began = perf_counter()
    for first in range(0, n, batch):
        async with database.session() as session:
            for sequence in range(first, min(n, first + batch)):
                subject = f"agg-{sequence % KEYS}"
                await record_event(session, kind, payload(sequence), subject=subject)
    return perf_counter() - began


async def round_records(database: Database, after: int) -> list[Record]:
    """Key, value and headers of the rows after position ``after``, as the relay sends them."""
    async with database.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(_outbox.c.key, _outbox.c.value, _outbox.c.headers)
                .where(_outbox.c.position > after)
                .order_by(_outbox.c.position)
            )
        ).all()
    return [(key.encode(), value, unpack_headers(headers)) for key, value, headers in rows]


async def last_position(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.execute(select(func.max(_outbox.c.position)))).scalar() or 0)


async def unpublished(database: Database) -> int:
    query = select(func.count()).select_from(_outbox).where(_outbox.c.published_at.is_(None))
    async with database.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def raw_send(stack: Stack, topic: str, records: list[Record]) -> tuple[Cost, float]:
    """Start a producer, send + gather every record: its cost, and the start's wall seconds."""
    wall, cpu = perf_counter(), process_time()
    producer = AIOKafkaProducer(**producer_config(stack.kafka_bootstrap, "bench-raw"))
    await producer.start()
    started = perf_counter()
    try:
        deliveries = [
            await producer.send(topic, value=value, key=key, headers=headers)
            for key, value, headers in records
        ]
        await asyncio.gather(*deliveries)
        return Cost(perf_counter() - wall, process_time() - cpu), started - wall
    finally:
        await producer.stop()


async def raw_round(
    stack: Stack, database: Database, topic: str, after: int, n: int
) -> tuple[Cost, float]:
    """The relay's records of this round, sent by a raw producer to ``topic``."""
    records = await round_records(database, after)
    assert len(records) == n, f"{len(records)} rows in this round, expected {n}"
    gc.collect()  # neither side pays the garbage collector for the other's leftovers
    cost, start = await raw_send(stack, topic, records)
    del records
    if (on_topic := await topic_size(stack, topic)) != n:
        raise RuntimeError(f"{on_topic} records on the raw topic, expected {n}")
    return cost, start


async def relay_round(
    stack: Stack, database: Database, topic: str, n: int, batch: int, *, profile: bool
) -> tuple[Cost, RelayTimings, str]:
    timings = RelayTimings(target=n)
    relay = TimedRelay(
        timings=timings,
        engine=database.engine,
        bootstrap_servers=stack.kafka_bootstrap,
        client_id="bench-relay",
        batch_size=batch,
    )
    gc.collect()
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    wall, cpu = perf_counter(), process_time()
    await relay.start()
    try:
        await asyncio.wait_for(timings.done.wait(), timeout=max(120.0, n / 100))
        cost = Cost(0.0, process_time() - cpu)
    finally:
        if profiler is not None:
            profiler.disable()
        await relay.stop()
    assert timings.done_at is not None
    cost.wall = timings.done_at - wall
    left, on_topic = await unpublished(database), await topic_size(stack, topic)
    if left or on_topic != n:
        raise RuntimeError(
            f"incomplete: {left} rows unpublished, {on_topic} records on the relay's topic "
            f"(expected {n})"
        )
    report = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        report = out.getvalue()
    return cost, timings, report


async def one_round(
    stack: Stack, database: Database, args: argparse.Namespace, number: int
) -> Round:
    n = args.events
    relay_topic, raw_topic = fresh_topic("outbox"), fresh_topic("raw")
    # created well before use: a partition that has just got its leader may still answer
    # NotLeaderForPartition for a moment, and the producer's retry would land in the figures
    await create_topics(stack, relay_topic, raw_topic)
    say(f"▶ round {number}: writing {n:,} events to the outbox")
    after = await last_position(database)
    written = await write_outbox(database, relay_topic, n, args.write_batch)
    # alternate the order, so that neither side always runs on a warmer (or busier) machine
    raw: tuple[Cost, float] | None = None
    if number % 2 == 1:
        say(f"▶ round {number}: raw producer")
        raw = await raw_round(stack, database, raw_topic, after, n)
    say(f"▶ round {number}: relay")
    relay, timings, report = await relay_round(
        stack, database, relay_topic, n, args.relay_batch, profile=args.profile
    )
    if raw is None:
        say(f"▶ round {number}: raw producer")
        raw = await raw_round(stack, database, raw_topic, after, n)
    return Round(written, raw[0], raw[1], relay, timings, report)


async def measure(stack: Stack, args: argparse.Namespace) -> list[Round]:
    database = await fresh_database(stack, "bench_outbox")
    try:
        warm_up = fresh_topic("warm-up")  # the broker's first topic and producer cost nothing here
        await create_topics(stack, warm_up)
        await raw_send(stack, warm_up, [(b"k", b"{}", [])] * 1000)
        return [await one_round(stack, database, args, i + 1) for i in range(args.rounds)]
    finally:
        await database.dispose()


def report(args: argparse.Namespace, rounds: list[Round], load: str) -> None:
    n = args.events
    raw_rate = median(n / r.raw.wall for r in rounds)
    relay_rate = median(n / r.relay.wall for r in rounds)
    raw_cpu = median(r.raw.cpu for r in rounds) / n * 1e6
    relay_cpu = median(r.relay.cpu for r in rounds) / n * 1e6
    ratio = relay_rate / raw_rate
    # the phase split of the round whose relay rate is the median one
    middle = sorted(rounds, key=lambda r: r.relay.wall)[len(rounds) // 2]
    t = middle.timings
    batches = max(t.batches, 1)
    rows = [
        ("events", f"{n:,} per round ({KEYS} keys, 3 partitions, ~{_record_size()} B per record)"),
        ("rounds", f"{len(rounds)} (medians; raw and relay alternate which goes first)"),
        (
            "outbox written",
            f"{n / median(r.written for r in rounds):,.0f} events/s "
            f"({args.write_batch} per commit, before the relay starts)",
        ),
        ("raw producer", f"{raw_rate:>7,.0f} events/s   {raw_cpu:4.0f} µs CPU per event"),
        ("outbox relay", f"{relay_rate:>7,.0f} events/s   {relay_cpu:4.0f} µs CPU per event"),
        ("relay / raw", f"{ratio:.2f}  (target ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'})"),
        ("  in CPU terms", f"{raw_cpu / relay_cpu:.2f}  (raw CPU per event / relay CPU per event)"),
        *(
            (
                f"  round {i}",
                f"raw {n / r.raw.wall:,.0f}/s, relay {n / r.relay.wall:,.0f}/s: "
                f"{r.raw.wall / r.relay.wall:.2f}  ({'raw' if i % 2 else 'relay'} first)",
            )
            for i, r in enumerate(rounds, 1)
        ),
        (
            "relay batches",
            f"{t.batches} of ≤ {args.relay_batch} rows in {middle.relay.wall:.2f} s; "
            "per batch, wall / CPU:",
        ),
        *(
            (
                f"  {phase}",
                f"{1000 * cost.wall / batches:5.1f} ms / {1000 * cost.cpu / batches:5.1f} ms  "
                f"({100 * cost.wall / middle.relay.wall:4.1f} % of the relay's wall time)",
            )
            for phase, cost in t.phases.items()
        ),
    ]
    other = middle.relay.wall - sum(c.wall for c in t.phases.values())
    if other >= 0:
        rows.append(("  the rest", f"{1000 * other / batches:5.1f} ms"))
    else:
        rows.append(("  (phases overlap)", f"{-other:.2f} s of them ran concurrently"))
    if args.profile:
        rows.append(("note", "the relay ran under cProfile: its figures are inflated by it"))
    rows.append(("machine", load))
    print_block("outbox relay throughput", rows)
    if middle.profile:
        print(middle.profile, flush=True)


def _record_size() -> int:
    kind = thing_changed("lgnet.bench.size-probe")
    key, value, headers = CloudEvent(
        type=kind.name,
        source=kind.source,
        subject="agg-1",
        data=payload(1).model_dump(mode="json"),
        dataschema=kind.dataschema,
    ).to_record()
    return len(key) + len(value) + sum(len(n) + len(v) for n, v in headers)


def run(args: argparse.Namespace) -> int:
    with postgres_and_kafka() as stack:
        rounds = run_async(measure(stack, args))
        load = machine()
    report(args, rounds, load)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
