"""The observatory rebuilt from Kafka, and its indicator queries over what it rebuilt.

``--replay-events`` events (default 200,000; the issue's figure is 1,000,000) are published
BEFORE the rebuild, on the topics the observatory consumes, as intake and casework publish
them: per synthetic referral a ``referral.received``, then for most a ``referral.screened`` (on
the topic, not consumed: the replay reads and skips it) and a ``referral.first_contacted``,
a ``referral.handed_over`` for 60% and a ``case.opened`` for half (with a status change, its
first plan's approval, a review, a minor's turning 18, a closure: `case_steps`); for one
referral in twenty an initiative as the events service publishes it (created, published,
four sessions, a batch of check-ins at each), and for one in five a household's housing
request and placement (filed, started, for 70% ended) in one of 40 facilities (registered
first); all over
``--replay-years`` years (default 2). Then `kit.rebuild.rebuild` — what
``python -m services.observatory rebuild`` runs — replays them into an empty PostgreSQL
database: events/s over the replay (every record validated against its schema, as live).

Then queries, over the rebuilt data: ``--replay-queries`` (default 40) breakdowns by two
dimensions (month × Municipio) of a random referral indicator over a random year-long
cohort, each a cohort not asked before (its family protected afresh: the cold path), then
the same cohorts again (the warm path: protection cached per counts); then as many caseloads
(organisation × Municipio at a random cohort's end), the same way. p50/p99 of each.

Targets: replay ≥ 20,000 events/s; a query's p99 ≤ 100 ms. No timed assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import uuid
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from aiokafka import AIOKafkaProducer

from bench._support import (
    Steal,
    common_settings,
    create_topics,
    machine,
    percentile,
    postgres_and_kafka,
    print_block,
    run_async,
    standalone,
)
from deploy.local.process import say
from deploy.local.stack import Stack
from kit.db import Database
from kit.events.envelope import CloudEvent
from kit.events.types import EventType
from kit.outbox.relay import producer_config
from kit.rebuild import rebuild
from kit.settings import REPO_ROOT
from services.casework.approvals.events import ApprovalDecided
from services.casework.cases.events import (
    CaseClosed,
    CaseOpened,
    CaseStatusChanged,
    ReviewOverdue,
    ReviewRecorded,
)
from services.casework.minors.events import TurningEighteen
from services.events.attendance.events import AttendanceRecorded, AttendanceRecordedData
from services.events.initiatives.events import (
    InitiativeCreated,
    InitiativeCreatedData,
    InitiativePublished,
    InitiativePublishedData,
)
from services.events.sessions.events import SessionData, SessionScheduled
from services.housing.facilities.events import FacilityRegistered, FacilityRegisteredData
from services.housing.placements.events import PlacementData, PlacementEnded, PlacementStarted
from services.housing.requests.events import RequestFiled, RequestFiledData
from services.intake.referrals.events import (
    ReferralFirstContacted,
    ReferralHandedOver,
    ReferralReceived,
    ReferralScreened,
)
from services.observatory.app import SUBSCRIPTIONS
from services.observatory.indicators import service
from services.observatory.indicators.breakdowns import NESTING, Dimension
from services.observatory.indicators.domain import Cohort, Indicator
from services.observatory.settings import ObservatorySettings
from services.observatory.tables import METADATA

EVENTS_TARGET = 20_000
QUERY_P99_TARGET_MS = 100.0
GROUPS = (
    "unaccompanied_minor",
    "young_adult_leaving_care",
    "vulnerable_family",
    "other_vulnerable",
)
CHANNELS = ("mobile_unit", "one_stop_shop", "multidisciplinary_team", "partner", "hotline")
ORGANISATIONS = ("coop-aurora", "assoc-ponte")
START = datetime(2024, 1, 1, tzinfo=UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("observatory_replay")
    group.add_argument("--replay-events", type=int, default=200_000, help="events published")
    group.add_argument("--replay-years", type=int, default=2, help="years the referrals span")
    group.add_argument("--replay-queries", type=int, default=40, help="cohorts queried")
    group.add_argument("--replay-seed", type=int, default=1, help="seed (default: 1)")


Event = tuple[EventType[Any], str, dict[str, Any]]  # kind, subject, data


def referral(rng: random.Random, years: int) -> list[Event]:
    """The events of one synthetic referral, in the order they are published."""
    referral_id = str(uuid.uuid4())
    received = START + timedelta(seconds=rng.randrange(years * 365 * 86400))
    facts = {
        "referral_id": referral_id,
        "urgency": rng.choice(("immediate", "high", "normal")),
        "target_group": rng.choice(GROUPS),
        "municipio": rng.randint(1, 9),
        "reporting_organisation": rng.choice(ORGANISATIONS),
        "received_at": received.isoformat(),
    }
    person_refs = [str(uuid.uuid4()) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    events: list[Event] = [
        (
            ReferralReceived,
            referral_id,
            {**facts, "channel": rng.choice(CHANNELS), "person_refs": person_refs},
        )
    ]
    if rng.random() < 0.9:
        screened = received + timedelta(hours=1)
        events.append(
            (
                ReferralScreened,
                referral_id,
                {**facts, "outcome": "eligible", "screened_at": screened.isoformat()},
            )
        )
        reached = received + timedelta(hours=rng.randint(1, 48))
        due = received + timedelta(hours=24)
        events.append(
            (
                ReferralFirstContacted,
                referral_id,
                {**facts, "reached_at": reached.isoformat(), "due_at": due.isoformat()},
            )
        )
    if rng.random() < 0.6:
        handed = received + timedelta(days=rng.randint(1, 10))
        lead = rng.choice(ORGANISATIONS)
        events.append(
            (
                ReferralHandedOver,
                referral_id,
                {
                    **facts,
                    "lead_organisation": lead,
                    "handed_over_at": handed.isoformat(),
                    "person_refs": person_refs,
                },
            )
        )
        if rng.random() < 0.83:
            case_id = str(uuid.uuid4())
            case = {
                "case_id": case_id,
                "lead_organisation": lead,
                "target_group": facts["target_group"],
                "municipio": facts["municipio"],
            }
            opened = handed + timedelta(minutes=5)
            opening = {
                **case,
                "origin": "handover",
                "referral_id": referral_id,
                "urgency": facts["urgency"],
                "person_refs": person_refs,
                "opened_at": opened.isoformat(),
                "referral_received_at": facts["received_at"],
            }
            events.append((CaseOpened, case_id, opening))
            events += case_steps(rng, case, opened, person_refs[0])
    return events


def case_steps(
    rng: random.Random, case: dict[str, Any], opened: datetime, person_ref: str
) -> list[Event]:
    """A case's steps the observatory counts: to assessment the next day, its first plan
    approved (for 80%, 5 to 45 days on), a first review (a fifth of them late, their breach
    raised first), for one minor's case in five, turning 18, and for a third, closed."""
    case_id = case["case_id"]
    assessed = {
        **case,
        "from_status": "open",
        "status": "assessment",
        "changed_at": (opened + timedelta(days=1)).isoformat(),
    }
    events: list[Event] = [(CaseStatusChanged, case_id, assessed)]
    if rng.random() < 0.8:
        decided = opened + timedelta(days=rng.randint(5, 45))
        approval = {
            "approval_id": str(uuid.uuid4()),
            "case_id": case_id,
            "lead_organisation": case["lead_organisation"],
            "subject": "first_plan",
            "status": "approved",
            "plan_version": 1,
            "requested_at": opened.isoformat(),
            "decided_at": decided.isoformat(),
        }
        events.append((ApprovalDecided, case_id, approval))
    due = opened + timedelta(days=90)
    reviewed = due + timedelta(days=rng.randint(-30, 10))
    if reviewed > due:
        overdue = {**case, "cycle": 1, "due_at": due.isoformat()}
        events.append((ReviewOverdue, case_id, overdue))
    review = {
        **case,
        "cycle": 1,
        "outcome": "on_track",
        "reviewed_at": reviewed.isoformat(),
        "next_review_due_at": (reviewed + timedelta(days=90)).isoformat(),
    }
    events.append((ReviewRecorded, case_id, review))
    if case["target_group"] == "unaccompanied_minor" and rng.random() < 0.2:
        raised_on = (opened + timedelta(days=rng.randint(30, 300))).date().replace(day=1)
        turning = {
            **case,
            "person_ref": person_ref,
            "raised_on": raised_on.isoformat(),
            "plan_id": str(uuid.uuid4()) if rng.random() < 0.7 else None,
            "extended": False,
        }
        events.append((TurningEighteen, case_id, turning))
    if rng.random() < 1 / 3:
        closed = {
            **case,
            "outcome": "autonomy_reached",
            "opened_at": opened.isoformat(),
            "closed_at": (reviewed + timedelta(days=rng.randint(1, 60))).isoformat(),
            "approval_id": str(uuid.uuid4()),
        }
        events.append((CaseClosed, case_id, closed))
    return events


