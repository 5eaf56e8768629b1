"""Commit-to-effect latency through the outbox, Kafka and an inbox consumer, on PostgreSQL.

A writer commits one change + ``record_event`` every 1/rate seconds for a fixed duration, as
an open loop: each commit starts at its absolute deadline, in its own task, so a slow commit
delays no other one and the schedule does not drift. The ``OutboxRelay`` publishes from the
writer's database in the writer's process, as a service's relay does. An ``EventConsumer`` (its
own database and group, ``Database.session`` as unit of work, like the services) applies the
events a poll returns in one inbox transaction, in another process by default, as another
service would.

latency = when the effect's transaction committed − when the writer's transaction committed,
both taken right after the commit returned (``kit.db.on_commit`` hooks) on CLOCK_MONOTONIC,
which all processes of the machine share. It is split at the moment the relay had the event
acknowledged by Kafka. The first seconds (warm-up) are left out. Target: p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import queue
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as StopFlag
from pathlib import Path
from time import monotonic, process_time
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bench._support import (
    Effect,
    Steal,
    Thing,
    ThingChanged,
    create_topics,
    fresh_database,
    fresh_topic,
    machine,
    payload,
    percentile,
    postgres_and_kafka,
    print_block,
    run_async,
    standalone,
    thing_changed,
)
from deploy.local.process import say
from deploy.local.stack import Stack
from kit.aio import cancel_and_wait
from kit.db import Database, on_commit
from kit.events.contracts import validator_for
from kit.events.envelope import CloudEvent
from kit.events.types import EventType
from kit.heap import freeze_long_lived
from kit.inbox import EventConsumer, Handler
from kit.outbox import OutboxRelay, record_event

KEYS = 50
# What the consumer reports: ("applied", sequence, at) when an effect has committed, its busy
# spans, ("process", began, ended) per batch and ("commit", began, ended) per offset commit, and
# ("records", count, began) the size of each batch.
Report = tuple[str, float, float]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("end_to_end_latency")
    group.add_argument("--rate", type=float, default=200.0, help="events per second")
    group.add_argument("--seconds", type=float, default=30.0, help="measured duration")
    group.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of the same load before the measured ones, left out of every figure "
        "(a broker started a moment ago is still compiling its hot paths)",
    )
    group.add_argument(
        "--one-process",
        action="store_true",
        help="run the consumer in the writer's process (one event loop for all)",
    )


@dataclass
class Clock:
    """Instants (monotonic seconds) by event sequence number."""

    committed: dict[int, float] = field(default_factory=dict)
    published: dict[int, float] = field(default_factory=dict)
    applied: dict[int, float] = field(default_factory=dict)
    sequence_of: dict[str, int] = field(default_factory=dict)  # event id -> sequence
    deadlines: dict[int, float] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)  # write start − its deadline
    processing: list[tuple[float, float]] = field(default_factory=list)  # consumer, per batch
    batch_sizes: list[tuple[float, int]] = field(default_factory=list)  # (began, records)
    committing: list[tuple[float, float]] = field(default_factory=list)  # its offset commits

    def commit(self, sequence: int) -> None:
        self.committed[sequence] = monotonic()


class WatchedRelay(OutboxRelay):
    """``OutboxRelay`` unchanged; notes when each event was acknowledged by Kafka."""

    def __init__(self, *, clock: Clock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock

    async def _publish(self, rows: Sequence[Any]) -> None:
        await super()._publish(rows)
        now = monotonic()
        for row in rows:
            sequence = self.clock.sequence_of.get(str(row.event_id))
            if sequence is not None:
                self.clock.published[sequence] = now


# --- the consumer: the same code in this process or in a child process --------------------


def handler(applied: Callable[[int], None]) -> Handler:
    async def apply(session: AsyncSession, event: CloudEvent) -> None:
        sequence = int(event.data["sequence"])
        session.add(Effect(event_id=uuid.UUID(event.id), sequence=sequence))
        on_commit(session, partial(applied, sequence))

    return apply


class WatchedConsumer(EventConsumer):
    """``EventConsumer`` unchanged; reports how long each batch (a poll's records, one
    transaction) and offset commit took."""

    def __init__(self, *, note: Callable[[Report], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.note = note

    async def process_batch(self, records: Sequence[Any]) -> list[str]:
        began = monotonic()
        outcomes = await super().process_batch(records)
        self.note(("process", began, monotonic()))
        self.note(("records", float(len(records)), began))
        return outcomes

    async def _commit(self, *args: Any, **kwargs: Any) -> None:
        began = monotonic()
        await super()._commit(*args, **kwargs)
        self.note(("commit", began, monotonic()))


async def consume(
    url: str, bootstrap: str, topic: str, note: Callable[[Report], None], stop: asyncio.Event
) -> None:
    """Apply the topic's events until ``stop``, noting what happens."""
    kind = thing_changed(topic)
    database = Database(url)
    consumer = WatchedConsumer(
        note=note,
        name=f"bench-e2e-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handlers={kind.name: handler(lambda sequence: note(("applied", sequence, monotonic())))},
        sessions=database.session,
        bootstrap_servers=bootstrap,
        # validated as services do, against the type's own schema (a throw-away type has no
        # committed contract)
        validate=validator_for(kind.json_schema()),
    )
    await consumer.start()
    freeze_long_lived()  # as a service does once started (kit.heap)
    try:
        await stop.wait()
    finally:
        await consumer.stop()
        await database.dispose()


