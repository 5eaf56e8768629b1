"""The case list with three filters at 200,000 cases on PostgreSQL: through the service, and the
same SQL run directly, in the same run.

Casework runs under uvicorn in a process of its own (`service_process`) on a fresh PostgreSQL
database, which its migrations create; ``--cases`` synthetic cases (default 200,000) are then
written straight into it, spread over five lead organisations, the statuses, the target groups
and the nine Municipi, opened over two years, each with one team member; the database is
analysed. For each of two callers — a Comune coordinator (no visibility clause) and a case
worker of one lead organisation (the visibility rule: the cases their organisation leads, or
whose team they are on) — one client sends ``--list-requests`` requests back to back after a
warm-up:

- **service**: ``GET /v1/casework/cases?status=plan_active&target_group=unaccompanied_minor
  &municipio=2&limit=20``, through the whole app (token check, the session, the list, the
  persons of the page, the audit of the 20 cases listed, serialisation);
- **direct**: the SQL that list runs for its page, as text with bound parameters, on a
  connection of this process (no HTTP, no ORM, no audit).

Printed per caller and side: p50, p99, max; and the targets: service/direct p50 ratio ≤ 2 and
service p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter

import httpx
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlmodel import col, select

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
from kit.auth import Principal
from kit.db import Database, utcnow
from services.casework.cases.models import Case
from services.casework.visibility import visible_clause

FILTERS = {"status": "plan_active", "target_group": "unaccompanied_minor", "municipio": "2"}
LIST = "/v1/casework/cases"
CALLERS = {"coordinator": "coordinator.comune", "case worker": "caseworker.ponte"}
LEADS = ("assoc-ponte", "coop-aurora", "coop-a", "coop-b", "coop-c")
STATUSES = ("open", "assessment", "plan_active", "monitoring", "closed")
GROUPS = (
    "unaccompanied_minor",
    "young_adult_leaving_care",
    "vulnerable_family",
    "other_vulnerable",
)


def page_sql(subject: str, organisation: str | None) -> str:
    """The SQL of the list's first page as casework builds it — its filters, order and limit,
    and for a case worker its own visibility clause (`services.casework.visibility`) — with
    the values inlined: what the service runs, without the service."""
    stmt = select(Case).where(
        col(Case.status) == FILTERS["status"],
        col(Case.target_group) == FILTERS["target_group"],
        col(Case.municipio) == int(FILTERS["municipio"]),
    )
    if organisation is not None:
        caller = Principal(
            subject=subject,
            username="bench",
            client_id="lgnet-web",
            organisation=organisation,
            roles=frozenset({"case-worker"}),
        )
        clause = visible_clause(caller)
        assert clause is not None
        stmt = stmt.where(clause)
    stmt = stmt.order_by(col(Case.opened_at).desc(), col(Case.id).desc()).limit(21)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


_PERSONS = "SELECT * FROM case_persons WHERE case_id = ANY(:ids) ORDER BY case_id, person_ref"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("case_list")
    group.add_argument(
        "--cases", type=int, default=200_000, help="cases stored first (default: 200,000)"
    )
    group.add_argument(
        "--list-requests", type=int, default=400, help="requests per side and caller (default: 400)"
    )
    group.add_argument("--list-explain", action="store_true", help="print each caller's query plan")


@dataclass
class Side:
    latencies: list[float] = field(default_factory=list)

    def p(self, pct: float) -> float:
        return percentile(sorted(self.latencies), pct) * 1000


async def load(database: Database, count: int, user: str) -> None:
    """`count` synthetic cases (ids and codes only), one team member each, then ANALYZE."""
    rng = random.Random(20261201)
    now = utcnow()
    batch = 5000
    async with database.engine.begin() as connection:
        for start in range(0, count, batch):
            cases, persons, members = [], [], []
            for _ in range(min(batch, count - start)):
                case_id = uuid.uuid4()
                lead = rng.choice(LEADS)
                opened = now - timedelta(seconds=rng.randrange(2 * 365 * 86400))
                cases.append(
                    {
                        "id": case_id,
                        "status": rng.choice(STATUSES),
                        "target_group": rng.choice(GROUPS),
                        "municipio": rng.randint(1, 9),
                        "lead_organisation": lead,
                        "opened_at": opened,
                    }
                )
                persons.append({"case_id": case_id, "person_ref": uuid.uuid4()})
                # the case worker of assoc-ponte is on a few other organisations' teams
                on_team = lead != "assoc-ponte" and rng.random() < 0.01
                members.append(
                    {
                        "id": uuid.uuid4(),
                        "case_id": case_id,
                        "user": user if on_team else f"user-{rng.randrange(500)}",
                        "organisation": "assoc-ponte" if on_team else lead,
                        "joined_on": opened.date(),
                        "created_at": opened,
                    }
                )
            await connection.execute(
                text(
                    "INSERT INTO cases (id, version, status, origin, lead_organisation,"
                    " reporting_organisation, urgency, target_group, municipio, opened_at,"
                    " updated_at, reviews_done) VALUES (:id, 1, :status, 'manual',"
                    " :lead_organisation, :lead_organisation, 'normal', :target_group,"
                    " :municipio, :opened_at, :opened_at, 0)"
                ),
                cases,
            )
            await connection.execute(
                text(
                    "INSERT INTO case_persons (case_id, person_ref) VALUES (:case_id, :person_ref)"
                ),
                persons,
            )
            await connection.execute(
                text(
                    'INSERT INTO team_members (id, version, case_id, "user", organisation, role,'
                    " joined_on, added_by, created_at, updated_at) VALUES (:id, 1, :case_id,"
                    " :user, :organisation, 'educator', :joined_on, 'bench', :created_at,"
                    " :created_at)"
                ),
                members,
            )
            say(f"  {start + len(cases)} cases")
        await connection.execute(text("ANALYZE"))


async def measure(stack: stacks.Stack, args: argparse.Namespace) -> dict[str, dict[str, Side]]:
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"bench_cases_{uuid.uuid4().hex[:8]}")
    realm = Realm(stack.keycloak_url)
    results: dict[str, dict[str, Side]] = {}
    with service_process(stack, "casework", url) as base_url:
        database = Database(url)
        say(f"▶ loading {args.cases} cases")
        await load(database, args.cases, realm.subject(CALLERS["case worker"]))
        async with httpx.AsyncClient(base_url=base_url) as client:
            for caller in CALLERS:
                results[caller] = await measure_caller(client, database, realm, caller, args)
        await database.dispose()
    return results


async def measure_caller(
    client: httpx.AsyncClient,
    database: Database,
    realm: Realm,
    caller: str,
    args: argparse.Namespace,
) -> dict[str, Side]:
    """One caller's list, through the service and as direct SQL."""
    user = CALLERS[caller]
    headers = realm.headers(user)
    organisation = "assoc-ponte" if caller == "case worker" else None
    sql = text(page_sql(realm.subject(user), organisation))
    if args.list_explain:
        async with database.engine.connect() as connection:
            plan = await connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql.text}"))
            say("\n".join(f"  {row[0]}" for row in plan))

    async def service() -> None:
        answer = await client.get(LIST, params={**FILTERS, "limit": "20"}, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {LIST}: {answer.status_code} {answer.text[:300]}")

    async def direct() -> None:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(sql)).all()
            ids = [row.id for row in rows[:20]]
            await connection.execute(text(_PERSONS), {"ids": ids})

    sides: dict[str, Side] = {}
    for side, request in (("service", service), ("direct", direct)):
        for _ in range(20):
            await request()  # warm-up
        timed = Side()
        say(f"▶ {caller} {side}: {args.list_requests} requests")
        for _ in range(args.list_requests):
            began = perf_counter()
            await request()
            timed.latencies.append(perf_counter() - began)
        sides[side] = timed
    return sides


