"""Offline batch sync throughput: one 1,000-item batch against the same items one POST each.

Intake runs in this process (``kit.testing.apps.serve(create_app(settings))``, its lifespan
included) against PostgreSQL, Kafka and Keycloak on a claimed test profile. Its database is
first loaded with ``--sync-store`` synthetic persons (100,000 by default; the loader of
``candidate_search``), so every new person is checked for duplicates against a realistic
registry. A fifth of the batch's persons are variants of stored persons, so some searches do
find candidates.

Per round (``--sync-rounds``, default 3; medians reported; the two sides take turns going first),
with fresh items each time:

- **batch**: ``POST /v1/intake/outreach-contacts:batch`` with ``{"device_id", "items": [...]}``,
  ``--items`` items (default 1,000): persons (``"kind": "person"``, ``"person"``: the
  ``PersonCreate`` fields) and, ``--contact-share`` of them (default 0.3), contacts (``"kind":
  "contact"``, ``"contact"``: a referral whose ``persons`` point at person items by
  ``client_ref``), each
  with a ``client_id``; then the **replay**: the same body again, as a device retries after a
  lost response;
- **per item**, the baseline: the same number of items as one ``POST /v1/intake/persons`` each,
  then one ``POST /v1/intake/referrals`` per contact (its persons by ``person_id``), each with
  the item's ``client_id`` as ``Idempotency-Key``; then the same requests again (replay).

Printed: items/s for each, and batch / per item. If the batch endpoint is not in this tree
(404/405), the per-item baseline is still measured and printed, and the run ends with a message
saying so.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from time import perf_counter
from typing import Any

import httpx

from bench._persons import Registry, create_registry
from bench._support import (
    common_settings,
    full_infrastructure,
    machine,
    print_block,
    run_async,
    standalone,
)
from deploy.local.process import say
from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.synthetic import PersonFactory
from kit.testing import intake as intake_api
from kit.testing.apps import serve
from kit.testing.intake import PERSONS, REFERRALS
from services.intake.app import create_app
from services.intake.settings import IntakeSettings

BATCH = "/v1/intake/outreach-contacts:batch"
USER = "intake.aurora"
# the referral the tests send, without its flags: the published figures were measured so
REFERRAL: dict[str, Any] = {k: v for k, v in intake_api.REFERRAL.items() if k != "flags"}


class EndpointMissing(RuntimeError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("batch_sync")
    group.add_argument("--items", type=int, default=1000, help="items per batch (default: 1000)")
    group.add_argument(
        "--contact-share",
        type=float,
        default=0.3,
        help="share of the items that are contacts (default: 0.3)",
    )
    group.add_argument(
        "--sync-store",
        type=int,
        default=100_000,
        help="persons loaded before the rounds (default: 100000)",
    )
    group.add_argument(
        "--sync-rounds", type=int, default=3, help="batch + per-item rounds (default: 3)"
    )
    group.add_argument("--sync-seed", type=int, default=11, help="synthetic data seed")


@dataclass
class Items:
    """One round's items: person items first referenced by the contacts that follow them."""

    batch: list[dict[str, Any]]

    @property
    def persons(self) -> int:
        return sum(item["kind"] == "person" for item in self.batch)


def make_items(registry: Registry, n: int, contact_share: float, rng: random.Random) -> Items:
    factory = PersonFactory(rng.getrandbits(32))
    contacts = round(n * contact_share)
    persons = n - contacts
    items: list[dict[str, Any]] = []
    person_refs: list[str] = []
    # contacts are spread among the persons: each refers to the person item just before it
    contact_after = set(rng.sample(range(persons), k=min(contacts, persons)))
    for i in range(persons):
        if rng.random() < 0.2:
            p = factory.variant(registry.persons[rng.randrange(len(registry.persons))])
        else:
            p = factory.person()
        ref = str(uuid.uuid4())
        items.append({"client_id": ref, "kind": "person", "person": p.as_person_json()})
        person_refs.append(ref)
        if i in contact_after:
            items.append(_contact([ref]))
    while len(items) < n:  # more contacts than persons: the rest refer to earlier ones
        items.append(_contact([rng.choice(person_refs)]))
    return Items(items)


def _contact(refs: list[str]) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "contact",
        "contact": {**REFERRAL, "persons": [{"client_ref": ref} for ref in refs]},
    }


@dataclass
class Side:
    seconds: list[float] = field(default_factory=list)
    replay_seconds: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    replay_statuses: Counter[str] = field(default_factory=Counter)


async def send_batch(
    client: httpx.AsyncClient, headers: dict[str, str], items: Items, device: str
) -> tuple[float, Counter[str]]:
    body = {"device_id": device, "items": items.batch}
    began = perf_counter()
    response = await client.post(BATCH, json=body, headers=headers, timeout=600)
    took = perf_counter() - began
    if response.status_code in (404, 405):
        raise EndpointMissing(
            f"POST {BATCH} answered {response.status_code}: the batch endpoint is not in this "
            "tree yet (it is being written in another branch). Merge it, then run "
            "`python -m bench batch_sync` again."
        )
    if response.status_code >= 300:
        raise RuntimeError(f"POST {BATCH}: {response.status_code} {response.text[:2000]}")
    results = response.json().get("results", [])
    if len(results) != len(items.batch):
        raise RuntimeError(f"{len(results)} results for {len(items.batch)} items")
    rejected = [r for r in results if r.get("status") == "rejected"]
    if rejected:  # the figures would measure refusals, not storing
        raise RuntimeError(f"{len(rejected)} items rejected, e.g. {rejected[0]['problem']}")
    return took, Counter(str(r.get("status")) for r in results)


