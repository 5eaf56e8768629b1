"""What the benchmarks share: PostgreSQL + Kafka on a claimed test profile, a throw-away event
type and tables, fresh databases and topics, percentiles and the printed block of figures."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import platform
import sys
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlmodel import Field, SQLModel

from deploy.local import stack as stacks
from deploy.local.process import say
from kit.db import Database
from kit.events.types import EventData, EventType, event_type
from kit.kafka import DEFAULT_PARTITIONS, ensure_topics
from kit.settings import CommonSettings
from kit.tables import KIT_METADATA, new_registry

BENCH_REGISTRY = new_registry()
BENCH_METADATA = BENCH_REGISTRY.metadata

T = TypeVar("T")
_profile: stacks.Profile | None = None


class _BenchTable(SQLModel, registry=BENCH_REGISTRY):
    pass


class Thing(_BenchTable, table=True):
    """The writer's change: one row per event, committed with the event's outbox row."""

    __tablename__ = "bench_thing"
    sequence: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(max_length=40)


class Effect(_BenchTable, table=True):
    """The consumer's effect, committed with its inbox row."""

    __tablename__ = "bench_effect"
    event_id: uuid.UUID = Field(primary_key=True)
    sequence: int


class ThingChanged(EventData):
    """A payload the size of a typical LGNet event (coarsened attributes, no identifiers)."""

    sequence: int
    status: str
    municipio: int
    age_band: str
    target_group: str


def thing_changed(topic: str) -> EventType[ThingChanged]:
    """A throw-away event type on ``topic`` (one name per topic, so runs never clash)."""
    return event_type(
        f"lgnet.bench.{topic.rsplit('.', 1)[-1].replace('-', '_')}.changed",
        topic=topic,
        payload=ThingChanged,
    )


def payload(sequence: int) -> ThingChanged:
    return ThingChanged(
        sequence=sequence,
        status="opened",
        municipio=1 + sequence % 9,
        age_band="15-17",
        target_group="unaccompanied_minor",
    )


def fresh_topic(prefix: str) -> str:
    return f"lgnet.bench.{prefix}-{uuid.uuid4().hex[:8]}"


def claimed_profile() -> stacks.Profile:
    """One test slot per process: benchmarks run one after the other on the same slot."""
    global _profile
    if _profile is None:
        _profile = stacks.claim_test_profile()
    return _profile


@contextmanager
def _bench_stack(what: str, start: Callable[[stacks.Stack], object]) -> Iterator[stacks.Stack]:
    """A stack on the claimed profile, its PostgreSQL configured, `start`ed, stopped on exit."""
    profile = claimed_profile()
    say(f"▶ bench stack on profile {profile.name} ({what})")
    stack = stacks.build(profile, with_postgres=True)
    try:
        start(stack)
        yield stack
    finally:
        say("■ stopping the bench stack")
        stack.stop()


def _start_postgres_and_kafka(stack: stacks.Stack) -> None:
    stacks.start_postgres(stack)
    say("▶ kafka")
    stack.timings["kafka"] = stack.supervisor.start(stack.kafka, timeout=180)


def postgres_and_kafka() -> AbstractContextManager[stacks.Stack]:
    """PostgreSQL and Kafka (no Keycloak) on a claimed test profile, stopped on exit."""
    kafka = f"kafka 127.0.0.1:{claimed_profile().kafka_port}"
    return _bench_stack(kafka, _start_postgres_and_kafka)


def postgres_only() -> AbstractContextManager[stacks.Stack]:
    """PostgreSQL alone on a claimed test profile, stopped on exit."""
    return _bench_stack("PostgreSQL only", stacks.start_postgres)


def full_infrastructure() -> AbstractContextManager[stacks.Stack]:
    """PostgreSQL, Kafka and Keycloak (what an in-process service needs), stopped on exit."""
    return _bench_stack("PostgreSQL, Kafka, Keycloak", stacks.start_infrastructure)


def common_settings(stack: stacks.Stack) -> CommonSettings:
    """Settings for an in-process service (as tests/conftest.py makes them): its consumer
    groups are its own."""
    return CommonSettings(
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        keycloak_issuer=stack.issuer,
        environment="test",
        consumer_group_prefix=f"bench-{uuid.uuid4().hex[:8]}",
    )


async def fresh_database(stack: stacks.Stack, prefix: str, **engine_kwargs: Any) -> Database:
    """A new PostgreSQL database with the kit's tables (outbox, inbox) and the bench tables."""
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"{prefix}_{uuid.uuid4().hex[:8]}")
    database = Database(url, **engine_kwargs)
    async with database.engine.begin() as conn:
        await conn.run_sync(KIT_METADATA.create_all)
        await conn.run_sync(BENCH_METADATA.create_all)
    return database


async def create_topics(stack: stacks.Stack, *topics: str) -> None:
    """Create the topics up front and wait until every partition has a leader, so that neither
    auto-creation nor a leader election lands inside a measurement."""
    await ensure_topics(stack.kafka_bootstrap, topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        for _ in range(300):  # 30 s
            if _all_led(await admin.describe_topics(list(topics)), len(topics)):
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"topics {', '.join(topics)} have no leader after 30 s")
    finally:
        await admin.close()