def initiative(rng: random.Random, years: int) -> list[Event]:
    """An initiative's events: created, published, four sessions and their check-ins."""
    initiative_id = uuid.uuid4()
    day = START + timedelta(days=rng.randrange(years * 365))
    facts: dict[str, Any] = {
        "initiative_id": initiative_id,
        "kind": "workshop",
        "organiser_organisation": rng.choice(ORGANISATIONS),
        "partner_organisations": [],
        "audience": "both",
        "topics": ["language"],
        "languages": ["it"],
        "municipio": rng.randint(1, 9),
        "starts_on": day.date(),
        "ends_on": (day + timedelta(days=30)).date(),
    }
    subject = str(initiative_id)
    created = InitiativeCreatedData(**facts, version=1, status="draft", created_at=day)
    published = InitiativePublishedData(**facts, version=2, status="published", published_at=day)
    events: list[Event] = [
        (InitiativeCreated, subject, created.model_dump(mode="json")),
        (InitiativePublished, subject, published.model_dump(mode="json")),
    ]
    regulars = [uuid.uuid4() for _ in range(6)]
    for week in range(4):
        session_id, starts = uuid.uuid4(), day + timedelta(days=7 * week, hours=17)
        session = SessionData(
            session_id=session_id,
            initiative_id=initiative_id,
            version=1,
            status="scheduled",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            zone="Corvetto",
            venue_municipio=facts["municipio"],
            venue_accessible=True,
            capacity=30,
            languages=["it"],
            cultural_mediator=False,
            interpreter=False,
            changed_at=day,
        )
        came = rng.sample(regulars, 4) + [uuid.uuid4() for _ in range(rng.randint(0, 4))]
        attendance = AttendanceRecordedData(
            initiative_id=initiative_id,
            session_id=session_id,
            checked_in=len(came),
            walk_ins=2,
            refused=0,
            beneficiaries_checked_in=came,
            total_checked_in=len(came),
            total_walk_ins=2,
            recorded_at=starts + timedelta(minutes=30),
        )
        events.append((SessionScheduled, subject, session.model_dump(mode="json")))
        events.append((AttendanceRecorded, subject, attendance.model_dump(mode="json")))
    return events


