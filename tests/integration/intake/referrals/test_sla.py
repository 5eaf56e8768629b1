"""Rapid-response SLAs through intake's API: due dates, first contact, the overdue list, and
the overdue event raised once per breach — real Keycloak, PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database, utcnow
from kit.testing.apps import ServiceClient, serve
from kit.testing.intake import REFERRAL, hand_over, take_in_charge
from kit.testing.kafka import events_about
from kit.testing.services import common_settings, service_client
from services.intake.app import create_app
from services.intake.referrals.events import TOPIC
from services.intake.referrals.jobs import check_sla
from services.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

OVERDUE = "lgnet.intake.referral.overdue"
FIRST_CONTACTED = "lgnet.intake.referral.first_contacted"
HANDED_OVER = "lgnet.intake.referral.handed_over"
H = timedelta(hours=1)


@dataclass
class Intake:
    client: httpx.AsyncClient
    database: Database
    settings: IntakeSettings
    bootstrap: str


# the service's own check runs once at start; tests run it (see the replica test too)
intake = service_client(create_app, IntakeSettings, sla_check_interval_seconds=3600)


@pytest.fixture(scope="module")
async def sla(stack: Stack, intake: ServiceClient) -> AsyncIterator[Intake]:
    database = Database(intake.settings.database_url)
    try:
        yield Intake(intake, database, intake.settings, stack.kafka_bootstrap)
    finally:
        await database.dispose()


def iso(at: datetime) -> str:
    return at.isoformat()


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def create(sla: Intake, realm: Realm, **changes: Any) -> httpx.Response:
    created = await sla.client.post(
        "/v1/intake/referrals", json={**REFERRAL, **changes}, headers=realm.headers("intake.aurora")
    )
    assert created.status_code == 201, created.text
    return created


async def contact(
    sla: Intake, realm: Realm, location: str, at: datetime | str, etag: str | None
) -> httpx.Response:
    headers = realm.headers("intake.aurora")
    if etag is not None:
        headers["If-Match"] = etag
    body = {"contacted_at": at if isinstance(at, str) else iso(at)}
    return await sla.client.post(f"{location}/first-contact", json=body, headers=headers)


async def published(sla: Intake, referral_id: str, event_type: str) -> list[Any]:
    """The events of `event_type` about the referral, once its outbox rows all left."""
    async with asyncio.timeout(30):
        while True:
            async with sla.database.engine.connect() as connection:
                pending = await connection.scalar(
                    text("SELECT count(*) FROM outbox WHERE key = :k AND published_at IS NULL"),
                    {"k": referral_id},
                )
            if pending == 0:
                break
            await asyncio.sleep(0.1)
    return await events_about(sla.bootstrap, TOPIC, referral_id, event_type=event_type)


@pytest.mark.parametrize(
    ("urgency", "first_contact", "hand_over"),
    [("immediate", 2 * H, 24 * H), ("high", 24 * H, 72 * H), ("normal", 72 * H, 240 * H)],
)
async def test_due_dates_follow_the_urgency(
    sla: Intake, realm: Realm, urgency: str, first_contact: timedelta, hand_over: timedelta
) -> None:
    body = (await create(sla, realm, urgency=urgency)).json()
    received = moment(REFERRAL["received_at"])
    assert moment(body["first_contact_due_at"]) == received + first_contact
    assert moment(body["hand_over_due_at"]) == received + hand_over
    assert body["first_contact_at"] is None


async def test_rescoring_the_urgency_moves_the_due_dates(sla: Intake, realm: Realm) -> None:
    created = await create(sla, realm, urgency="normal")
    received = moment(REFERRAL["received_at"])
    assert moment(created.json()["first_contact_due_at"]) == received + 72 * H
    screened = await sla.client.post(
        f"{created.headers['Location']}/screening",
        json={"indicators": ["trafficking_or_exploitation"], "outcome": "take_in_charge"},
        headers={**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]},
    )
    assert screened.status_code == 200, screened.text
    referral = screened.json()["referral"]
    assert referral["urgency"] == "immediate"
    assert moment(referral["first_contact_due_at"]) == received + 2 * H
    assert moment(referral["hand_over_due_at"]) == received + 24 * H


async def test_a_first_contact_is_recorded_once_and_published(sla: Intake, realm: Realm) -> None:
    received = utcnow() - 3 * H
    created = await create(sla, realm, urgency="high", received_at=iso(received))
    location, referral_id = created.headers["Location"], created.json()["id"]
    at = received + H
    done = await contact(sla, realm, location, at, created.headers["ETag"])
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == '"2"'
    assert moment(done.json()["first_contact_at"]) == at
    assert done.json()["overdue"] == []

    again = await contact(sla, realm, location, at, done.headers["ETag"])
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lgnet:problem:first-contact-not-allowed"

    [event] = await published(sla, referral_id, FIRST_CONTACTED)
    data = dict(event.data)
    times = {name: moment(data.pop(name)) for name in ("received_at", "due_at", "reached_at")}
    assert times == {"received_at": received, "due_at": received + 24 * H, "reached_at": at}
    assert data == {
        "referral_id": referral_id,
        "urgency": "high",
        "target_group": REFERRAL["target_group"],
        "municipio": REFERRAL["place"]["municipio"],
        "reporting_organisation": "coop-aurora",
    }


async def test_a_hand_over_is_published_with_the_deadlines_in_force(
    sla: Intake, realm: Realm
) -> None:
    """The observatory counts hand-overs against the SLA: the event carries both deadlines (a
    hand-over with no first contact recorded is the first reach of the person)."""
    received = utcnow() - 3 * H
    created = await create(sla, realm, urgency="high", received_at=iso(received))
    done = await hand_over(sla.client, created, realm.headers("intake.aurora"), "assoc-ponte")
    referral = done.json()  # its screening may have raised the urgency, moving the deadlines

    [event] = await published(sla, created.json()["id"], HANDED_OVER)
    assert event.data["urgency"] == referral["urgency"]
    assert moment(event.data["due_at"]) == moment(referral["hand_over_due_at"])
    assert moment(event.data["reach_due_at"]) == moment(referral["first_contact_due_at"])
    assert moment(event.data["reach_due_at"]) < moment(event.data["due_at"])


@pytest.mark.parametrize(
    "body",
    [
        {"contacted_at": "2099-01-01T00:00:00+00:00"},  # in the future
        {"contacted_at": "2026-11-20T21:00:00+01:00"},  # before it was received
        {"contacted_at": "2026-11-20T23:00:00"},  # no zone
        {"contacted_at": 1_763_676_000},  # a number
        {},
        {"contacted_at": "2026-11-20T23:00:00+01:00", "by": "someone"},  # closed schema
    ],
    ids=["future", "before-receipt", "naive", "number", "missing", "unknown-field"],
)
async def test_a_bad_first_contact_is_a_422_problem(
    sla: Intake, realm: Realm, body: dict[str, Any]
) -> None:
    created = await create(sla, realm)
    response = await sla.client.post(
        f"{created.headers['Location']}/first-contact",
        json=body,
        headers={**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"]


async def test_first_contact_needs_the_current_etag_and_the_referral_visible(
    sla: Intake, realm: Realm
) -> None:
    created = await create(sla, realm)
    location = created.headers["Location"]
    at = "2026-11-20T23:00:00+01:00"
    assert (await contact(sla, realm, location, at, None)).status_code == 428
    assert (await contact(sla, realm, location, at, '"7"')).status_code == 412
    foreign = await sla.client.post(
        f"{location}/first-contact",
        json={"contacted_at": at},
        headers={**realm.headers("intake.ponte"), "If-Match": created.headers["ETag"]},
    )
    assert foreign.status_code == 404
    unknown = await contact(
        sla, realm, f"/v1/intake/referrals/{uuid.uuid4()}", at, created.headers["ETag"]
    )
    assert unknown.status_code == 404
    reader = await sla.client.post(
        f"{location}/first-contact",
        json={"contacted_at": at},
        headers={**realm.headers("analyst.comune"), "If-Match": created.headers["ETag"]},
    )
    assert reader.status_code == 403


@pytest.mark.parametrize("ending", ["no_action", "handover"])
async def test_an_ended_referral_takes_no_first_contact(
    sla: Intake, realm: Realm, ending: str
) -> None:
    created = await create(sla, realm)
    location = created.headers["Location"]
    headers = realm.headers("intake.aurora")
    if ending == "no_action":
        ended = await sla.client.post(
            f"{location}/screening",
            json={"indicators": [], "outcome": "no_action"},
            headers={**headers, "If-Match": created.headers["ETag"]},
        )
    else:
        etag = await take_in_charge(sla.client, location, headers, created.headers["ETag"])
        ended = await sla.client.post(
            f"{location}/handover",
            json={"lead_organisation": "assoc-ponte"},
            headers={**headers, "If-Match": etag},
        )
    assert ended.status_code == 200, ended.text
    refused = await contact(
        sla, realm, location, "2026-11-20T23:00:00+01:00", ended.headers["ETag"]
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:lgnet:problem:first-contact-not-allowed"


async def test_the_overdue_filter_lists_referrals_with_a_step_late(
    sla: Intake, realm: Realm
) -> None:
    now = utcnow()
    place = {"municipio": 9, "name": "Corvetto"}
    # first contact due 72 h after receipt: passed, not done
    late = await create(sla, realm, urgency="normal", place=place, received_at=iso(now - 96 * H))
    # the same, reached in time: hand-over not due yet
    reached = await create(sla, realm, urgency="normal", place=place, received_at=iso(now - 96 * H))
    done = await contact(
        sla, realm, reached.headers["Location"], now - 90 * H, reached.headers["ETag"]
    )
    assert done.status_code == 200, done.text
    # old, but closed without hand-over: its deadlines no longer apply
    closed = await create(sla, realm, place=place, received_at=iso(now - 96 * H))
    no_action = await sla.client.post(
        f"{closed.headers['Location']}/screening",
        json={"indicators": [], "outcome": "no_action"},
        headers={**realm.headers("intake.aurora"), "If-Match": closed.headers["ETag"]},
    )
    assert no_action.status_code == 200
    fresh = await create(sla, realm, urgency="normal", place=place, received_at=iso(now))

    async def listed(flag: str) -> dict[str, list[str]]:
        response = await sla.client.get(
            "/v1/intake/referrals",
            params={"overdue": flag, "municipio": 9, "limit": 200},
            headers=realm.headers("coordinator.comune"),
        )
        assert response.status_code == 200, response.text
        return {item["id"]: item["overdue"] for item in response.json()["items"]}

    overdue, on_time = await listed("true"), await listed("false")
    assert overdue[late.json()["id"]] == ["first_contact"]
    for other in (reached, closed, fresh):
        assert other.json()["id"] not in overdue
        assert on_time[other.json()["id"]] == []
    assert late.json()["id"] not in on_time
    assert late.json()["overdue"] == ["first_contact"]

    bad = await sla.client.get(
        "/v1/intake/referrals", params={"overdue": "maybe"}, headers=realm.headers("intake.aurora")
    )
    assert bad.status_code in {400, 422}


async def test_each_breach_is_raised_once_however_often_and_concurrently_checked(
    sla: Intake, realm: Realm
) -> None:
    received = utcnow() - 48 * H
    created = await create(sla, realm, urgency="immediate", received_at=iso(received))
    referral_id = created.json()["id"]
    assert created.json()["overdue"] == ["first_contact", "hand_over"]

    first = await check_sla(sla.database)
    assert {(str(b.referral_id), b.kind) for b in first} >= {
        (referral_id, "first_contact"),
        (referral_id, "hand_over"),
    }
    await check_sla(sla.database)
    concurrent = await asyncio.gather(*(check_sla(sla.database) for _ in range(4)))
    assert all(str(b.referral_id) != referral_id for run in concurrent for b in run)

    events = await published(sla, referral_id, OVERDUE)
    assert sorted(e.data["kind"] for e in events) == ["first_contact", "hand_over"]
    by_kind = {e.data["kind"]: e.data for e in events}
    assert by_kind["first_contact"] == {
        "referral_id": referral_id,
        "kind": "first_contact",
        "urgency": "immediate",
        "deadline": by_kind["first_contact"]["deadline"],
        "target_group": REFERRAL["target_group"],
        "municipio": REFERRAL["place"]["municipio"],
        "reporting_organisation": "coop-aurora",
        "received_at": by_kind["first_contact"]["received_at"],
    }
    assert moment(by_kind["first_contact"]["deadline"]) == received + 2 * H
    assert moment(by_kind["hand_over"]["deadline"]) == received + 24 * H


async def test_a_step_done_late_is_raised_once_even_if_never_seen_open(
    sla: Intake, realm: Realm
) -> None:
    received = utcnow() - 100 * H
    created = await create(sla, realm, urgency="normal", received_at=iso(received))
    referral_id = created.json()["id"]
    # reached after its 72 h deadline, before any check saw it open
    done = await contact(
        sla, realm, created.headers["Location"], received + 80 * H, created.headers["ETag"]
    )
    assert done.status_code == 200, done.text
    assert done.json()["overdue"] == []  # nothing open: not in the overdue list

    raised = [b for b in await check_sla(sla.database) if str(b.referral_id) == referral_id]
    assert [(b.kind, b.met_at) for b in raised] == [("first_contact", received + 80 * H)]
    assert not [b for b in await check_sla(sla.database) if str(b.referral_id) == referral_id]
    assert len(await published(sla, referral_id, OVERDUE)) == 1


async def test_a_check_with_an_explicit_now_sees_the_deadlines_of_that_time(
    sla: Intake, realm: Realm
) -> None:
    received = utcnow()
    created = await create(sla, realm, urgency="high", received_at=iso(received))
    referral_id = created.json()["id"]

    def mine(found: list[Any]) -> list[str]:
        return sorted(b.kind for b in found if str(b.referral_id) == referral_id)

    assert mine(await check_sla(sla.database, now=received + 24 * H)) == []  # at the deadline
    assert mine(await check_sla(sla.database, now=received + 25 * H)) == ["first_contact"]
    assert mine(await check_sla(sla.database, now=received + 73 * H)) == ["hand_over"]


async def test_a_running_replica_raises_breaches_by_itself(
    sla: Intake, realm: Realm, stack: Stack
) -> None:
    # a second copy of the service on the same database, checking every 0.2 s
    replica = IntakeSettings(
        database_url=sla.settings.database_url,
        common=common_settings(stack),
        sla_check_interval_seconds=0.2,
    )
    async with serve(create_app(replica)):
        created = await create(sla, realm, urgency="immediate", received_at=iso(utcnow() - 30 * H))
        referral_id = created.json()["id"]
        async with asyncio.timeout(30):
            while True:
                async with sla.database.engine.connect() as connection:
                    raised = await connection.scalar(
                        text("SELECT count(*) FROM sla_breaches WHERE referral_id = :r"),
                        {"r": uuid.UUID(referral_id)},
                    )
                if raised == 2:
                    break
                await asyncio.sleep(0.1)
        events = await published(sla, referral_id, OVERDUE)
    assert sorted(e.data["kind"] for e in events) == ["first_contact", "hand_over"]


async def test_a_new_sla_policy_applies_to_referrals_received_after_it(
    sla: Intake, realm: Realm
) -> None:
    coordinator = realm.headers("coordinator.comune")
    current = await sla.client.get("/v1/intake/policies/intake.sla", headers=coordinator)
    assert current.status_code == 200, current.text
    document = current.json()["document"]
    document["deadlines"]["immediate"]["first_contact"] = "PT30M"
    effective_from = (utcnow() - H).replace(microsecond=0)
    proposed = await sla.client.post(
        "/v1/intake/policies/intake.sla/versions",
        json={"document": document, "effective_from": iso(effective_from), "why": "co-design"},
        headers=coordinator,
    )
    assert proposed.status_code == 201, proposed.text

    before = effective_from - 30 * timedelta(minutes=1)
    after = effective_from + 30 * timedelta(minutes=1)
    old = (await create(sla, realm, urgency="immediate", received_at=iso(before))).json()
    new = (await create(sla, realm, urgency="immediate", received_at=iso(after))).json()
    assert moment(old["first_contact_due_at"]) == before + 2 * H
    assert moment(new["first_contact_due_at"]) == after + timedelta(minutes=30)
    assert moment(new["hand_over_due_at"]) == after + 24 * H

    # a re-scoring keeps judging it under the policy of its receipt
    created = await create(sla, realm, urgency="normal", received_at=iso(before))
    screened = await sla.client.post(
        f"{created.headers['Location']}/screening",
        json={"indicators": ["trafficking_or_exploitation"], "outcome": "take_in_charge"},
        headers={**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]},
    )
    assert screened.status_code == 200, screened.text
    assert moment(screened.json()["referral"]["first_contact_due_at"]) == before + 2 * H
