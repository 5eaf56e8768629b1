"""The transition at 18 against the real intake and Keycloak: casework reads a minor's birth
date with its own service account (which intake serves that read alone), follows a
rectification, opens the transition plan once and raises ``minor.turning_18`` exactly once,
however often and concurrently the job runs (a controllable clock)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import CASEWORK_CLIENT_ID, CASEWORK_SECRET, PARTNER_SYSTEMS, Realm
from deploy.local.stack import Stack
from kit.db import Database
from kit.testing import casework as api
from kit.testing.apps import ServiceClient, serve, serve_http
from kit.testing.intake import PERSONS
from kit.testing.kafka import events_about
from kit.testing.services import service_settings
from kit.testing.waiting import eventually
from services.casework.app import birth_date_client
from services.casework.app import create_app as create_casework
from services.casework.minors.intake import BirthDateClient, BirthDateClientConfig
from services.casework.minors.jobs import check_transitions, sync_birth_dates
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as create_intake
from services.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

WORKER = "caseworker.ponte"
TOPIC = "lgnet.casework.cases"
OPENED, TURNING = "lgnet.casework.minor.transition_plan_opened", "lgnet.casework.minor.turning_18"
NOON = timedelta(hours=11)  # noon in Milan (UTC+1 in winter)


@pytest.fixture(scope="module")
def intake_url(stack: Stack) -> Iterator[str]:
    """Intake under uvicorn: casework reads it over HTTP, as in production."""
    settings = service_settings(IntakeSettings, stack)
    with serve_http(create_intake(settings)) as url:
        yield url


@pytest.fixture(scope="module")
async def casework(stack: Stack, intake_url: str) -> AsyncIterator[ServiceClient]:
    # the jobs run once at start; the tests run them at the moments they choose
    settings = service_settings(
        CaseworkSettings,
        stack,
        intake_url=intake_url,
        intake_client_id=CASEWORK_CLIENT_ID,
        intake_client_secret=CASEWORK_SECRET,
        birth_date_sync_interval_seconds=3600,
        minors_transition_interval_seconds=3600,
    )
    async with serve(create_casework(settings), settings=settings) as client:
        yield client


@pytest.fixture(scope="module")
async def intake(intake_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=intake_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def database(casework: ServiceClient) -> AsyncIterator[Database]:
    db = Database(casework.settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def client(casework: ServiceClient) -> BirthDateClient:
    return birth_date_client(casework.settings)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + NOON


async def _person(intake: httpx.AsyncClient, realm: Realm, birth_date: date) -> dict[str, Any]:
    body = {
        "given_name": "Synthetic",
        "family_name": f"Minorzz{uuid.uuid4().hex[:6]}",
        "birth_date": birth_date.isoformat(),
        "birth_date_estimated": True,
    }
    created = await intake.post(PERSONS, json=body, headers=realm.headers("intake.ponte"))
    assert created.status_code == 201, created.text
    person: dict[str, Any] = created.json()["person"]
    return person


def _years_ago(years: int, days: int = 0) -> date:
    today = date.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


async def test_only_caseworks_service_account_reads_a_birth_date_and_nothing_else(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    person = await _person(intake, realm, date(2009, 1, 1))
    path = f"{PERSONS}/{person['id']}/birth-date"
    system = _bearer(realm.system_token(CASEWORK_CLIENT_ID, CASEWORK_SECRET))

    read = await intake.get(path, headers=system)
    assert read.status_code == 200, read.text
    assert read.json() == {
        "person_ref": person["id"],
        "status": "active",
        "merged_into": None,
        "birth_date": "2009-01-01",
        "birth_date_estimated": True,
        "version": person["version"],
    }
    assert read.headers["ETag"] == f'"{person["version"]}"'
    unknown = await intake.get(f"{PERSONS}/{uuid.uuid4()}/birth-date", headers=system)
    assert unknown.status_code == 404

    # nobody else: demo users (a coordinator included) and partner systems
    for user in ("intake.ponte", "caseworker.ponte", "coordinator.comune", "auditor.comune"):
        refused = await intake.get(path, headers=realm.headers(user))
        assert refused.status_code == 403, user
        assert refused.json()["type"] == "urn:lgnet:problem:role-required"
    for partner, (secret, _, _) in PARTNER_SYSTEMS.items():
        refused = await intake.get(path, headers=_bearer(realm.system_token(partner, secret)))
        assert refused.status_code == 403, partner

    # and the service account reaches nothing else of intake
    for other in (
        f"{PERSONS}/{person['id']}",
        PERSONS,
        "/v1/intake/referrals",
        f"{PERSONS}/{person['id']}/consents",
        "/v1/intake/policies/intake.sla",
        "/v1/intake/audit",
    ):
        refused = await intake.get(other, headers=system)
        assert refused.status_code == 403, other
    written = await intake.post(PERSONS, json={"given_name": "Synthetic"}, headers=system)
    assert written.status_code == 403

    # the read is audited as intake audits person reads
    audit = await intake.get(
        "/v1/intake/audit",
        params={"resource_id": person["id"]},
        headers=realm.headers("auditor.comune"),
    )
    assert audit.status_code == 200, audit.text
    reads = [e for e in audit.json()["items"] if e["client_id"] == CASEWORK_CLIENT_ID]
    assert [(e["action"], e["purpose"]) for e in reads] == [("read", "case_management")]


async def test_a_minors_birth_date_is_read_and_its_rectification_followed(
    casework: ServiceClient,
    intake: httpx.AsyncClient,
    realm: Realm,
    database: Database,
    client: BirthDateClient,
    stack: Stack,
) -> None:
    born = _years_ago(17, days=200)  # 18 in about 165 days: within the six months' lead
    person = await _person(intake, realm, born)
    case = await api.open_case(casework, realm.headers(WORKER), person_refs=[person["id"]])
    track = f"{api.CASES}/{case['id']}/minor"
    lead = realm.headers(WORKER)

    assert person["id"] in [str(r) for r in await sync_birth_dates(database, client)]
    glance = (await casework.get(track, headers=lead)).json()
    eighteen = born.replace(year=born.year + 18)
    assert glance["coming_of_age"]["coming_of_age_on"] == eighteen.isoformat()
    assert glance["coming_of_age"]["estimated"] is True
    assert glance["coming_of_age"]["pending"] is False
    assert glance["transition_plan"] is None

    await check_transitions(database)
    plan = await casework.get(f"{track}/transition-plan", headers=lead)
    assert plan.status_code == 200, plan.text
    assert plan.json()["target_on"] == eighteen.isoformat()
    assert plan.json()["status"] == "open"
    goals = {
        "goals": [{"area": "residence_permit", "description": "Synthetic: convert the permit"}],
        "extension_requested": True,
    }
    plan_path = f"{track}/transition-plan"
    assert (await casework.put(plan_path, json=goals, headers=lead)).status_code == 428
    stale = await casework.put(plan_path, json=goals, headers={**lead, "If-Match": '"9"'})
    assert stale.status_code == 412
    bad = await casework.put(
        plan_path, json={"goals": [{"area": "x"}]}, headers={**lead, "If-Match": '"1"'}
    )
    assert bad.status_code == 422
    changed = await casework.put(plan_path, json=goals, headers={**lead, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["extension_requested"] is True
    assert changed.headers["ETag"] == '"2"'

    # a rectification in intake: casework hears of it, and reads it again
    rectified = born - timedelta(days=30)
    current = await intake.get(f"{PERSONS}/{person['id']}", headers=realm.headers("intake.ponte"))
    patched = await intake.patch(
        f"{PERSONS}/{person['id']}",
        json={"birth_date": rectified.isoformat(), "birth_date_estimated": False},
        headers={**realm.headers("intake.ponte"), "If-Match": current.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text

    async def pending() -> bool:
        body = (await casework.get(track, headers=lead)).json()
        return bool(body["coming_of_age"]["pending"])

    await eventually(pending, 15, "casework marked the birth date stale")
    assert person["id"] in [str(r) for r in await sync_birth_dates(database, client)]
    glance = (await casework.get(track, headers=lead)).json()
    new_eighteen = rectified.replace(year=rectified.year + 18)
    assert glance["coming_of_age"]["coming_of_age_on"] == new_eighteen.isoformat()
    assert glance["coming_of_age"]["estimated"] is False
    moved = (await casework.get(f"{track}/transition-plan", headers=lead)).json()
    assert moved["id"] == plan.json()["id"]  # the plan stays, its dates follow
    assert moved["target_on"] == new_eighteen.isoformat()
    assert moved["target_estimated"] is False

    await check_transitions(database)
    opened = await events_about(stack.kafka_bootstrap, TOPIC, case["id"], event_type=OPENED)
    assert len(opened) == 1
    assert opened[0].data["person_ref"] == person["id"]
    assert "target_on" not in opened[0].data


async def test_intake_down_loses_no_birth_date(
    casework: ServiceClient, intake: httpx.AsyncClient, realm: Realm, database: Database
) -> None:
    person = await _person(intake, realm, _years_ago(16))
    case = await api.open_case(casework, realm.headers(WORKER), person_refs=[person["id"]])
    settings = casework.settings
    down = BirthDateClient(
        BirthDateClientConfig(
            intake_url="http://127.0.0.1:9",  # nothing listens there
            token_url=settings.token_url,
            client_id=settings.intake_client_id,
            client_secret=settings.intake_client_secret.get_secret_value(),
            timeout=1,
        )
    )
    now = datetime.now(UTC)
    assert person["id"] not in [str(r) for r in await sync_birth_dates(database, down, now=now)]
    glance = await casework.get(f"{api.CASES}/{case['id']}/minor", headers=realm.headers(WORKER))
    assert glance.json()["coming_of_age"]["pending"] is True

    later = now + timedelta(minutes=1)  # past the first backoff
    up = birth_date_client(settings)
    assert person["id"] in [str(r) for r in await sync_birth_dates(database, up, now=later)]


async def test_turning_18_is_raised_exactly_once_under_repeated_and_concurrent_runs(
    casework: ServiceClient,
    intake: httpx.AsyncClient,
    realm: Realm,
    database: Database,
    client: BirthDateClient,
    stack: Stack,
) -> None:
    born = _years_ago(17, days=300)  # 18 in about 65 days
    person = await _person(intake, realm, born)
    case = await api.open_case(casework, realm.headers(WORKER), person_refs=[person["id"]])
    await sync_birth_dates(database, client)
    eighteen = born.replace(year=born.year + 18)

    # by the month, so that the day it is raised on is not the birthday
    month_of_birthday = eighteen.replace(day=1)
    the_eve = _at_noon(month_of_birthday - timedelta(days=1))
    await check_transitions(database, now=the_eve)
    assert not await events_about(stack.kafka_bootstrap, TOPIC, case["id"], event_type=TURNING)

    await check_transitions(database, now=_at_noon(month_of_birthday))
    birthday = _at_noon(eighteen)
    await check_transitions(database, now=birthday)
    await check_transitions(database, now=birthday + timedelta(days=3))
    await asyncio.gather(
        *(check_transitions(database, now=birthday + timedelta(hours=h)) for h in range(4))
    )

    async def raised() -> bool:
        found = await events_about(stack.kafka_bootstrap, TOPIC, case["id"], event_type=TURNING)
        return len(found) >= 1

    await eventually(raised, 15, "turning_18 published")
    await asyncio.sleep(1)  # anything raised twice would be published by now
    turned = await events_about(stack.kafka_bootstrap, TOPIC, case["id"], event_type=TURNING)
    assert len(turned) == 1
    assert turned[0].data["raised_on"] == month_of_birthday.isoformat()
    assert turned[0].data["extended"] is False
    opened = await events_about(stack.kafka_bootstrap, TOPIC, case["id"], event_type=OPENED)
    assert len(opened) == 1
    assert turned[0].data["plan_id"] == opened[0].data["plan_id"]

    glance = await casework.get(f"{api.CASES}/{case['id']}/minor", headers=realm.headers(WORKER))
    assert glance.json()["turned_adult_raised_on"] == month_of_birthday.isoformat()
    # by the real calendar the minor is not 18 yet: the case does not close as turned adult
    closing = await api.request_closure(
        casework, case["id"], realm.headers(WORKER), outcome="turned_adult_no_extension"
    )
    assert closing.status_code == 409, closing.text


async def test_a_minor_who_turned_18_without_an_extension_closes_so(
    casework: ServiceClient,
    intake: httpx.AsyncClient,
    realm: Realm,
    database: Database,
    client: BirthDateClient,
) -> None:
    person = await _person(intake, realm, _years_ago(18, days=10))  # 18 ten days ago
    case = await api.open_case(casework, realm.headers(WORKER), person_refs=[person["id"]])
    await sync_birth_dates(database, client)
    await check_transitions(database)
    closing = await api.request_closure(
        casework, case["id"], realm.headers(WORKER), outcome="turned_adult_no_extension"
    )
    assert closing.status_code == 201, closing.text