FACILITIES = [uuid.UUID(int=n + 1) for n in range(40)]


def facilities() -> list[Event]:
    """The facilities the placements are in, registered before any."""
    return [
        (
            FacilityRegistered,
            str(facility_id),
            FacilityRegisteredData(
                facility_id=facility_id,
                kind="shelter",
                operator_organisation="coop-aurora",
                municipio=n % 9 + 1,
                target_groups=list(GROUPS),
                sex_policy="any",
                min_age=0,
                max_age=None,
                accessible=True,
                max_stay_days=None,
                registered_at=START,
            ).model_dump(mode="json"),
        )
        for n, facility_id in enumerate(FACILITIES)
    ]


def placement(rng: random.Random, years: int) -> list[Event]:
    """A household's request and stay: filed, started, and for 70% ended."""
    request_id, placement_id = uuid.uuid4(), uuid.uuid4()
    asked = (START + timedelta(days=rng.randrange(years * 365))).date()
    request = RequestFiledData(
        request_id=request_id,
        case_id=uuid.uuid4(),
        version=1,
        status="waiting",
        target_group=rng.choice(GROUPS),
        household_size=3,
        adults=1,
        minors=2,
        age_bands={"0-5": 1, "6-17": 1, "18-64": 1},
        needs_accessible=False,
        preferred_municipi=[],
        urgency="normal",
        requested_on=asked,
        organisation=rng.choice(ORGANISATIONS),
        filed_at=START,
    )
    stay: dict[str, Any] = {
        "placement_id": placement_id,
        "request_id": request_id,
        "case_id": request.case_id,
        "unit_id": uuid.uuid4(),
        "facility_id": rng.choice(FACILITIES),
        "proposal_id": None,
        "household_size": 3,
        "moved_in_on": asked + timedelta(days=rng.randint(0, 60)),
        "stay_ends_on": None,
    }
    started = PlacementData(**stay, moved_out_on=None, outcome=None)
    events: list[Event] = [
        (RequestFiled, str(request_id), request.model_dump(mode="json")),
        (PlacementStarted, str(placement_id), started.model_dump(mode="json")),
    ]
    if rng.random() < 0.7:
        out = stay["moved_in_on"] + timedelta(days=rng.randint(10, 300))
        outcome = rng.choice(("autonomous_housing", "other_facility", "family_reunion"))
        ended = PlacementData(**stay, moved_out_on=out, outcome=outcome)
        events.append((PlacementEnded, str(placement_id), ended.model_dump(mode="json")))
    return events