async def send_each(
    client: httpx.AsyncClient, headers: dict[str, str], items: Items
) -> tuple[float, Counter[str]]:
    """Every item as its own POST (Idempotency-Key = client_id), in the batch's order."""
    person_ids: dict[str, str] = {}
    statuses: Counter[str] = Counter()
    began = perf_counter()
    for item in items.batch:
        key = {"Idempotency-Key": item["client_id"], **headers}
        body = dict(item["person"] if item["kind"] == "person" else item["contact"])
        if item["kind"] == "person":
            response = await client.post(PERSONS, json=body, headers=key)
            if response.status_code == 201:
                person_ids[item["client_id"]] = response.json()["person"]["id"]
        else:
            body["persons"] = [{"person_id": person_ids[p["client_ref"]]} for p in body["persons"]]
            response = await client.post(REFERRALS, json=body, headers=key)
        if response.status_code >= 300:
            raise RuntimeError(f"{item['kind']}: {response.status_code} {response.text[:1000]}")
        statuses[str(response.status_code)] += 1
    return perf_counter() - began, statuses


async def measure(stack: Stack, args: argparse.Namespace) -> tuple[Side, Side, str | None]:
    say(f"▶ intake database with {args.sync_store:,} persons")
    registry = await create_registry(stack, args.sync_store, args.sync_seed, "bench_sync")
    settings = IntakeSettings(database_url=registry.url, common=common_settings(stack))
    realm = Realm(stack.keycloak_url)
    rng = random.Random(args.sync_seed)
    batch, each = Side(), Side()
    missing: str | None = None
    async with serve(create_app(settings)) as client:
        say("▶ warm-up: 20 items one by one")
        await send_each(client, realm.headers(USER), make_items(registry, 20, 0.3, rng))
        for number in range(1, args.sync_rounds + 1):
            sides = ["batch", "each"] if number % 2 else ["each", "batch"]
            for side in sides:
                items = make_items(registry, args.items, args.contact_share, rng)
                headers = realm.headers(USER)
                if side == "each":
                    say(f"▶ round {number}: {len(items.batch)} items one POST each, then replay")
                    took, statuses = await send_each(client, headers, items)
                    each.seconds.append(took)
                    each.statuses.update(statuses)
                    took, statuses = await send_each(client, headers, items)
                    each.replay_seconds.append(took)
                    each.replay_statuses.update(statuses)
                elif missing is None:
                    say(f"▶ round {number}: one batch of {len(items.batch)} items, then replay")
                    try:
                        took, statuses = await send_batch(client, headers, items, f"dev-{number}")
                    except EndpointMissing as exc:
                        missing = str(exc)
                        say(f"  ! {missing}")
                        continue
                    batch.seconds.append(took)
                    batch.statuses.update(statuses)
                    took, statuses = await send_batch(client, headers, items, f"dev-{number}")
                    batch.replay_seconds.append(took)
                    batch.replay_statuses.update(statuses)
    return batch, each, missing


def _rate(n: int, seconds: list[float]) -> float:
    return n / median(seconds) if seconds else float("nan")


def report(args: argparse.Namespace, batch: Side, each: Side, load: str) -> None:
    n = args.items
    rows = [
        (
            "items",
            f"{n:,} per round ({n - round(n * args.contact_share)} persons, "
            f"{round(n * args.contact_share)} contacts), store of {args.sync_store:,} persons",
        ),
        ("rounds", f"{args.sync_rounds} (medians; batch and per item take turns going first)"),
        (
            "per item",
            f"{_rate(n, each.seconds):8,.1f} items/s   replay {_rate(n, each.replay_seconds):8,.1f}"
            f" items/s   ({dict(each.statuses)} / replay {dict(each.replay_statuses)})",
        ),
    ]
    if batch.seconds:
        ratio = _rate(n, batch.seconds) / _rate(n, each.seconds)
        replay_ratio = _rate(n, batch.replay_seconds) / _rate(n, each.replay_seconds)
        rows += [
            (
                "batch",
                f"{_rate(n, batch.seconds):8,.1f} items/s   replay "
                f"{_rate(n, batch.replay_seconds):8,.1f} items/s   "
                f"({dict(batch.statuses)} / replay {dict(batch.replay_statuses)})",
            ),
            ("batch / per item", f"{ratio:.2f}   replay {replay_ratio:.2f}"),
            *(
                (f"  round {i}", f"batch {n / b:,.0f}/s, per item {n / e:,.0f}/s")
                for i, (b, e) in enumerate(zip(batch.seconds, each.seconds, strict=False), 1)
            ),
        ]
    else:
        rows.append(("batch", f"not measured: {BATCH} is missing"))
    rows.append(("machine", load))
    print_block("batch sync throughput", rows)


def run(args: argparse.Namespace) -> int:
    with full_infrastructure() as stack:
        batch, each, missing = run_async(measure(stack, args))
        load = machine()
    report(args, batch, each, load)
    if missing:
        print(f"batch_sync: {missing}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
