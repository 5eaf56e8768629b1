"""Cases opened by intake's real hand-over events: intake and casework in-process, each with its
own PostgreSQL database, the stack's Kafka and Keycloak."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing import intake as intake_api
from kit.testing.kafka import publish
from kit.testing.pages import all_pages
from services.intake.referrals.events import ReferralHandedOver

pytestmark = pytest.mark.integration

CASES = "/v1/casework/cases"
REFERRAL = {
    "channel": "one_stop_shop",
    "received_at": "2026-11-21T09:30:00+01:00",
    "place": {"municipio": 8, "name": "Via Gallarate"},
    "urgency": "high",
    "target_group": "vulnerable_family",
    "needs": ["shelter"],
}


@dataclass
class Services:
    intake: httpx.AsyncClient
    casework: httpx.AsyncClient
    realm: Realm


async def hand_over(
    services: Services, lead: str = "assoc-ponte", **changes: Any
) -> dict[str, Any]:
    """A referral received by coop-aurora's intake operator and handed over to ``lead``."""
    headers = services.realm.headers("intake.aurora")
    created = await services.intake.post(
        intake_api.REFERRALS, json={**REFERRAL, **changes}, headers=headers
    )
    assert created.status_code == 201, created.text
    done = await intake_api.hand_over(services.intake, created, headers, lead)
    referral: dict[str, Any] = done.json()
    return referral


async def case_of(
    services: Services, referral_id: str, *, user: str = "coordinator.comune", within: float = 5
) -> dict[str, Any]:
    """The case casework opened for the referral, polled for until ``within`` seconds pass."""
    deadline = time.monotonic() + within
    while True:
        found = await services.casework.get(
            CASES, params={"referral_id": referral_id}, headers=services.realm.headers(user)
        )
        assert found.status_code == 200, found.text
        if items := found.json()["items"]:
            assert len(items) == 1
            case: dict[str, Any] = items[0]
            return case
        assert time.monotonic() < deadline, f"no case for referral {referral_id} in {within}s"
        await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
async def services(
    intake: httpx.AsyncClient, casework: httpx.AsyncClient, realm: Realm
) -> Services:
    running = Services(intake, casework, realm)
    # Consumers join their group in the background and may first read the topic's backlog:
    # one hand-over end to end, with time to spare, before the tests measure anything.
    await case_of(running, (await hand_over(running))["id"], within=60)
    return running


async def test_a_handed_over_referral_opens_a_case_for_the_lead_organisation(
    services: Services,
) -> None:
    referral = await hand_over(services, lead="assoc-ponte")
    case = await case_of(services, referral["id"], user="caseworker.ponte")

    assert case["status"] == "open"
    assert case["lead_organisation"] == "assoc-ponte"
    assert case["reporting_organisation"] == "coop-aurora"
    assert case["urgency"] == referral["urgency"]  # as screening left it
    assert case["target_group"] == "vulnerable_family"
    assert case["municipio"] == 8
    assert case["referral_received_at"] == referral["received_at"]
    assert case["handed_over_at"] == referral["handed_over_at"]
    opened_at = datetime.fromisoformat(case["opened_at"])
    assert opened_at >= datetime.fromisoformat(referral["handed_over_at"])

    one = await services.casework.get(
        f"{CASES}/{case['id']}", headers=services.realm.headers("caseworker.ponte")
    )
    assert one.status_code == 200
    assert one.headers["ETag"] == '"1"'
    assert one.json() == case


async def test_a_case_is_seen_by_its_lead_organisation_and_coordinators_only(
    services: Services,
) -> None:
    referral = await hand_over(services, lead="assoc-ponte")
    case_id = (await case_of(services, referral["id"]))["id"]

    def read(user: str) -> Any:
        return services.casework.get(f"{CASES}/{case_id}", headers=services.realm.headers(user))

    assert (await read("caseworker.ponte")).status_code == 200
    assert (await read("coordinator.comune")).status_code == 200
    # coop-aurora reported the referral but does not lead the case: no sign that it exists
    for outsider in ("caseworker.aurora", "supervisor.aurora", "intake.aurora"):
        hidden = await read(outsider)
        assert hidden.status_code == 404, outsider
        assert hidden.headers["content-type"].startswith("application/problem+json")
        assert hidden.json()["type"] == "urn:lgnet:problem:case-not-found"
    listed = await services.casework.get(
        CASES,
        params={"referral_id": referral["id"]},
        headers=services.realm.headers("caseworker.aurora"),
    )
    assert listed.json()["items"] == []
    missing = await services.casework.get(
        f"{CASES}/{uuid.uuid4()}", headers=services.realm.headers("coordinator.comune")
    )
    assert missing.status_code == 404


