"""Hand-over to case open under a burst: ``--handovers`` hand-overs (default 10,000) published
at once, and casework opening their cases through its batched inbox, on PostgreSQL.

Casework runs under uvicorn in a process of its own (`service_process`) on a fresh PostgreSQL
database, its consumers joined before the burst. This process then publishes the burst —
``lgnet.intake.referral.handed_over`` events as intake's relay would send them, one referral
each, over 100 reporting organisations' keys — as fast as the broker acknowledges, and counts
the cases in casework's database every 50 ms until every hand-over has its case. Then it
publishes the whole burst again (a redelivery under new event ids, as a relay that crashed
before marking its outbox would) and checks that no case was added: one hand-over, one case.

Printed: the burst's publishing time and rate; cases/s over the drain (first event sent to
last case committed) and over the consumer's own work (first case to last); the lag when the
burst was fully published (hand-overs without their case yet) and at the end (the seconds
between the last event acknowledged and its case); and the case count after the redelivery.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from bench._support import (
    create_topics,
    on_full_infrastructure,
    print_block,
    service_process,
    standalone,
)
from deploy.local import stack as stacks
from deploy.local.process import say
from kit.db import Database
from kit.events.envelope import CloudEvent
from kit.outbox.relay import producer_config
from services.intake.referrals.events import ReferralHandedOver

GROUPS = ("unaccompanied_minor", "vulnerable_family", "young_adult", "other")
LEADS = ("assoc-ponte", "coop-aurora")
POLL = 0.05


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("handover_burst")
    group.add_argument(
        "--handovers", type=int, default=10_000, help="hand-overs in the burst (default: 10,000)"
    )


def _handover(sequence: int, now: datetime) -> CloudEvent:
    received = now - timedelta(hours=2)
    referral, reporting = str(uuid.uuid4()), f"org-{sequence % 100:02d}"
    data: dict[str, object] = {
        "referral_id": referral,
        "urgency": ("immediate", "high", "normal")[sequence % 3],
        "target_group": GROUPS[sequence % len(GROUPS)],
        "municipio": sequence % 9 + 1,
        "reporting_organisation": reporting,
        "received_at": received.isoformat(),
        "person_refs": [str(uuid.uuid4())],
        "lead_organisation": LEADS[sequence % len(LEADS)],
        "handed_over_at": now.isoformat(),
    }
    return CloudEvent(
        type=ReferralHandedOver.name,
        source=ReferralHandedOver.source,
        subject=referral,
        data=data,
        dataschema=ReferralHandedOver.dataschema,
        organisation=reporting,
    )


async def _publish(stack: stacks.Stack, events: list[CloudEvent], sent_at: list[float]) -> None:
    producer = AIOKafkaProducer(**producer_config(stack.kafka_bootstrap, "bench-handover-burst"))
    await producer.start()
    try:
        sent_at.append(perf_counter())
        pending = []
        for event in events:
            key, value, headers = event.to_record()
            pending.append(
                await producer.send(ReferralHandedOver.topic, value, key=key, headers=headers)
            )
        await asyncio.gather(*pending)
        sent_at.append(perf_counter())
    finally:
        await producer.stop()


async def _cases(database: Database) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM cases"))).scalar_one())


@dataclass
class Burst:
    handovers: int
    publish_seconds: float
    first_case_after: float  # seconds from the first event sent
    drained_after: float  # seconds from the first event sent to the last case
    lag_at_published: int  # hand-overs without their case when the burst was acknowledged
    tail_seconds: float  # last event acknowledged → its case
    cases_after_redelivery: int


async def measure(stack: stacks.Stack, n: int) -> Burst:
    assert stack.postgres is not None
    await create_topics(stack, ReferralHandedOver.topic)
    url = stack.postgres.create_database(f"bench_handover_{uuid.uuid4().hex[:8]}")
    with service_process(stack, "casework", url) as _:
        database = Database(url)
        await asyncio.sleep(5)  # the consumer group settles on its partitions
        now = datetime.now(UTC)
        events = [_handover(i, now) for i in range(n)]
        say(f"▶ publishing {n} hand-overs")
        sent_at: list[float] = []
        publishing = asyncio.create_task(_publish(stack, events, sent_at))
        first_case: float | None = None
        lag_at_published: int | None = None
        while True:
            count = await _cases(database)
            moment = perf_counter()
            if first_case is None and count > 0:
                first_case = moment
            if lag_at_published is None and publishing.done():
                await publishing
                lag_at_published = n - count
            if count >= n:
                break
            await asyncio.sleep(POLL)
        await publishing
        drained = perf_counter()
        say("▶ redelivering the whole burst under new event ids")
        again = [
            CloudEvent(
                type=e.type,
                source=e.source,
                subject=e.subject,
                data=e.data,
                dataschema=e.dataschema,
                organisation=e.organisation,
            )
            for e in events
        ]
        await _publish(stack, again, [])
        await asyncio.sleep(10)
        after = await _cases(database)
        await database.dispose()
    began, published = sent_at
    return Burst(
        handovers=n,
        publish_seconds=published - began,
        first_case_after=(first_case or drained) - began,
        drained_after=drained - began,
        lag_at_published=lag_at_published if lag_at_published is not None else 0,
        tail_seconds=max(0.0, drained - published),
        cases_after_redelivery=after,
    )


def report(burst: Burst, where: str) -> None:
    n = burst.handovers
    consuming = burst.drained_after - burst.first_case_after
    print_block(
        f"handover_burst — {n} hand-overs at once → cases, PostgreSQL ({where})",
        [
            (
                "burst published",
                f"{burst.publish_seconds:.2f} s ({n / burst.publish_seconds:,.0f}/s)",
            ),
            ("first case after", f"{burst.first_case_after:.2f} s"),
            ("all cases after", f"{burst.drained_after:.2f} s"),
            ("cases/s, first event → last case", f"{n / burst.drained_after:,.0f}"),
            ("cases/s, first case → last case", f"{n / max(consuming, 1e-9):,.0f}"),
            ("lag when the burst was published", f"{burst.lag_at_published} hand-overs"),
            ("lag at the end", f"{burst.tail_seconds:.2f} s after the last event was acked"),
            ("cases after redelivering the burst", f"{burst.cases_after_redelivery} (expect {n})"),
        ],
    )


def run(args: argparse.Namespace) -> int:
    burst, load = on_full_infrastructure(lambda stack: measure(stack, args.handovers))
    report(burst, load)
    return 0 if burst.cases_after_redelivery == burst.handovers else 1


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
