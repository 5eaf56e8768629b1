"""Concurrent readers of one list endpoint, on SQLite and on PostgreSQL.

Intake runs under uvicorn in a process of its own, as ``make run`` runs it, against Kafka and
Keycloak on a claimed test profile: once on a SQLite file (``make run``'s default) and once on a
fresh PostgreSQL database. This process is the load generator, as a tool like ``hey`` would be;
sharing the service's event loop with it would make the clients take the service's CPU. Each
database is first loaded with ``--read-referrals`` referrals (default 300) through
``POST /v1/intake/referrals``.

For each number of concurrent clients in ``--read-clients`` (default 1, 4, 16), every client
sends requests back to back for ``--read-seconds`` (default 5) after a short warm-up:

- **service**: ``GET /v1/intake/referrals?limit=20`` with the demo user ``intake.aurora``'s
  token, through the whole app (authentication, the reader session, serialisation);
- **direct**: the same query, ``service.list_visible`` for the same principal and page, in a
  reader session of a ``kit.db.Database`` on the same database in this process, with no HTTP.

A request taking longer than ``--read-timeout`` seconds (default 5) counts as a time-out.
Printed per database, per side and per number of clients: requests, requests/s, p50, p99,
max, time-outs; and the two targets: p99 at the most clients ≤ 5× its p50, and requests/s at
the most clients ≥ requests/s at one.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import httpx

from bench._support import (
    common_settings,
    full_infrastructure,
    machine,
    percentile,
    print_block,
    run_async,
    service_process,
    standalone,
)
from deploy.local import stack as stacks
from deploy.local.process import say
from deploy.local.realm import Realm
from kit.auth import Role
from kit.db import Database, utcnow
from kit.pagination import PageParams, codec_for
from kit.testing.intake import REFERRAL, REFERRALS
from kit.testing.principals import principal
from services.intake.referrals import service
from services.intake.referrals.repository import ReferralFilter
from services.intake.settings import IntakeSettings

USER = "intake.aurora"
LIST = f"{REFERRALS}?limit=20"
OPERATOR = principal(USER, "coop-aurora", Role.INTAKE_OPERATOR)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("read_concurrency")
    group.add_argument(
        "--read-referrals", type=int, default=300, help="referrals stored first (default: 300)"
    )
    group.add_argument(
        "--read-clients",
        default="1,4,16",
        help="numbers of concurrent clients, comma-separated (default: 1,4,16)",
    )
    group.add_argument(
        "--read-seconds", type=float, default=5.0, help="seconds per measurement (default: 5)"
    )
    group.add_argument(
        "--read-timeout", type=float, default=5.0, help="a request's time-out (default: 5 s)"
    )
    group.add_argument(
        "--read-databases",
        default="sqlite,postgresql",
        help="databases to measure, comma-separated (default: sqlite,postgresql)",
    )


@dataclass
class Level:
    """One measurement: a side (service or direct) at one number of clients."""

    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def p(self, pct: float) -> float:
        return percentile(sorted(self.latencies), pct) * 1000


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


async def load(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> None:
    semaphore = asyncio.Semaphore(4)

    async def create() -> None:
        async with semaphore:
            response = await client.post(REFERRALS, json=REFERRAL, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"POST {REFERRALS}: {response.status_code} {response.text[:500]}")

    await asyncio.gather(*(create() for _ in range(count)))


async def clients(
    request: Callable[[], Awaitable[None]], number: int, seconds: float, limit: float
) -> Level:
    """`number` clients sending `request` back to back for `seconds`."""
    level = Level(number, seconds)
    deadline = perf_counter() + seconds

    async def one() -> None:
        while perf_counter() < deadline:
            began = perf_counter()
            try:
                async with asyncio.timeout(limit):
                    await request()
            except TimeoutError:
                level.timeouts += 1
                continue
            except Exception as exc:
                level.errors += 1
                level.first_error = level.first_error or repr(exc)[:200]
                continue
            level.latencies.append(perf_counter() - began)

    await asyncio.gather(*(one() for _ in range(number)))
    return level


async def measure_one(
    stack: stacks.Stack, url: str, args: argparse.Namespace, realm: Realm
) -> dict[str, list[Level]]:
    headers = realm.headers(USER)
    numbers = [int(n) for n in args.read_clients.split(",")]
    sides: dict[str, list[Level]] = {"service": [], "direct": []}
    with service_process(stack, "intake", url) as base_url:
        settings = IntakeSettings(database_url=url, common=common_settings(stack))
        database = Database(settings.database_url)
        codec = codec_for(settings.common.cursor_secret.get_secret_value())
        limits = httpx.Limits(max_connections=max(numbers), max_keepalive_connections=max(numbers))
        async with httpx.AsyncClient(base_url=base_url, limits=limits) as client:
            say(f"▶ {database.dialect}: {args.read_referrals} referrals")
            await load(client, headers, args.read_referrals)

            async def through_service() -> None:
                response = await client.get(LIST, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {LIST}: {response.status_code}")

            async def direct() -> None:
                async with database.session(writes=False) as session:
                    await service.list_visible(
                        session=session,
                        principal=OPERATOR,
                        page=PageParams(limit=20, codec=codec),
                        where=ReferralFilter(now=utcnow()),
                    )

            for side, request in (("service", through_service), ("direct", direct)):
                await clients(request, 4, 1.0, args.read_timeout)  # warm-up
                for number in numbers:
                    say(f"▶ {database.dialect} {side}: {number} client(s), {args.read_seconds} s")
                    level = await clients(request, number, args.read_seconds, args.read_timeout)
                    sides[side].append(level)
        await database.dispose()
    return sides


async def measure(
    stack: stacks.Stack, args: argparse.Namespace, folder: Path
) -> dict[str, dict[str, list[Level]]]:
    realm = Realm(stack.keycloak_url)
    assert stack.postgres is not None
    urls = {
        "sqlite": f"sqlite:///{folder}/intake.db",
        "postgresql": stack.postgres.create_database(f"bench_reads_{uuid.uuid4().hex[:8]}"),
    }
    return {
        name: await measure_one(stack, urls[name], args, realm)
        for name in args.read_databases.split(",")
    }


def report(results: dict[str, dict[str, list[Level]]], args: argparse.Namespace, load: str) -> None:
    rows = [
        ("endpoint", f"GET {LIST} as {USER}, {args.read_referrals} referrals stored"),
        ("per level", f"{args.read_seconds} s of back-to-back requests per client"),
    ]
    for database, sides in results.items():
        for side, levels in sides.items():
            for level in levels:
                rows.append(
                    (
                        f"{database} {side} ×{level.clients}",
                        f"{len(level.latencies):6d} req  {level.rate:7.1f} req/s  "
                        f"p50 {level.p(50):7.1f} ms  p99 {level.p(99):7.1f} ms  "
                        f"max {level.p(100):7.1f} ms  time-outs {level.timeouts}  "
                        f"errors {level.errors} {level.first_error}".rstrip(),
                    )
                )
            first, last = levels[0], levels[-1]
            rows.append(
                (
                    f"{database} {side} targets",
                    f"p99/p50 at ×{last.clients} = {_ratio(last.p(99), last.p(50)):.1f} (≤ 5), "
                    f"req/s ×{last.clients} / ×{first.clients} = "
                    f"{_ratio(last.rate, first.rate):.2f} (≥ 1)",
                )
            )
    rows.append(("machine", load))
    print_block("read concurrency", rows)


def run(args: argparse.Namespace) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="lgnet-bench-reads-") as folder,
        full_infrastructure() as stack,
    ):
        results = run_async(measure(stack, args, Path(folder)))
        load = machine()
    report(results, args, load)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
