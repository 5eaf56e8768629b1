"""Duplicate-candidate search latency on PostgreSQL at 100k and 1M persons, against brute force.

For each size N (``--sizes``), a fresh intake database migrated to head is loaded with N
synthetic persons and their blocking keys (COPY; the production indexes rebuilt after the load;
VACUUM ANALYZE). Then:

- ``--queries`` planted duplicates: ``PersonFactory.variant`` of stored persons (another
  transliteration, swapped names, an estimated date, a typo, a missing field), plus
  ``--misses`` persons who are not stored (namesakes may be: the synthetic name pools are small);
- each query goes through the real code path, ``candidates.find_candidates`` in an
  ``AsyncSession`` of ``kit.db.Database``, timed alone (one session per query);
- recall: the planted original among the candidates at the default threshold (0.85) and at the
  review threshold (0.70), out of the queries whose original scores that high at all (the score
  is not what is measured here: the blocking and its candidate limit are);
- the baseline, brute force: every stored person's facts in memory, the query scored against
  all of them (``--brute-queries`` queries; per-query time), and the speed-up over the search.

Target: p99 ≤ 50 ms at 1M persons. ``--explain`` prints EXPLAIN ANALYZE of the candidate query
for the slowest query.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from dataclasses import dataclass, field
from statistics import mean
from time import perf_counter

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from bench._persons import Registry, create_registry, facts_of
from bench._support import machine, percentile, postgres_only, print_block, run_async, standalone
from deploy.local.process import say
from deploy.local.stack import Stack
from kit.db import Database
from kit.synthetic import PersonFactory
from services.intake.persons import repository
from services.intake.persons.candidates import find_candidates
from services.intake.persons.matching import (
    DEFAULT_THRESHOLD,
    REVIEW_THRESHOLD,
    PersonFacts,
    blocking_keys,
    score,
)

TARGET_P99_MS = 50.0
CROWD = 20  # a missed original with this many returned candidates as good: lost among equals


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("candidate_search")
    group.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[100_000, 1_000_000],
        help="stored persons, comma-separated (default: 100000,1000000)",
    )
    group.add_argument(
        "--queries", type=int, default=200, help="planted duplicates searched for (default: 200)"
    )
    group.add_argument(
        "--misses", type=int, default=50, help="searches for persons not stored (default: 50)"
    )
    group.add_argument("--seed", type=int, default=1, help="synthetic data seed (default: 1)")
    group.add_argument(
        "--brute-queries",
        type=int,
        default=3,
        help="queries scored against every stored person, the baseline (default: 3)",
    )
    group.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query's key lookup"
    )


@dataclass
class Query:
    facts: PersonFacts
    original: uuid.UUID | None  # the planted original; None for a person not stored
    original_score: float = 0.0  # score(query, original): what the matching alone allows


@dataclass
class Result:
    size: int
    key_rows: int
    load: dict[str, float]
    load_total: float
    latencies_ms: list[float] = field(default_factory=list)  # planted queries
    miss_latencies_ms: list[float] = field(default_factory=list)
    found: dict[float, int] = field(default_factory=dict)  # threshold → originals found
    reachable: dict[float, int] = field(default_factory=dict)  # threshold → original scores ≥
    fetched_original: int = 0  # the original among the fetched ids at all
    crowded: int = 0  # originals missed while ≥ 20 returned candidates score at least as high
    scored: list[int] = field(default_factory=list)  # persons fetched and scored per query
    keys: list[int] = field(default_factory=list)  # blocking keys per query
    sql_ms: list[float] = field(default_factory=list)  # candidate_rows alone, second pass
    brute_ms: list[float] = field(default_factory=list)
    explain: str = ""


def plant(registry: Registry, args: argparse.Namespace) -> tuple[list[Query], list[Query]]:
    rng = random.Random(args.seed + 1)
    factory = PersonFactory(args.seed + 2)
    picked = rng.sample(range(len(registry.persons)), k=min(args.queries, len(registry.persons)))
    planted = []
    for i in picked:
        query = facts_of(factory.variant(registry.persons[i]))
        planted.append(Query(query, registry.ids[i], score(query, registry.facts(i)).score))
    strangers = PersonFactory(args.seed + 3)
    misses = [Query(facts_of(strangers.person()), None) for _ in range(args.misses)]
    return planted, misses


async def timed_search(
    database: Database, query: PersonFacts
) -> tuple[float, dict[uuid.UUID, float]]:
    """One search as a request makes it: a session, ``find_candidates``; ms and the scores."""
    async with database.sessionmaker() as session:
        began = perf_counter()
        found = await find_candidates(session, query)
        took = (perf_counter() - began) * 1000
        scores = {c.person.id: c.match.score for c in found}
        await session.rollback()
    return took, scores


async def measure_size(stack: Stack, size: int, args: argparse.Namespace) -> Result:
    say(f"▶ {size:,} persons: generating and loading")
    began = perf_counter()
    registry = await create_registry(stack, size, args.seed, "bench_persons")
    result = Result(size, registry.key_rows, registry.seconds, perf_counter() - began)
    say(f"  loaded in {result.load_total:.1f} s ({registry.key_rows:,} key rows)")
    planted, misses = plant(registry, args)
    database = Database(registry.url, pool_size=2)
    try:
        say("  warming up (20 searches, not counted)")
        for q in misses[:10] + planted[-10:]:
            await timed_search(database, q.facts)
        say(f"  {len(planted)} planted duplicates, {len(misses)} persons not stored")
        for q in planted:
            took, found = await timed_search(database, q.facts)
            result.latencies_ms.append(took)
            for threshold in (DEFAULT_THRESHOLD, REVIEW_THRESHOLD):
                if q.original_score >= threshold:
                    result.reachable[threshold] = result.reachable.get(threshold, 0) + 1
                    hit = found.get(q.original, 0.0) >= threshold if q.original else False
                    result.found[threshold] = result.found.get(threshold, 0) + hit
            if q.original_score >= REVIEW_THRESHOLD and q.original not in found:
                as_good = sum(s >= q.original_score for s in found.values())
                result.crowded += as_good >= CROWD
        for q in misses:
            took, _ = await timed_search(database, q.facts)
            result.miss_latencies_ms.append(took)
        await _second_pass(database, planted, result)
        if args.explain:
            slowest = max(range(len(planted)), key=lambda i: result.latencies_ms[i])
            result.explain = await _explain(database, planted[slowest].facts)
    finally:
        await database.dispose()
    say(f"  brute force: {args.brute_queries} queries against all {size:,} persons")
    everyone = [registry.facts(i) for i in range(size)]
    for q in planted[: args.brute_queries]:
        began = perf_counter()
        matches = [m for m in (score(q.facts, p) for p in everyone) if m.score >= REVIEW_THRESHOLD]
        matches.sort(key=lambda m: -m.score)
        result.brute_ms.append((perf_counter() - began) * 1000)
    return result


async def _second_pass(database: Database, planted: list[Query], result: Result) -> None:
    """Untimed diagnosis: keys per query, persons fetched (= scored), the SQL lookup alone."""
    async with database.sessionmaker() as session:
        for q in planted:
            keys = blocking_keys(q.facts)
            began = perf_counter()
            rows = await repository.candidate_rows(
                session, keys, birth_year=q.facts.birth_date.year if q.facts.birth_date else None
            )
            ids = [row.id for row in rows]
            result.sql_ms.append((perf_counter() - began) * 1000)
            result.keys.append(len(keys))
            result.scored.append(len(ids))
            result.fetched_original += q.original in ids
        await session.rollback()


async def _explain(database: Database, query: PersonFacts) -> str:
    keys = sorted(blocking_keys(query))
    statement = repository.candidate_query(
        keys,
        birth_year=query.birth_date.year if query.birth_date else None,
        limit=repository.CANDIDATE_LIMIT,
    )
    sql = str(
        statement.compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
    )
    async with database.engine.connect() as conn:
        counts = (
            await conn.execute(
                text(
                    "SELECT key, count(*) FROM person_blocking_keys WHERE key = ANY(:keys) "
                    "GROUP BY key ORDER BY 2 DESC"
                ),
                {"keys": keys},
            )
        ).all()
        plan = (await conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))).all()
    lines = [f"keys and their rows: {', '.join(f'{k}={n}' for k, n in counts)}"]
    lines += [str(row[0]) for row in plan]
    return "\n".join(lines)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"p50 {percentile(ordered, 50):6.1f}  p95 {percentile(ordered, 95):6.1f}  "
        f"p99 {percentile(ordered, 99):6.1f}  max {ordered[-1]:6.1f} ms  (mean {mean(values):.1f})"
    )


def report(results: list[Result], load: str) -> None:
    for r in results:
        p99 = percentile(sorted(r.latencies_ms), 99)
        target = "met" if p99 <= TARGET_P99_MS else "NOT met"
        brute = mean(r.brute_ms) if r.brute_ms else float("nan")
        rows = [
            (
                "store",
                f"{r.size:,} persons, {r.key_rows:,} blocking-key rows "
                f"({r.key_rows / r.size:.1f} per person)",
            ),
            (
                "load",
                f"{r.load_total:.1f} s: "
                + ", ".join(f"{name} {s:.1f} s" for name, s in r.load.items()),
            ),
            ("find_candidates", _ms(r.latencies_ms) + f"  [{len(r.latencies_ms)} planted]"),
            ("  p99 target", f"≤ {TARGET_P99_MS:.0f} ms: {target}"),
            ("  not stored", _ms(r.miss_latencies_ms) + f"  [{len(r.miss_latencies_ms)}]"),
            ("  key lookup alone", _ms(r.sql_ms) + "  (candidate_rows, second pass)"),
            (
                "keys per query",
                f"mean {mean(r.keys):.1f}, max {max(r.keys)}",
            ),
            (
                "scored per query",
                f"mean {mean(r.scored):.1f}, max {max(r.scored)} "
                f"(limit {repository.CANDIDATE_LIMIT})",
            ),
            *(
                (
                    f"recall ≥ {t:.2f}",
                    f"{r.found.get(t, 0)}/{r.reachable.get(t, 0)} = "
                    f"{r.found.get(t, 0) / max(1, r.reachable.get(t, 0)):.3f}  "
                    "(original found, of those whose score reaches it)",
                )
                for t in (DEFAULT_THRESHOLD, REVIEW_THRESHOLD)
            ),
            (
                "  missed, among equals",
                f"{r.crowded} of the missed originals had ≥ {CROWD} returned candidates scoring "
                "at least as high (namesakes no ranking tells apart)",
            ),
            (
                "original fetched",
                f"{r.fetched_original}/{len(r.scored)} planted queries (any score)",
            ),
            (
                "brute force",
                f"{brute:,.0f} ms per query (all {r.size:,} scored in memory; "
                f"{len(r.brute_ms)} queries)",
            ),
            (
                "speed-up",
                f"{brute / mean(r.latencies_ms):,.0f}× (brute / mean search), "
                f"{brute / percentile(sorted(r.latencies_ms), 99):,.0f}× against p99",
            ),
            ("machine", load),
        ]
        print_block(f"candidate search at {r.size:,} persons", rows)
        if r.explain:
            print(r.explain, flush=True)


async def measure(stack: Stack, args: argparse.Namespace) -> list[Result]:
    return [await measure_size(stack, size, args) for size in args.sizes]


def run(args: argparse.Namespace) -> int:
    with postgres_only() as stack:
        results = run_async(measure(stack, args))
        load = machine()
    report(results, load)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