def report(results: dict[str, dict[str, Side]], args: argparse.Namespace, load: str) -> None:
    rows = [
        ("list", f"GET {LIST}?{'&'.join(f'{k}={v}' for k, v in FILTERS.items())}&limit=20"),
        (
            "cases",
            f"{args.cases:,} on PostgreSQL, {args.list_requests} requests per side, 1 client",
        ),
    ]
    for caller, sides in results.items():
        for side, timed in sides.items():
            rows.append(
                (
                    f"{caller} {side}",
                    f"p50 {timed.p(50):6.1f} ms  p99 {timed.p(99):6.1f} ms  "
                    f"max {timed.p(100):6.1f} ms",
                )
            )
        service, direct = sides["service"], sides["direct"]
        ratio = service.p(50) / direct.p(50) if direct.p(50) else float("nan")
        rows.append(
            (
                f"{caller} targets",
                f"service/direct p50 = {ratio:.2f} (≤ 2: {'met' if ratio <= 2 else 'missed'}), "
                f"service p99 = {service.p(99):.1f} ms "
                f"(≤ 50: {'met' if service.p(99) <= 50 else 'missed'})",
            )
        )
    rows.append(("machine", load))
    print_block("case list", rows)


def run(args: argparse.Namespace) -> int:
    results, load = on_full_infrastructure(lambda stack: measure(stack, args))
    report(results, args, load)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
