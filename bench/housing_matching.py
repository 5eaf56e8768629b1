"""Housing's matching through the service at 10,000 waiting requests × 2,000 vacant units on
PostgreSQL, against the bare solver on the same model in the same run.

Housing runs under uvicorn in a process of its own (`service_process`) on a fresh PostgreSQL
database, which its migrations create. The synthetic instance of `bench._housing` (ids,
sexes, ages and codes only; ``--housing-requests`` × ``--housing-units``, a realistic mix of
shelters and co-housing let by the bed and apartments let whole) is written straight into it:
facilities and units, the case facts of one case per request, and the waiting requests. Then:

- **run**: ``POST /v1/housing/matching-runs`` through the whole app (token, locking every
  waiting request and every unit, reading the instance, the solver, the results, one proposal
  per household housed, their events, the commit), ``--housing-rounds`` times — after each,
  the proposals and results are deleted and the requests proposed set waiting again at
  a new version (as a decline does), in SQL;
- **bare**: `solver.assign` on the instance the service reads (built in this process from
  the same database), the same number of times;
- **candidates**: ``GET …/units/{id}/candidates`` for a vacancy, ``--candidate-requests``
  times: p50, p99;
- **what-if**: ``POST /v1/housing/matching-previews`` with other weights, wall time.

Targets: run ≤ 5 s, run/bare ≤ 2, proven optimal or gap ≤ 0.1 %; candidates p99 ≤ 50 ms;
what-if ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import uuid
from collections.abc import Sequence
from datetime import timedelta
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import text

from bench._housing import synthetic_instance
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
from services.housing.cases.domain import platform_target_group, vulnerability
from services.housing.facilities import service as facilities
from services.housing.matching import solver
from services.housing.matching.domain import Request, Vacancy
from services.housing.matching.instance import of
from services.housing.matching.policies import MATCHING
from services.housing.requests import service as requests

CASEWORK_GROUP = {
    "unaccompanied_minor": "unaccompanied_minor",
    "young_adult": "young_adult_leaving_care",
    "vulnerable_family": "vulnerable_family",
    "other": "other_vulnerable",
}
URGENCY = ("planned", "normal", "high", "immediate")
USER = "housing.ponte"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("housing_matching")
    group.add_argument("--housing-requests", type=int, default=10_000)
    group.add_argument("--housing-units", type=int, default=2_000)
    group.add_argument("--housing-rounds", type=int, default=3, help="runs per side (default 3)")
    group.add_argument(
        "--candidate-requests", type=int, default=200, help="candidate rankings timed"
    )


async def load(database: Database, requests_: Sequence[Request], units: Sequence[Vacancy]) -> None:
    """The instance as rows: facilities, units, case facts and waiting requests."""
    rng = random.Random(20261202)
    now = utcnow()
    facility_ids: dict[str, uuid.UUID] = {}
    facility_rows, group_rows, unit_rows = [], [], []
    for unit in units:
        if unit.facility_id not in facility_ids:
            facility_ids[unit.facility_id] = fid = uuid.uuid4()
            kind = "autonomy_apartment" if unit.letting == "whole" else "shelter"
            facility_rows.append(
                {
                    "id": fid, "kind": kind, "municipio": unit.municipio,
                    "sex_policy": str(unit.sex_policy), "min_age": unit.min_age,
                    "max_age": unit.max_age, "accessible": unit.accessible, "at": now,
                }
            )  # fmt: skip
            group_rows += [{"id": fid, "group": g} for g in sorted(unit.target_groups)]
        unit_rows.append(
            {
                "id": uuid.uuid4(), "facility_id": facility_ids[unit.facility_id],
                "beds": unit.free_beds, "letting": str(unit.letting),
                "accessible": unit.accessible, "at": now,
            }
        )  # fmt: skip
    facts, rows = [], []
    for request in requests_:
        case_id = uuid.uuid4()
        urgency = "high" if rng.random() < 0.3 else "normal"
        group = CASEWORK_GROUP[request.target_group]
        facts.append({"case_id": case_id, "group": group, "urgency": urgency, "at": now})
        level = vulnerability(platform_target_group(group), urgency)
        members = [{"sex": str(p.sex), "age": p.age} for p in request.people]
        rows.append(
            {
                "id": uuid.uuid4(), "case_id": case_id, "group": request.target_group,
                "members": _json(members), "size": request.size,
                "minors": sum(p.age < 18 for p in request.people),
                "accessible": request.needs_accessible,
                "preferred": _json(sorted(request.preferred_municipi)),
                "urgency": URGENCY[request.urgency], "vulnerability": level,
                "on": (now - timedelta(days=request.waiting_days)).date(), "at": now,
            }
        )  # fmt: skip
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO facilities (id, version, name, kind, operator_organisation,"
                " municipio, address, sex_policy, min_age, max_age, accessible, created_by,"
                " created_at, updated_at) VALUES (:id, 1, 'Synthetic', :kind, 'assoc-ponte',"
                " :municipio, 'Via Synthetic', :sex_policy, :min_age, :max_age, :accessible,"
                " 'bench', :at, :at)"
            ),
            facility_rows,
        )
        await connection.execute(
            text(
                "INSERT INTO facility_target_groups (facility_id, target_group)"
                " VALUES (:id, :group)"
            ),
            group_rows,
        )
        await connection.execute(
            text(
                "INSERT INTO units (id, version, facility_id, label, beds, letting, accessible,"
                " created_by, created_at, updated_at) VALUES (:id, 1, :facility_id, 'Unit',"
                " :beds, :letting, :accessible, 'bench', :at, :at)"
            ),
            unit_rows,
        )
        await connection.execute(
            text(
                "INSERT INTO case_facts (case_id, lead_organisation, target_group, municipio,"
                " status, urgency, updated_at) VALUES (:case_id, 'assoc-ponte', :group, 8,"
                " 'plan_active', :urgency, :at)"
            ),
            facts,
        )
        await connection.execute(
            text(
                "INSERT INTO housing_requests (id, version, case_id, status, target_group,"
                " members, household_size, minors, needs_accessible, preferred_municipi,"
                " urgency, vulnerability, requested_on, organisation, created_by, created_at,"
                " updated_at)"
                " VALUES (:id, 1, :case_id, 'waiting', :group, CAST(:members AS json), :size,"
                " :minors, :accessible, CAST(:preferred AS json), :urgency, :vulnerability, :on,"
                " 'assoc-ponte', 'bench', :at, :at)"
            ),
            rows,
        )
        await connection.execute(text("ANALYZE"))


def _json(value: Any) -> str:
    return json.dumps(value)


async def reset(database: Database) -> None:
    """Undo a run: no proposal, no result, every request waiting."""
    async with database.engine.begin() as connection:
        for statement in (
            "DELETE FROM proposals",
            "DELETE FROM matching_run_results",
            "DELETE FROM matching_run_classes",
            "DELETE FROM matching_runs",
            "DELETE FROM outbox",
            "UPDATE housing_requests SET status = 'waiting', version = version + 1"
            " WHERE status <> 'waiting'",
        ):
            await connection.execute(text(statement))


async def bare(database: Database, rounds: int) -> tuple[list[float], solver.Solved, int]:
    """The solver alone on the instance the service reads, `rounds` times."""
    async with database.session(writes=False) as session:
        waiting = await requests.waiting(session)
        found = await facilities.all_with_beds(session)
        pool = of(waiting, found, utcnow().date())
    weights = MATCHING.default.weights()
    times, solved = [], None
    for _ in range(rounds):
        began = perf_counter()
        solved = solver.assign(pool.requests, pool.vacancies, weights)
        times.append(perf_counter() - began)
    assert solved is not None
    return times, solved, len(pool.vacancies)


async def measure(stack: stacks.Stack, args: argparse.Namespace) -> list[tuple[str, str]]:
    assert stack.postgres is not None
    url = stack.postgres.create_database(f"bench_housing_{uuid.uuid4().hex[:8]}")
    realm = Realm(stack.keycloak_url)
    headers = realm.headers(USER)
    instance_requests, instance_units = synthetic_instance(
        args.housing_requests, args.housing_units, seed=7
    )
    rows: list[tuple[str, str]] = []
    with service_process(stack, "housing", url) as base_url:
        database = Database(url)
        say(f"▶ loading {len(instance_requests)} requests, {len(instance_units)} units")
        await load(database, instance_requests, instance_units)
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            runs, run_body = [], {}
            for n in range(args.housing_rounds):
                say(f"▶ run {n + 1}")
                began = perf_counter()
                answer = await client.post("/v1/housing/matching-runs", headers=headers)
                runs.append(perf_counter() - began)
                if answer.status_code != 201:
                    raise RuntimeError(f"run: {answer.status_code} {answer.text[:300]}")
                run_body = answer.json()
                await reset(database)
            bare_times, solved, vacancies = await bare(database, args.housing_rounds)
            unit_id = await _a_unit(database)
            facility_id = await _facility_of(database, unit_id)
            path = f"/v1/housing/facilities/{facility_id}/units/{unit_id}/candidates"
            latencies = []
            for n in range(args.candidate_requests + 10):
                began = perf_counter()
                answer = await client.get(path, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"candidates: {answer.status_code} {answer.text[:300]}")
                if n >= 10:
                    latencies.append(perf_counter() - began)
            document = MATCHING.default.model_dump(mode="json") | {"urgency": 1.0, "waiting": 3.0}
            previews = []
            for _ in range(args.housing_rounds):
                began = perf_counter()
                answer = await client.post(
                    "/v1/housing/matching-previews",
                    json={"document": document},
                    headers=headers,
                )
                previews.append(perf_counter() - began)
                if answer.status_code != 200:
                    raise RuntimeError(f"preview: {answer.status_code} {answer.text[:300]}")
        await database.dispose()
    run_s, bare_s = statistics.median(runs), statistics.median(bare_times)
    latencies.sort()
    p99 = percentile(latencies, 99) * 1000
    rows += [
        ("instance", f"{len(instance_requests):,} waiting requests × {vacancies:,} vacant units"),
        ("model", f"{solved.pairs:,} feasible pairs, {solved.variables:,} columns, "
                  f"{solved.integers:,} integer; housed {run_body.get('housed')}"),
        ("run (service)", f"median {run_s:.2f} s, max {max(runs):.2f} s "
                          f"(≤ 5 s: {'met' if run_s <= 5 else 'missed'})"),
        ("bare solver", f"median {bare_s:.2f} s, max {max(bare_times):.2f} s"),
        ("run/bare", f"{run_s / bare_s:.2f} (≤ 2: {'met' if run_s / bare_s <= 2 else 'missed'})"),
        ("optimality", f"optimal={solved.optimal}, gap {solved.gap:.2e}, "
                       f"service run optimal={run_body.get('optimal')} gap {run_body.get('gap')}"),
        ("unit candidates", f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {p99:.1f} ms "
                            f"(≤ 50: {'met' if p99 <= 50 else 'missed'}), "
                            f"{len(latencies)} requests"),
        ("what-if preview", f"median {statistics.median(previews):.2f} s "
                            f"(≤ 2 s: {'met' if statistics.median(previews) <= 2 else 'missed'})"),
    ]  # fmt: skip
    return rows


async def _a_unit(database: Database) -> uuid.UUID:
    async with database.engine.connect() as connection:
        found = await connection.execute(
            text("SELECT id FROM units WHERE letting = 'by_bed' ORDER BY beds DESC, id LIMIT 1")
        )
        return uuid.UUID(str(found.scalar_one()))


async def _facility_of(database: Database, unit_id: uuid.UUID) -> uuid.UUID:
    async with database.engine.connect() as connection:
        found = await connection.execute(
            text("SELECT facility_id FROM units WHERE id = :id"), {"id": unit_id}
        )
        return uuid.UUID(str(found.scalar_one()))


def run(args: argparse.Namespace) -> int:
    rows, load = on_full_infrastructure(lambda stack: measure(stack, args))
    print_block("housing matching", [*rows, ("machine", load)])
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