async def test_the_list_is_newest_first_paginated_and_filtered(services: Services) -> None:
    referrals = [await hand_over(services, lead="coop-aurora") for _ in range(3)]
    ours = {(await case_of(services, r["id"]))["id"] for r in referrals}

    headers = services.realm.headers("caseworker.aurora")
    seen = await all_pages(
        services.casework, CASES, headers=headers, limit=2, params={"status": "open"}
    )

    assert ours <= {case["id"] for case in seen}
    assert len({case["id"] for case in seen}) == len(seen)
    assert all(case["lead_organisation"] == "coop-aurora" for case in seen)
    opened = [case["opened_at"] for case in seen]
    assert opened == sorted(opened, reverse=True)

    closed = await services.casework.get(CASES, params={"status": "closed"}, headers=headers)
    assert closed.json()["items"] == []
    bad = await services.casework.get(CASES, params={"status": "lost"}, headers=headers)
    assert bad.status_code == 422


async def test_a_hand_over_delivered_twice_opens_one_case(services: Services, stack: Stack) -> None:
    """The same hand-over under a new event id gets past the inbox; the case's unique
    referral id still stops a second case."""
    referral = await hand_over(services)
    case = await case_of(services, referral["id"])
    data = {
        "referral_id": referral["id"],
        "lead_organisation": "assoc-ponte",
        "reporting_organisation": "coop-aurora",
        "urgency": referral["urgency"],
        "target_group": referral["target_group"],
        "municipio": referral["place"]["municipio"],
        "received_at": referral["received_at"],
        "handed_over_at": referral["handed_over_at"],
    }
    # a sentinel hand-over with the same key follows the duplicate in its partition: once its
    # case exists, the duplicate has been consumed
    sentinel = str(uuid.uuid4())
    await publish(
        stack.kafka_bootstrap,
        [(ReferralHandedOver, data), (ReferralHandedOver, {**data, "referral_id": sentinel})],
        subject=referral["id"],
        organisation="coop-aurora",
    )

    await case_of(services, sentinel)
    assert await case_of(services, referral["id"]) == case


async def test_a_duplicated_and_reordered_stream_opens_one_case_per_hand_over(
    services: Services, stack: Stack
) -> None:
    """Ten hand-overs, each delivered three times under new event ids, shuffled into one
    stream (consecutive events reach the batch handler together): ten cases, one each."""
    now = datetime.now(UTC).isoformat()
    referrals = [str(uuid.uuid4()) for _ in range(10)]
    stream = [
        {
            "referral_id": referral,
            "lead_organisation": "assoc-ponte",
            "reporting_organisation": "coop-aurora",
            "urgency": "normal",
            "target_group": "vulnerable_family",
            "municipio": 1 + n % 9,
            "received_at": now,
            "handed_over_at": now,
            "person_refs": [str(uuid.uuid4())] if copy == 0 else [],
        }
        for n, referral in enumerate(referrals)
        for copy in range(3)
    ]
    random.Random(9).shuffle(stream)
    await publish(
        stack.kafka_bootstrap,
        [(ReferralHandedOver, data) for data in stream],
        subject=f"burst-{uuid.uuid4()}",
        organisation="coop-aurora",
    )
    cases = [await case_of(services, referral, within=30) for referral in referrals]
    assert len({case["id"] for case in cases}) == 10
    for case in cases:  # each case as the first copy of its hand-over in the stream said
        first = next(d for d in stream if d["referral_id"] == case["referral_id"])
        assert case["person_refs"] == first["person_refs"]


async def test_callers_without_a_casework_role_are_refused(services: Services) -> None:
    refused = await services.casework.get(CASES, headers=services.realm.headers("analyst.comune"))
    assert refused.status_code == 403
    assert (await services.casework.get(CASES)).status_code == 401


async def test_a_hand_over_case_concerns_the_referrals_persons_and_its_first_member_manages_it(
    services: Services,
) -> None:
    referral = await hand_over(
        services,
        lead="assoc-ponte",
        target_group="young_adult",
        persons=[{"person": {"given_name": "Synthetic", "family_name": "Handoverzz"}}],
    )
    case = await case_of(services, referral["id"], user="caseworker.ponte")
    assert case["person_refs"] == referral["person_ids"]
    assert case["target_group"] == "young_adult_leaving_care"  # casework's own vocabulary
    assert case["origin"] == "handover"
    assert case["case_manager_id"] is None

    lead = services.realm.headers("caseworker.ponte")
    added = await services.casework.post(
        f"{CASES}/{case['id']}/team",
        json={
            "user": services.realm.subject("caseworker.ponte"),
            "organisation": "assoc-ponte",
            "role": "social_worker",
        },
        headers=lead,
    )
    assert added.status_code == 201, added.text
    assert added.json()["case_manager"] is True
    now = await services.casework.get(f"{CASES}/{case['id']}", headers=lead)
    assert now.json()["case_manager_id"] == added.json()["id"]
    assert now.headers["ETag"] == '"2"'