def synthetic(rng: random.Random, years: int) -> list[Event]:
    """A referral's events, and now and then an initiative's or a household's stay's."""
    events = referral(rng, years)
    if rng.random() < 0.05:
        events += initiative(rng, years)
    if rng.random() < 0.2:
        events += placement(rng, years)
    return events


async def publish(stack: Stack, n: int, years: int, seed: int) -> tuple[int, float]:
    """At least `n` events of synthetic referrals, sent and acknowledged: how many, and the
    seconds it took."""
    rng = random.Random(seed)
    producer = AIOKafkaProducer(
        **{**producer_config(stack.kafka_bootstrap, "bench-replay-load"), "linger_ms": 20}
    )
    await producer.start()
    began, sent = perf_counter(), 0
    try:
        pending = []
        first = facilities()
        while sent < n:
            for kind, subject, data in first or synthetic(rng, years):
                event = CloudEvent(
                    type=kind.name,
                    source=kind.source,
                    subject=subject,
                    data=data,
                    dataschema=kind.dataschema,
                    organisation=str(data.get("lead_organisation", "coop-aurora")),
                )
                key, value, headers = event.to_record()
                pending.append(await producer.send(kind.topic, value, key=key, headers=headers))
                sent += 1
            first = []
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending = []
                say(f"  {sent:,} published")
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent, perf_counter() - began


Asked = list[tuple[Cohort, Indicator, tuple[Dimension, ...]]]


def asked(count: int, years: int, seed: int, indicators: list[Indicator]) -> Asked:
    """``count`` year-long cohorts at random, each of a random one of ``indicators``: month ×
    Municipio, or organisation × Municipio for the caseload (a stock has no month)."""
    rng = random.Random(seed)
    found: Asked = []
    for _ in range(count):
        start = START + timedelta(days=rng.randrange(max(1, (years - 1) * 365)), hours=1)
        indicator = rng.choice(indicators)
        first = Dimension.ORGANISATION if indicator is Indicator.CASELOAD else Dimension.MONTH
        found.append(
            (Cohort(start, start + timedelta(days=365)), indicator, (first, Dimension.MUNICIPIO))
        )
    return found