REPORT_EVERY = 0.05
"""Seconds between two sends of the consumer process's reports (one pickled list each: a send
per report took a sixth of that process's CPU, which the consumer's figures would count)."""


def consumer_process(
    url: str, bootstrap: str, topic: str, reports: Queue[list[Report]], stop_flag: StopFlag
) -> None:
    """Child process entry point: report each applied event until told to stop."""

    async def main() -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(asyncio.to_thread(stop_flag.wait))
        watcher.add_done_callback(lambda _: stop.set())
        waiting: list[Report] = []

        def send() -> None:
            if waiting:
                reports.put(waiting.copy())
                waiting.clear()

        async def send_every_while() -> None:
            while True:
                await asyncio.sleep(REPORT_EVERY)
                send()

        sender = asyncio.create_task(send_every_while())
        try:
            await consume(url, bootstrap, topic, waiting.append, stop)
        finally:
            await cancel_and_wait(sender)
            send()

    run_async(main())


# --- the writer and the measurement --------------------------------------------------------


async def write(
    database: Database, kind: EventType[ThingChanged], clock: Clock, sequence: int
) -> None:
    async with database.session() as session:
        session.add(Thing(sequence=sequence, status="opened"))
        event = await record_event(
            session, kind, payload(sequence), subject=f"agg-{sequence % KEYS}"
        )
        clock.sequence_of[event.id] = sequence
        on_commit(session, partial(clock.commit, sequence))


