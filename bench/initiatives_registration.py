"""50 clients registering beneficiaries into one session of 1,000 seats, then 500 more onto its
waiting list: registrations/s, p50 and p99, no overbooking, against the same clients reading
that session in the same run.

Events runs under uvicorn in a process of its own (`service_process`) on a fresh PostgreSQL
database, which its migrations create. A published initiative of ``assoc-ponte`` (audience
``both``) is written straight into it, with the measured session (``--registration-seats``
seats) and a small warm-up session. Every request carries the demo case worker
``caseworker.ponte``'s token (real Keycloak); ``--registration-clients`` clients share one
connection pool and send their requests back to back:

- **reads**: ``GET /v1/initiatives/{id}/sessions/{id}``, as many times as there are
  registrations: reads/s, p50, p99;
- **seats**: ``--registration-seats`` ``POST …/registrations`` of new beneficiaries
  (``{"registrant": "beneficiary", "person_ref": …}``, each with its own ``Idempotency-Key``),
  every one of which must answer ``registered``;
- **waiting list**: ``--registration-waitlist`` more, every one ``waitlisted``.

The seats are counted under the session's row lock, so the registrations of a session queue
on it whatever the number of clients. Afterwards ``GET …/seats`` must count every seat taken
and everyone in line, and the waiting list (``GET …/waitlist``, every page) must hold
positions 1..N in order, without a gap or a repeat; the benchmark fails otherwise.

Target: registrations/s ÷ reads/s ≥ 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
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
from deploy.local.realm import Realm
from kit.db import Database, utcnow
from kit.rows import insert_many
from services.events.initiatives.models import Initiative
from services.events.sessions.models import InitiativeSession

USER = "caseworker.ponte"  # case-worker of assoc-ponte: registers into any published initiative
ORGANISER = "assoc-ponte"
WARM_UP_SEATS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("initiatives_registration")
    group.add_argument(
        "--registration-clients", type=int, default=50, help="concurrent clients (default: 50)"
    )
    group.add_argument(
        "--registration-seats", type=int, default=1_000, help="the session's capacity (1,000)"
    )
    group.add_argument(
        "--registration-waitlist",
        type=int,
        default=500,
        help="registrations once it is full, onto its waiting list (default: 500)",
    )


@dataclass
class Burst:
    """`count` requests shared among the clients: their latencies, the answers, the wall time."""

    count: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    service_cpu: float = 0.0  # seconds of the service process's CPU
    client_cpu: float = 0.0  # and of this one's (the load generator)

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def p(self, pct: float) -> float:
        return percentile(sorted(self.latencies), pct) * 1000

    def line(self, unit: str) -> str:
        per = 1000 / self.count
        return (
            f"{self.count:,} in {self.seconds:.2f} s: {self.rate:6.1f} {unit}/s  "
            f"p50 {self.p(50):6.1f} ms  p99 {self.p(99):6.1f} ms  max {self.p(100):6.1f} ms  "
            f"CPU/req service {self.service_cpu * per:4.1f} ms, "
            f"client {self.client_cpu * per:4.1f} ms"
        )

    def __add__(self, other: Burst) -> Burst:
        return Burst(
            self.count + other.count,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.answers + other.answers,
            self.service_cpu + other.service_cpu,
            self.client_cpu + other.client_cpu,
        )


Request = Callable[[int], Awaitable[dict[str, Any]]]


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def process_cpu(pid: int) -> Callable[[], float]:
    """The CPU seconds process `pid` has used so far (/proc/<pid>/stat: utime + stime)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return used


async def burst(
    request: Request, count: int, clients: int, service_cpu: Callable[[], float]
) -> Burst:
    """`clients` tasks sending `request(i)` back to back until `count` have been answered."""
    timed = Burst(count)
    numbers: Iterator[int] = iter(range(count))

    async def one() -> None:
        for i in numbers:  # shared: each number is taken by one client
            began = perf_counter()
            answer = await request(i)
            timed.latencies.append(perf_counter() - began)
            timed.answers.append(answer)

    served, own, began = service_cpu(), _own_cpu(), perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    timed.seconds = perf_counter() - began
    timed.service_cpu, timed.client_cpu = service_cpu() - served, _own_cpu() - own
    return timed


