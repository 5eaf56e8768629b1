"""Referrals through intake's API, with real Keycloak tokens, PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.apps import serve
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import common_settings, fresh_database_url

pytestmark = pytest.mark.integration

REFERRAL: dict[str, Any] = {
    "channel": "mobile_unit",
    "received_at": "2026-11-20T22:15:00+01:00",
    "place": {
        "municipio": 2,
        "name": "Piazza Duca d'Aosta",
        "latitude": 45.4847,
        "longitude": 9.204,
    },
    "urgency": "immediate",
    "target_group": "unaccompanied_minor",
    "needs": ["shelter", "food"],
    "reporting_unit": "unità mobile notturna",
}


@pytest.fixture(scope="module")
async def intake(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        database_url=fresh_database_url(stack, "intake"), common=common_settings(stack)
    )
    async with serve(create_app(settings)) as client:
        yield client


async def create(
    intake: httpx.AsyncClient, realm: Realm, user: str = "intake.aurora", **changes: Any
) -> httpx.Response:
    return await intake.post(
        "/v1/intake/referrals", json={**REFERRAL, **changes}, headers=realm.headers(user)
    )


async def test_a_received_referral_can_be_read_back_by_its_organisation(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create(intake, realm)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "received"
    assert body["reporting_organisation"] == "coop-aurora"
    assert created.headers["Location"] == f"/v1/intake/referrals/{body['id']}"

    fetched = await intake.get(created.headers["Location"], headers=realm.headers("intake.aurora"))
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json()["place"]["municipio"] == 2


async def test_another_organisation_gets_404_and_a_coordinator_sees_it(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    location = (await create(intake, realm)).headers["Location"]
    foreign = await intake.get(location, headers=realm.headers("intake.ponte"))
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("application/problem+json")
    assert (
        await intake.get(location, headers=realm.headers("coordinator.comune"))
    ).status_code == 200


async def test_hand_over_needs_the_current_etag_and_happens_once(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    location = (await create(intake, realm)).headers["Location"]
    handover = f"{location}/handover"
    payload = {"lead_organisation": "assoc-ponte"}
    headers = realm.headers("intake.aurora")

    missing = await intake.post(handover, json=payload, headers=headers)
    assert missing.status_code == 428
    stale = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412

    done = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "handed_over"
    assert done.headers["ETag"] == '"2"'
    # the receiving organisation now sees it too
    assert (await intake.get(location, headers=realm.headers("intake.ponte"))).status_code == 200

    again = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"2"'})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lgnet:problem:illegal-transition"


async def test_a_retried_create_with_the_same_idempotency_key_creates_once(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    headers = {**realm.headers("intake.aurora"), "Idempotency-Key": "device-42-batch-7"}
    first = await intake.post("/v1/intake/referrals", json=REFERRAL, headers=headers)
    second = await intake.post("/v1/intake/referrals", json=REFERRAL, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({**REFERRAL, "place": {**REFERRAL["place"], "municipio": 10}}, 422),
        ({**REFERRAL, "channel": "carrier_pigeon"}, 422),
        ({**REFERRAL, "received_at": "2026-11-20T22:15:00"}, 422),  # no zone
        ({**REFERRAL, "full_name": "should not be here"}, 422),  # closed schema
        ({k: v for k, v in REFERRAL.items() if k != "urgency"}, 422),
    ],
    ids=["municipio", "channel", "naive-time", "unknown-field", "missing-field"],
)
async def test_bad_referrals_are_refused_with_a_problem(
    intake: httpx.AsyncClient, realm: Realm, payload: dict[str, Any], status: int
) -> None:
    response = await intake.post(
        "/v1/intake/referrals", json=payload, headers=realm.headers("intake.aurora")
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"]


async def test_list_is_paginated_and_scoped(intake: httpx.AsyncClient, realm: Realm) -> None:
    for _ in range(3):
        await create(intake, realm, user="intake.ponte")
    first = await intake.get("/v1/intake/referrals?limit=2", headers=realm.headers("intake.ponte"))
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    rest = await intake.get(
        f"/v1/intake/referrals?limit=200&cursor={page['next_cursor']}",
        headers=realm.headers("intake.ponte"),
    )
    everything = page["items"] + rest.json()["items"]
    assert all(
        item["reporting_organisation"] == "assoc-ponte"
        or item["lead_organisation"] == "assoc-ponte"
        for item in everything
    )
    assert len({item["id"] for item in everything}) == len(everything)


async def test_a_caller_without_an_intake_role_is_forbidden(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    response = await intake.get("/v1/intake/referrals", headers=realm.headers("analyst.comune"))
    assert response.status_code == 403
    assert (await intake.get("/v1/intake/referrals")).status_code == 401