async def schedule(
    database: Database,
    kind: EventType[ThingChanged],
    clock: Clock,
    rate: float,
    count: int,
    *,
    measuring: tuple[int, Callable[[], None]],
) -> None:
    """Start ``count`` writes at absolute deadlines 1/rate apart (an open loop); call
    ``measuring[1]()`` at the deadline of write number ``measuring[0]``, the first measured."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks: set[asyncio.Task[None]] = set()
    first_measured, on_measuring = measuring
    for sequence in range(count):
        deadline = start + sequence / rate
        delay = deadline - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if sequence == first_measured:
            on_measuring()
        clock.lateness.append(loop.time() - deadline)
        clock.deadlines[sequence] = deadline  # loop.time() is time.monotonic()
        task = asyncio.create_task(write(database, kind, clock, sequence))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


class Consumer:
    """The consumer, in a child process or as a task here, behind one small interface."""

    def __init__(self, url: str, bootstrap: str, topic: str, *, one_process: bool) -> None:
        self.args = (url, bootstrap, topic)
        self.one_process = one_process
        self.reports: asyncio.Queue[Report] = asyncio.Queue()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        context = multiprocessing.get_context("spawn")
        self._reports: Queue[list[Report]] = context.Queue()
        self._stop_flag = context.Event()
        self._process = context.Process(
            target=consumer_process, args=(*self.args, self._reports, self._stop_flag)
        )
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.one_process:
            note = self.reports.put_nowait
            self._task = asyncio.create_task(consume(*self.args, note, self._stop))
            return
        self._process.start()
        self._pump = asyncio.create_task(self._forward())

    async def _forward(self) -> None:
        while True:
            try:
                items = await asyncio.to_thread(self._reports.get, True, 0.2)
            except queue.Empty:
                if not self._process.is_alive():
                    return
                continue
            for item in items:
                self.reports.put_nowait(item)

    async def next(self, within: float) -> Report:
        async with asyncio.timeout(within):
            return await self.reports.get()

    def cpu(self) -> float:
        """CPU seconds used so far by the consumer's process (NaN when it runs here)."""
        return float("nan") if self.one_process else cpu_seconds(self._process.pid)

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            await self._task
            return
        self._stop_flag.set()
        await asyncio.to_thread(self._process.join, 30)
        if self._process.is_alive():
            self._process.kill()
        if self._pump is not None:
            self._pump.cancel()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def collect(consumer: Consumer, clock: Clock, count: int, within: float) -> None:
    """Take the consumer's reports until ``count`` events are applied or ``within`` runs out."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within):
            while len(clock.applied) < count:
                kind, first, second = await consumer.next(within)
                if kind == "applied" and first >= 0:
                    clock.applied[int(first)] = second
                elif kind == "process":
                    clock.processing.append((first, second))
                elif kind == "commit":
                    clock.committing.append((first, second))
                elif kind == "records":
                    clock.batch_sizes.append((second, int(first)))


@dataclass
class Outcome:
    clock: Clock
    count: int
    skip: int  # the writes of the warm-up, left out
    achieved: float
    writer_cpu: float  # of the writer's process (writer + relay; + consumer with --one-process)
    consumer_cpu: float  # of the consumer's process (NaN with --one-process)
    wall: float
    began: float  # when the measured writes began
    steal: str  # the hypervisor's share of the CPU meanwhile


async def measure(stack: Stack, args: argparse.Namespace) -> Outcome:
    topic = fresh_topic("e2e")
    kind = thing_changed(topic)
    await create_topics(stack, topic)
    writer_db = await fresh_database(stack, "bench_e2e_writer")
    consumer_db = await fresh_database(stack, "bench_e2e_consumer")
    await consumer_db.dispose()  # the consumer opens its own engine
    clock = Clock()
    relay = WatchedRelay(
        clock=clock,
        engine=writer_db.engine,
        bootstrap_servers=stack.kafka_bootstrap,
        client_id="bench-e2e",
    )
    consumer = Consumer(
        consumer_db.url.render_as_string(hide_password=False),
        stack.kafka_bootstrap,
        topic,
        one_process=args.one_process,
    )
    skip = round(args.rate * args.warmup)
    count = skip + round(args.rate * args.seconds)
    await relay.start()
    await consumer.start()
    try:
        say("▶ priming: one event through the relay and the consumer")
        await write(writer_db, kind, clock, -1)
        while (await consumer.next(90))[0] != "applied":
            pass
        freeze_long_lived()  # as a service does once started (kit.heap)

        say(
            f"▶ writing {count:,} events at {args.rate:g}/s: {args.warmup:g} s of warm-up, "
            f"then {args.seconds:g} s measured"
        )
        within = args.warmup + args.seconds + 60
        collecting = asyncio.create_task(collect(consumer, clock, count, within))
        # the instant, and both processes' CPU, when the measured writes begin
        mark: list[float] = []
        steal = Steal()

        def measuring() -> None:
            mark.extend((monotonic(), process_time(), consumer.cpu()))
            steal.start()

        await schedule(
            writer_db,
            kind,
            clock,
            args.rate,
            count,
            measuring=(skip, measuring),
        )
        commits = sorted(at for sequence, at in clock.committed.items() if sequence >= skip)
        achieved = (len(commits) - 1) / (commits[-1] - commits[0])
        await collecting
        host = steal.stop()
        began, cpu, consumer_cpu = mark
        writer_cpu, consumer_cpu = process_time() - cpu, consumer.cpu() - consumer_cpu
        wall = monotonic() - began
        if len(clock.applied) < count:
            say(f"  ! {count - len(clock.applied)} events not applied in time")
    finally:
        await consumer.stop()
        await relay.stop()
        await writer_db.dispose()
    return Outcome(clock, count, skip, achieved, writer_cpu, consumer_cpu, wall, began, host)


def covered(spans: list[tuple[float, float]]) -> float:
    """Seconds covered by the union of ``spans`` (a batch's span and an offset commit's may
    overlap)."""
    total, reach = 0.0, float("-inf")
    for began, end in sorted(spans):
        if end > reach:
            total += end - max(began, reach)
            reach = end
    return total


def report(args: argparse.Namespace, outcome: Outcome, load: str) -> None:
    clock, count, skip, began = outcome.clock, outcome.count, outcome.skip, outcome.began
    measured = [s for s in range(skip, count) if s in clock.committed]
    done = [s for s in measured if s in clock.applied]

    def spread(values: list[float]) -> str:
        ordered = sorted(1000 * v for v in values)
        return (
            "  ".join(f"p{p} {percentile(ordered, p):6.1f}" for p in (50, 90, 99))
            + f"  max {ordered[-1] if ordered else float('nan'):6.1f} ms"
        )

    total = sorted(1000 * (clock.applied[s] - clock.committed[s]) for s in done)
    p99 = percentile(total, 99)
    split = [s for s in done if s in clock.published]
    late = sorted(1000 * x for x in clock.lateness[skip:])
    # the consumer's figures, like the latencies, from when the measured writes began
    sizes = [size for at, size in clock.batch_sizes if at >= began]
    processing = [span for span in clock.processing if span[0] >= began]
    committing = [span for span in clock.committing if span[0] >= began]
    busy = covered([*processing, *committing])
    busy_share = 100 * busy / outcome.wall
    rows = [
        (
            "events",
            f"{count - skip:,} at {args.rate:g}/s for {args.seconds:g} s, 1 per transaction, "
            f"after {skip:,} in {args.warmup:g} s of warm-up",
        ),
        ("achieved rate", f"{outcome.achieved:.1f} commits/s"),
        (
            "measured",
            f"{len(done):,} (the warm-up left out), {len(measured) - len(done)} missing",
        ),
        ("latency p50", f"{percentile(total, 50):7.1f} ms"),
        ("latency p90", f"{percentile(total, 90):7.1f} ms"),
        ("latency p99", f"{p99:7.1f} ms  (target ≤ 100 ms: {'met' if p99 <= 100 else 'NOT met'})"),
        ("latency max", f"{total[-1] if total else float('nan'):7.1f} ms"),
        (
            "  commit → on Kafka",
            spread([clock.published[s] - clock.committed[s] for s in split]),
        ),
        (
            "  on Kafka → effect",
            spread([clock.applied[s] - clock.published[s] for s in split]),
        ),
        ("consumer, per batch", spread([end - start for start, end in processing])),
        (
            "  records per batch",
            f"mean {sum(sizes) / max(1, len(sizes)):.1f}, max {max(sizes, default=0)} "
            "(a poll's records, applied in one transaction)",
        ),
        (
            "  per record",
            f"{1000 * sum(end - start for start, end in processing) / max(1, sum(sizes)):.2f}"
            " ms (batch time / its records, mean)",
        ),
        ("  per offset commit", spread([end - start for start, end in committing])),
        (
            "  busy",
            f"{busy_share:.1f} % of the time (applying records or committing offsets; target "
            f"≤ 30 %: {'met' if busy_share <= 30 else 'NOT met'})",
        ),
        (
            "writer lateness",
            f"p99 {percentile(late, 99):.1f} ms, max {late[-1] if late else float('nan'):.1f} ms "
            "(a write's start after its deadline)",
        ),
        (
            "writer, deadline → commit",
            spread([clock.committed[s] - clock.deadlines[s] for s in measured]),
        ),
        (
            "CPU (% of a core)",
            f"writer + relay + consumer {100 * outcome.writer_cpu / outcome.wall:.0f} %  (one "
            "process)"
            if args.one_process
            else f"writer + relay {100 * outcome.writer_cpu / outcome.wall:.0f} %, consumer "
            f"{100 * outcome.consumer_cpu / outcome.wall:.0f} %  (two processes)",
        ),
        (
            "CPU µs per event",
            f"writer + relay {1e6 * outcome.writer_cpu / (count - skip):.0f}"
            + (
                ""
                if args.one_process
                else f", consumer {1e6 * outcome.consumer_cpu / (count - skip):.0f}"
            ),
        ),
        ("machine", f"{load}; {outcome.steal}"),
    ]
    print_block("end-to-end latency (commit to consumer effect)", rows)


def run(args: argparse.Namespace) -> int:
    with postgres_and_kafka() as stack:
        outcome = run_async(measure(stack, args))
        load = machine()
    report(args, outcome, load)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