def _initiative(now: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(), "version": 2, "title": "Sportello lavoro: incontro aperto",
        "description": "Un incontro aperto sul lavoro e sui diritti, con mediatori culturali.",
        "translations": {"en": {"title": "Job desk: open meeting"}},
        "kind": "information_session", "status": "published",
        "organiser_organisation": ORGANISER, "partner_organisations": ["coop-aurora"],
        "audience": "both", "topics": ["lavoro"], "municipio": 8, "neighbourhood": "QT8",
        "starts_on": now.date(), "ends_on": (now + timedelta(days=90)).date(),
        "published_at": now, "ended_at": None, "created_by": "organizer.ponte",
        "created_at": now, "updated_at": now,
    }  # fmt: skip


def _session(initiative: dict[str, Any], capacity: int, now: Any) -> dict[str, Any]:
    starts = now + timedelta(days=30)
    return {
        "id": uuid.uuid4(), "version": 1, "initiative_id": initiative["id"],
        "status": "scheduled", "starts_at": starts, "ends_at": starts + timedelta(hours=3),
        "zone": "Europe/Rome", "venue_name": "Palazzetto di quartiere",
        "venue_address": "Via Esempio 1, Milano", "venue_municipio": 8,
        "venue_accessible": True, "capacity": capacity, "languages": ["it", "ar", "en"],
        "cultural_mediator": True, "interpreter": False, "auto_confirm": False,
        "offer_hold_minutes": 1440, "next_position": 1, "cancelled_at": None,
        "created_by": "organizer.ponte", "created_at": now, "updated_at": now,
    }  # fmt: skip


async def load(database: Database, seats: int) -> tuple[str, str, str]:
    """The initiative, its measured session and its warm-up session: their ids."""
    now = utcnow()
    initiative = _initiative(now)
    measured, warm_up = _session(initiative, seats, now), _session(initiative, WARM_UP_SEATS, now)
    async with database.session() as session:
        await insert_many(session, Initiative, [initiative])
        await insert_many(session, InitiativeSession, [measured, warm_up])
    return str(initiative["id"]), str(measured["id"]), str(warm_up["id"])


class Calls:
    """The requests of the benchmark, as the case worker makes them."""

    def __init__(self, client: httpx.AsyncClient, realm: Realm, initiative_id: str) -> None:
        self.client, self.realm = client, realm
        self.initiative = f"/v1/initiatives/{initiative_id}"

    def session(self, session_id: str) -> str:
        return f"{self.initiative}/sessions/{session_id}"

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        answer = await self.client.get(path, params=params, headers=self.realm.headers(USER))
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        found: dict[str, Any] = answer.json()
        return found

    def reader(self, session_id: str) -> Request:
        path = self.session(session_id)

        async def read(_: int) -> dict[str, Any]:
            return await self.get(path)

        return read

    def registrar(self, session_id: str, count: int) -> Request:
        """`count` new beneficiaries' registrations, their bodies and keys made up front."""
        path = f"{self.session(session_id)}/registrations"
        bodies = [
            {"registrant": "beneficiary", "person_ref": str(uuid.uuid4())} for _ in range(count)
        ]
        keys = [str(uuid.uuid4()) for _ in range(count)]

        async def register(i: int) -> dict[str, Any]:
            headers = {**self.realm.headers(USER), "Idempotency-Key": keys[i]}
            answer = await self.client.post(path, json=bodies[i], headers=headers)
            if answer.status_code != 201:
                raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text[:300]}")
            made: dict[str, Any] = answer.json()
            return made

        return register

    async def waitlist(self, session_id: str) -> list[int | None]:
        """The positions of the waiting list, every page, in the order it answers them."""
        path, cursor, positions = f"{self.session(session_id)}/waitlist", None, []
        while True:
            page = await self.get(path, limit=200, **({"cursor": cursor} if cursor else {}))
            positions += [row["position"] for row in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return positions


def _statuses(timed: Burst, expected: str, what: str) -> None:
    wrong = [answer["status"] for answer in timed.answers if answer["status"] != expected]
    if wrong:
        raise RuntimeError(f"{what}: {len(wrong)} of {timed.count} not {expected} ({wrong[:5]})")


async def check(calls: Calls, database: Database, session_id: str, seats: int, line: int) -> str:
    """No overbooking: the seats counted, the waiting list in order, as the API and the
    database see them (raises otherwise)."""
    counted = await calls.get(f"{calls.session(session_id)}/seats")
    expected = {"capacity": seats, "registered": seats, "offered": 0, "waitlisted": line}
    if {name: counted[name] for name in expected} != expected or counted["free"] != 0:
        raise RuntimeError(f"overbooked: seats {counted}, expected {expected} and none free")
    positions = await calls.waitlist(session_id)
    if positions != list(range(1, line + 1)):
        raise RuntimeError(f"waiting list positions {positions[:10]}… are not 1..{line}")
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT status, count(*), count(DISTINCT person_ref), min(position),"
                " max(position), count(DISTINCT position)"
                " FROM registrations WHERE session_id = :id GROUP BY status"
            ),
            {"id": uuid.UUID(session_id)},
        )
        stored = {row[0]: tuple(row[1:]) for row in rows}
    wanted = {
        "registered": (seats, seats, None, None, 0),
        "waitlisted": (line, line, 1, line, line),
    }
    if stored != wanted:
        raise RuntimeError(f"stored registrations {stored}, expected {wanted}")
    return (
        f"seats: {counted['registered']} registered of {counted['capacity']}, "
        f"{counted['waitlisted']} waitlisted, {counted['free']} free; "
        f"waiting list 1..{line} in order (API and database)"
    )


