"""32 clients create and change referrals at once, on PostgreSQL and on the SQLite default:
every acknowledged write is there afterwards, whole, and no client sees the database's locks."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from deploy.local.realm import Realm
from kit.db import Database
from kit.outbox import OutboxMessage
from kit.testing.apps import ServiceClient, serve
from kit.testing.intake import AHMED, REFERRAL, REFERRALS, TAKE_IN_CHARGE, register
from kit.testing.services import StackLike, common_settings
from services.intake.app import create_app
from services.intake.referrals.events import ReferralHandedOver, ReferralReceived, ReferralScreened
from services.intake.referrals.models import Screening
from services.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

CLIENTS = 32
GROUP = 4  # clients whose screenings go to the same referrals, so that If-Match races
ROUNDS = 3
ATTEMPTS = 60  # a client gives up a change after this many 412s


@pytest.fixture(scope="module")
async def intake_on_sqlite(
    stack: StackLike, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceClient]:
    """Intake on a SQLite file, as ``make run`` starts it by default."""
    path: Path = tmp_path_factory.mktemp("intake-sqlite") / "intake.db"
    settings = IntakeSettings(database_url=f"sqlite:///{path}", common=common_settings(stack))
    async with serve(create_app(settings), settings=settings) as client:
        yield client


@pytest.fixture(params=["postgresql", "sqlite"])
def service(request: pytest.FixtureRequest) -> ServiceClient:
    client = request.getfixturevalue(
        "intake" if request.param == "postgresql" else "intake_on_sqlite"
    )
    assert isinstance(client, ServiceClient)
    return client


@dataclass
class Run:
    """What the clients were told: every response, and the changes acknowledged (2xx)."""

    headers: Mapping[str, str]
    person: str
    responses: list[httpx.Response] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    screenings: Counter[str] = field(default_factory=Counter)
    handed_over: set[str] = field(default_factory=set)
    person_reads: int = 0


async def change(
    client: httpx.AsyncClient, run: Run, referral: str, action: str, body: object
) -> bool:
    """POST ``action`` on ``referral`` with the current ETag, again on 412, as a client
    would; True if acknowledged."""
    for _ in range(ATTEMPTS):
        current = await client.get(f"{REFERRALS}/{referral}", headers=run.headers)
        run.responses.append(current)
        if current.status_code != 200:
            return False
        changed = await client.post(
            f"{REFERRALS}/{referral}/{action}",
            json=body,
            headers={**run.headers, "If-Match": current.headers["ETag"]},
        )
        run.responses.append(changed)
        if changed.status_code != 412:
            return changed.status_code == 200
    return False


async def one_client(
    client: httpx.AsyncClient,
    run: Run,
    number: int,
    created: asyncio.Barrier,
    screened: asyncio.Barrier,
) -> None:
    try:
        response = await client.post(REFERRALS, json=REFERRAL, headers=run.headers)
        run.responses.append(response)
        mine = response.json()["id"] if response.status_code == 201 else None
        if mine is not None:
            run.referrals.append(mine)
    finally:
        await created.wait()
    group = run.referrals[(number // GROUP) * GROUP : (number // GROUP + 1) * GROUP]
    try:
        for round_ in range(ROUNDS):
            target = group[(number + round_) % len(group)]
            if await change(client, run, target, "screening", TAKE_IN_CHARGE):
                run.screenings[target] += 1
            read = await client.get(f"/v1/intake/persons/{run.person}", headers=run.headers)
            run.responses.append(read)
            run.person_reads += read.status_code == 200  # audited: a write at commit
    finally:
        await screened.wait()
    if mine is not None and await change(
        client, run, mine, "handover", {"lead_organisation": "assoc-ponte"}
    ):
        run.handed_over.add(mine)


async def referral_rows(database: Database, referral: str) -> tuple[list[str], int]:
    """The event types in the outbox about ``referral``, and its stored screenings."""
    async with database.session(writes=False) as session:
        events = list(
            await session.exec(
                select(OutboxMessage.event_type).where(OutboxMessage.key == referral)
            )
        )
        screenings = list(
            await session.exec(
                select(col(Screening.id)).where(Screening.referral_id == uuid.UUID(referral))
            )
        )
    return sorted(events), len(screenings)


async def test_concurrent_writers_lose_nothing_and_see_no_lock(
    service: ServiceClient, realm: Realm
) -> None:
    person = await register(
        service, realm, {**AHMED, "family_name": f"Concurrentzz{uuid.uuid4().hex[:6]}"}
    )
    run = Run(headers=realm.headers("intake.aurora"), person=person["person"]["id"])
    created, screened = asyncio.Barrier(CLIENTS), asyncio.Barrier(CLIENTS)
    async with asyncio.timeout(240):
        await asyncio.gather(
            *(one_client(service, run, n, created, screened) for n in range(CLIENTS))
        )

    statuses = Counter(r.status_code for r in run.responses)
    assert not [r for r in run.responses if r.status_code >= 500], statuses
    assert not [r for r in run.responses if "locked" in r.text.lower()]
    assert set(statuses) <= {200, 201, 412}, statuses
    assert len(run.referrals) == CLIENTS
    assert sum(run.screenings.values()) == CLIENTS * ROUNDS
    assert run.handed_over == set(run.referrals)

    database: Database = service.app.state.database
    for referral in run.referrals:
        stored = await service.get(f"{REFERRALS}/{referral}", headers=run.headers)
        assert stored.status_code == 200
        body = stored.json()
        acknowledged = run.screenings[referral]
        # no lost update: each acknowledged change moved the version on exactly once
        assert body["status"] == "handed_over"
        assert body["version"] == 1 + acknowledged + 1
        # no half-written change: each left its screening row and its event
        events, screenings = await referral_rows(database, referral)
        assert screenings == acknowledged
        assert events == sorted(
            [ReferralReceived.name]
            + [ReferralScreened.name] * acknowledged
            + [ReferralHandedOver.name]
        )

    auditor = realm.headers("auditor.comune")
    verify = await service.get("/v1/intake/audit/verify", headers=auditor)
    assert verify.json()["ok"] is True
    trail = await service.get(
        "/v1/intake/audit", params={"resource_id": run.person, "limit": 200}, headers=auditor
    )
    reads = [e for e in trail.json()["items"] if e["action"] == "read"]
    assert len(reads) == run.person_reads == CLIENTS * ROUNDS