def _all_led(described: list[Any], expected: int) -> bool:
    ready = [
        t
        for t in described
        if t["error_code"] == 0
        and len(t["partitions"]) == DEFAULT_PARTITIONS
        and all(p["error_code"] == 0 and p["leader"] >= 0 for p in t["partitions"])
    ]
    return len(ready) == expected


async def topic_size(stack: stacks.Stack, topic: str) -> int:
    """Records on ``topic`` (sum of its partitions' end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(DEFAULT_PARTITIONS)]
        ends = await consumer.end_offsets(partitions)
        return int(sum(ends.values()))
    finally:
        await consumer.stop()


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on the event loop the services run on: uvicorn takes uvloop when it is
    installed (``uvicorn[standard]``), so their requests, relays and consumers run on it."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def machine() -> str:
    one, five, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, load {one:.2f} (1 min) / {five:.2f} (5 min), "
        f"Python {platform.python_version()}"
    )


def _cpu_times() -> list[int]:
    """The machine's CPU times (/proc/stat's first line, in ticks): user, nice, system, idle,
    iowait, irq, softirq, steal, …"""
    with open("/proc/stat") as stat:
        return [int(field) for field in stat.readline().split()[1:]]


STEAL_NOTICEABLE = 5.0
"""Mean steal (%) above which a run says its figures are the host's as much as the code's
(bench/README, "Figures measured", heap frozen: the runs either side of it)."""


class Steal:
    """How much CPU the hypervisor gave to other guests while a measurement ran (``steal`` in
    /proc/stat): on a shared VM it comes in bursts, and in the windows where it passed 10 %
    the end-to-end latencies passed 100 ms whatever LGNet did. Sampled each second on a
    thread of its own (none of the measured loops pays for it)."""

    def __init__(self) -> None:
        self._samples: list[list[int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="steal", daemon=True)

    def start(self) -> None:
        self._samples.append(_cpu_times())
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self._samples.append(_cpu_times())

    def stop(self) -> str:
        """Stop sampling; the figures as a line: mean steal, and its worst second."""
        self._stop.set()
        self._thread.join()
        self._samples.append(_cpu_times())
        shares = [_steal_share(a, b) for a, b in itertools.pairwise(self._samples)]
        mean = _steal_share(self._samples[0], self._samples[-1])
        line = f"steal {mean:.1f} % of the CPU, worst second {max(shares, default=0):.0f} %"
        if mean > STEAL_NOTICEABLE:
            line += f" (over {STEAL_NOTICEABLE:g} %: the figures measure the host as much as LGNet)"
        return line


def on_full_infrastructure(
    measure: Callable[[stacks.Stack], Coroutine[Any, Any, T]],
) -> tuple[T, str]:
    """What `measure` finds on PostgreSQL, Kafka and Keycloak started for it, and the
    machine's line for its report: load and the CPU stolen while it ran."""
    steal = Steal()
    with full_infrastructure() as stack:
        steal.start()
        found = run_async(measure(stack))
        stolen = steal.stop()
    return found, f"{machine()}; {stolen}"


def _steal_share(before: list[int], after: list[int]) -> float:
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent[:8])  # guest time is counted in user already
    return 100 * spent[7] / total if total else 0.0


def print_block(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """The figures, on stdout (progress goes to stderr)."""
    width = max(len(label) for label, _ in rows)
    lines = ["", f"== {title} ==", *(f"  {label:<{width}}  {value}" for label, value in rows), ""]
    print("\n".join(lines), flush=True)


def standalone(
    module: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
    argv: list[str] | None = None,
) -> int:
    """``python -m bench.<name>``: one benchmark with its own options (`module` is its
    ``__name__``, ``__main__`` when run with ``-m``)."""
    spec = sys.modules[module].__spec__
    parser = argparse.ArgumentParser(prog=f"python -m {spec.name if spec else module}")
    add_arguments(parser)
    return run(parser.parse_args(argv))


@contextmanager
def service_process(stack: stacks.Stack, service: str, database_url: str) -> Iterator[str]:
    """`service` under uvicorn in a process of its own (as ``make run`` runs it) on
    `database_url`, against the stack's Kafka and Keycloak; yields its base URL. The benchmark's
    process is then the load generator, and shares no event loop with the service."""
    component = stacks.uvicorn_component(
        stack, service, f"services.{service}.app:app", stack.profile.first_service_port
    )
    component.env.update(
        {
            "LGNET_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
            "LGNET_KEYCLOAK_ISSUER": stack.issuer,
            f"LGNET_{service.upper()}_DATABASE_URL": database_url,
            "LGNET_ENVIRONMENT": "test",
            "LGNET_CONSUMER_GROUP_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        }
    )
    stack.supervisor.start(component, timeout=90)
    try:
        yield component.url
    finally:
        stack.supervisor.stop(component)