async def queries(url: str, cohorts: Asked) -> tuple[list[float], list[float]]:
    """Seconds per breakdown query: each cohort cold, then each again warm."""
    database = Database(url)
    timings: tuple[list[float], list[float]] = ([], [])
    try:
        # a first query of a cohort with no data: the connection and the solver warmed up
        async with database.session(writes=False) as session:
            empty = Cohort(START - timedelta(days=400), START - timedelta(days=40))
            await service.published_breakdown(
                session=session,
                cohort=empty,
                indicator=Indicator.REFERRALS_RECEIVED,
                by=(Dimension.MONTH, Dimension.MUNICIPIO),
                threshold=5,
            )
        for timing in timings:
            for cohort, indicator, by in cohorts:
                began = perf_counter()
                async with database.session(writes=False) as session:
                    await service.published_breakdown(
                        session=session, cohort=cohort, indicator=indicator, by=by, threshold=5
                    )
                timing.append(perf_counter() - began)
    finally:
        await database.dispose()
    return timings


def _timed(cold: list[float], warm: list[float]) -> tuple[str, str]:
    cold_ms, warm_ms = sorted(t * 1000 for t in cold), sorted(t * 1000 for t in warm)
    return (
        f"p50 {percentile(cold_ms, 50):.0f} ms, p99 {percentile(cold_ms, 99):.0f} ms "
        f"(target p99 ≤ {QUERY_P99_TARGET_MS:.0f} ms)",
        f"p50 {percentile(warm_ms, 50):.1f} ms, p99 {percentile(warm_ms, 99):.1f} ms "
        f"(cold/warm p99 {percentile(cold_ms, 99) / percentile(warm_ms, 99):.0f}×)",
    )


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (the rebuild's replay
    processes; not the stack's, which run on)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


async def bench(stack: Stack, args: argparse.Namespace) -> list[tuple[str, str]]:
    say(f"▶ publishing {args.replay_events:,} events")
    await create_topics(stack, *sorted({t for sub in SUBSCRIPTIONS for t in sub.topics}))
    sent, seconds = await publish(stack, args.replay_events, args.replay_years, args.replay_seed)
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"bench_replay_{uuid.uuid4().hex[:8]}")
    settings = ObservatorySettings(database_url=url, common=common_settings(stack))
    say("▶ rebuilding the observatory from Kafka")
    began, cpu = perf_counter(), _cpu()
    progress = await rebuild(
        settings,
        subscriptions=SUBSCRIPTIONS,
        read_model=METADATA,
        migrations=REPO_ROOT / "services" / "observatory" / "migrations",
    )
    command, cpu = perf_counter() - began, _cpu() - cpu
    rate = progress.done / progress.elapsed
    say(f"▶ {args.replay_queries} breakdown queries and as many caseloads, cold then warm")
    count, years, seed = args.replay_queries, args.replay_years, args.replay_seed
    referrals = _timed(*await queries(url, asked(count, years, seed, list(NESTING))))
    caseloads = _timed(*await queries(url, asked(count, years, seed, [Indicator.CASELOAD])))
    outcomes = ", ".join(f"{n:,} {o}" for o, n in sorted(progress.outcomes.items()))
    return [
        ("published", f"{sent:,} events in {seconds:.1f} s ({sent / seconds:,.0f} events/s)"),
        (
            "replay",
            f"{progress.done:,} events in {progress.elapsed:.1f} s: {rate:,.0f} events/s "
            f"(target ≥ {EVENTS_TARGET:,}; {rate / EVENTS_TARGET:.2f}× the target); "
            f"the command {command:.1f} s in all; {progress.batches:,} batches; "
            f"{cpu / progress.done * 1e6:.0f} µs CPU per event (the command's processes)",
        ),
        ("  outcomes", outcomes),
        ("query, cold", f"{referrals[0]}; referral family, month × Municipio, a year's cohort"),
        ("query, warm", referrals[1]),
        ("caseload, cold", f"{caseloads[0]}; organisation × Municipio at a cohort's end"),
        ("caseload, warm", caseloads[1]),
    ]


def run(args: argparse.Namespace) -> int:
    steal = Steal()
    steal.start()
    with postgres_and_kafka() as stack:
        rows = run_async(bench(stack, args))
    rows.append(("machine", f"{machine()}; {steal.stop()}"))
    print_block("observatory replay", rows)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