async def measure(stack: stacks.Stack, args: argparse.Namespace) -> list[tuple[str, str]]:
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"bench_registration_{uuid.uuid4().hex[:8]}")
    clients, seats, line = (
        args.registration_clients,
        args.registration_seats,
        args.registration_waitlist,
    )
    realm = Realm(stack.keycloak_url)
    realm.headers(USER)  # the token, fetched before any clock starts
    with service_process(stack, "events", url) as base_url:
        # the service's pid file (deploy.local.process), to read its CPU from /proc
        cpu = process_cpu(int((stack.profile.state / "pids" / "events.pid").read_text()))
        database = Database(url)
        initiative_id, session_id, warm_up_id = await load(database, seats)
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            calls = Calls(client, realm, initiative_id)
            say(f"▶ warm-up: {clients} clients on a session of {WARM_UP_SEATS} seats")
            await burst(calls.reader(session_id), 4 * clients, clients, cpu)
            warm = 3 * WARM_UP_SEATS
            placed = await burst(calls.registrar(warm_up_id, warm), warm, clients, cpu)
            told = Counter(answer["status"] for answer in placed.answers)
            if told != {"registered": WARM_UP_SEATS, "waitlisted": warm - WARM_UP_SEATS}:
                raise RuntimeError(f"warm-up: {dict(told)} for {WARM_UP_SEATS} seats")
            say(f"▶ reads: {seats + line} by {clients} clients")
            reads = await burst(calls.reader(session_id), seats + line, clients, cpu)
            say(f"▶ registrations: {seats} seats by {clients} clients")
            seated = await burst(calls.registrar(session_id, seats), seats, clients, cpu)
            _statuses(seated, "registered", "seats")
            say(f"▶ registrations: {line} onto the waiting list")
            waiting = await burst(calls.registrar(session_id, line), line, clients, cpu)
            _statuses(waiting, "waitlisted", "waiting list")
            verdict = await check(calls, database, session_id, seats, line)
        await database.dispose()
    both = seated + waiting
    ratio = both.rate / reads.rate
    return [
        ("session", f"{seats:,} seats, then {line:,} onto its waiting list; "
                    f"{clients} clients as {USER} (real Keycloak token), Idempotency-Key each"),
        ("reads (GET session)", reads.line("reads")),
        ("registrations: seats", seated.line("reg")),
        ("registrations: waitlist", waiting.line("reg")),
        ("registrations: all", both.line("reg")),
        ("no overbooking", verdict),
        ("registrations/reads", f"{ratio:.2f} (≥ 0.5: {'met' if ratio >= 0.5 else 'missed'}); "
                                f"seats {seated.rate / reads.rate:.2f}, "
                                f"waitlist {waiting.rate / reads.rate:.2f}"),
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    rows, load = on_full_infrastructure(lambda stack: measure(stack, args))
    print_block("initiatives registration", [*rows, ("machine", load)])
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
