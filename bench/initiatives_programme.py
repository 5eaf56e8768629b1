"""The public programme at 2,000 published sessions: a full answer's latency, and the 304 a
client holding the answer gets, against it.

Events runs under uvicorn in a process of its own (`service_process`) on a fresh PostgreSQL
database, which its migrations create. A synthetic programme is written straight into it:
``--programme-initiatives`` published initiatives (Municipi 1–9, five kinds, translations in
two or three languages) with ``--programme-sessions`` scheduled sessions among them over the
next six months, plus drafts and cancelled sessions (10 % more of each) that the programme
must leave out, and registrations as a busy programme has them (up to each session's capacity,
some offered, a line where full, a few cancelled: about twelve a session), which each session's
free seats and the pages' freshness count. Then, with no token (the programme is public):

- **full**: ``GET /v1/initiatives/programme`` (a page of 50, soonest first), ``--programme-
  requests`` times: p50, p99; the same with ``?municipio=3&language=ar``;
- **304**: the same request with ``If-None-Match`` holding the first answer's ETag, as many
  times: p50, p99, and full/304;
- **calendar**: ``GET /v1/initiatives/programme/calendar.ics`` (every session): the first,
  which renders it, then ``--programme-feeds`` more of the unchanged feed, which the process
  answers with the body it kept (`conditional.Bodies`): median.

Targets: full p99 ≤ 30 ms; 304 ≥ 3× faster than a full answer (medians).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import uuid
from datetime import timedelta
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import text

from bench._support import (
    on_full_infrastructure,
    percentile,
    print_block,
    service_process,
    standalone,
)
from deploy.local import stack as stacks
from deploy.local.process import say
from kit.db import Database, utcnow
from kit.rows import insert_many
from services.events.initiatives.models import Initiative
from services.events.registrations.models import Registration
from services.events.sessions.models import InitiativeSession

PROGRAMME = "/v1/initiatives/programme"
KINDS = (
    "workshop",
    "meeting",
    "information_session",
    "awareness_campaign",
    "civic_engagement_project",
)
LANGUAGES = ("ar", "en", "fr", "ti", "uk", "zh", "es", "bn")
WARM_UP = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("initiatives_programme")
    group.add_argument("--programme-initiatives", type=int, default=200)
    group.add_argument("--programme-sessions", type=int, default=2_000)
    group.add_argument(
        "--programme-requests", type=int, default=500, help="requests timed per case"
    )
    group.add_argument("--programme-feeds", type=int, default=20, help="repeated city feeds timed")


def _initiative(rng: random.Random, n: int, status: str, now: Any) -> dict[str, Any]:
    translated = rng.sample(LANGUAGES, rng.randint(2, 3))
    return {
        "id": uuid.uuid4(), "version": 2, "title": f"Iniziativa {n}",
        "description": "Un pomeriggio a settimana, aperto a tutte le famiglie del quartiere.",
        "translations": {lang: {"title": f"Initiative {n} ({lang})"} for lang in translated},
        "kind": KINDS[n % len(KINDS)], "status": status, "organiser_organisation": "ponte",
        "partner_organisations": ["aurora"], "audience": "both",
        "topics": ["lingua-italiana", "famiglie"], "municipio": 1 + n % 9,
        "neighbourhood": "San Siro", "starts_on": now.date(),
        "ends_on": (now + timedelta(days=200)).date(),
        "published_at": now if status == "published" else None, "ended_at": None,
        "created_by": "organizer.ponte", "created_at": now, "updated_at": now,
    }  # fmt: skip


def _session(
    rng: random.Random, initiative: dict[str, Any], status: str, now: Any
) -> dict[str, Any]:
    starts = now + timedelta(days=rng.randint(1, 180), hours=rng.randint(0, 10))
    return {
        "id": uuid.uuid4(), "version": 1, "initiative_id": initiative["id"], "status": status,
        "starts_at": starts, "ends_at": starts + timedelta(hours=2), "zone": "Europe/Rome",
        "venue_name": "Biblioteca di quartiere", "venue_address": "Via Esempio 1, Milano",
        "venue_municipio": initiative["municipio"], "venue_accessible": True,
        "capacity": 20, "languages": ["it", rng.choice(LANGUAGES)], "cultural_mediator": True,
        "interpreter": False, "auto_confirm": False, "offer_hold_minutes": 1440,
        "next_position": 1, "cancelled_at": now if status == "cancelled" else None,
        "created_by": "organizer.ponte", "created_at": now, "updated_at": now,
    }  # fmt: skip


def _registrations(rng: random.Random, session: dict[str, Any], now: Any) -> list[dict[str, Any]]:
    capacity = session["capacity"]
    taken = rng.randint(0, capacity)
    statuses = ["registered"] * taken + ["cancelled"] * rng.randint(0, 3)
    if taken == capacity:
        statuses += ["waitlisted"] * rng.randint(1, 5)
    elif taken and rng.random() < 0.2:
        statuses[0] = "offered"
    return [
        {
            "id": uuid.uuid4(),
            "version": 1 if status == "registered" else 2,
            "session_id": session["id"],
            "registrant": "beneficiary",
            "person_ref": uuid.uuid4(),
            "status": status,
            "position": n if status in ("waitlisted", "offered") else None,
            "organisation": "ponte",
            "registered_by": "caseworker.ponte",
            "created_at": now,
            "updated_at": now,
        }
        for n, status in enumerate(statuses, start=1)
    ]


async def load(database: Database, initiatives: int, sessions: int) -> None:
    """The published programme, with drafts and cancellations it must leave out."""
    rng = random.Random(20261202)
    now = utcnow()
    published = [_initiative(rng, n, "published", now) for n in range(initiatives)]
    drafts = [_initiative(rng, n, "draft", now) for n in range(max(1, initiatives // 10))]
    rows = [_session(rng, published[n % len(published)], "scheduled", now) for n in range(sessions)]
    rows += [_session(rng, rng.choice(drafts), "scheduled", now) for _ in range(sessions // 10)]
    rows += [_session(rng, rng.choice(published), "cancelled", now) for _ in range(sessions // 10)]
    registrations = [
        registration
        for row in rows
        if row["status"] == "scheduled"
        for registration in _registrations(rng, row, now)
    ]
    async with database.session() as session:
        await insert_many(session, Initiative, published + drafts)
        await insert_many(session, InitiativeSession, rows)
        await insert_many(session, Registration, registrations)
    async with database.engine.connect() as connection:
        # as autovacuum would soon after such a load: without statistics the planner takes
        # each table for one row and nests loops over 2,000 sessions
        await connection.execute(text("ANALYZE initiatives, initiative_sessions, registrations"))
    say(f"  with {len(registrations):,} registrations")


async def _timed(
    client: httpx.AsyncClient, n: int, params: dict[str, Any], headers: dict[str, str], status: int
) -> list[float]:
    latencies = []
    for i in range(n + WARM_UP):
        began = perf_counter()
        answer = await client.get(PROGRAMME, params=params, headers=headers)
        elapsed = perf_counter() - began
        if answer.status_code != status:
            raise RuntimeError(f"programme: {answer.status_code} {answer.text[:300]}")
        if i >= WARM_UP:
            latencies.append(elapsed)
    return sorted(latencies)


def _ms(latencies: list[float]) -> str:
    return (
        f"p50 {percentile(latencies, 50) * 1000:.2f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.2f} ms"
    )


async def measure(stack: stacks.Stack, args: argparse.Namespace) -> list[tuple[str, str]]:
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"bench_programme_{uuid.uuid4().hex[:8]}")
    n = args.programme_requests
    with service_process(stack, "events", url) as base_url:
        database = Database(url)
        sessions, initiatives = args.programme_sessions, args.programme_initiatives
        say(f"▶ loading {sessions} sessions of {initiatives} initiatives")
        await load(database, args.programme_initiatives, args.programme_sessions)
        await database.dispose()
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            first = await client.get(PROGRAMME)
            if first.status_code != 200:
                raise RuntimeError(f"programme: {first.status_code} {first.text[:300]}")
            etag = first.headers["ETag"]
            say("▶ full answers")
            full = await _timed(client, n, {}, {}, 200)
            filtered = await _timed(client, n, {"municipio": 3, "language": "ar"}, {}, 200)
            say("▶ 304s")
            not_modified = await _timed(client, n, {}, {"If-None-Match": etag}, 304)
            say("▶ city feed")
            began = perf_counter()
            feed = await client.get(f"{PROGRAMME}/calendar.ics")
            rendered = perf_counter() - began
            if feed.status_code != 200:
                raise RuntimeError(f"calendar: {feed.status_code} {feed.text[:300]}")
            feeds = []
            for _ in range(args.programme_feeds):
                began = perf_counter()
                again = await client.get(f"{PROGRAMME}/calendar.ics")
                feeds.append(perf_counter() - began)
                if again.status_code != 200 or again.content != feed.content:
                    raise RuntimeError(f"calendar again: {again.status_code}, other bytes")
    p99 = percentile(full, 99) * 1000
    ratio = statistics.median(full) / statistics.median(not_modified)
    return [
        ("programme", f"{args.programme_sessions:,} published sessions of "
                      f"{args.programme_initiatives} initiatives (+10 % drafts' and cancelled)"),
        ("full page of 50", f"{_ms(full)} (p99 ≤ 30: {'met' if p99 <= 30 else 'missed'}), "
                            f"{len(first.content):,} bytes"),
        ("filtered page", _ms(filtered) + " (municipio=3&language=ar)"),
        ("304 Not Modified", _ms(not_modified)),
        ("full/304 (medians)", f"{ratio:.1f}× (≥ 3: {'met' if ratio >= 3 else 'missed'})"),
        ("city calendar.ics", f"first (rendered) {rendered * 1000:.0f} ms, again (kept) "
                              f"median {statistics.median(feeds) * 1000:.1f} ms, "
                              f"{len(feed.content):,} bytes"),
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    rows, load = on_full_infrastructure(lambda stack: measure(stack, args))
    print_block("initiatives programme", [*rows, ("machine", load)])
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
