"""Referrals through intake's API, with real Keycloak tokens, PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.intake import REFERRAL, take_in_charge

pytestmark = pytest.mark.integration


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
    assert fetched.json()["flags"] == ["children_present", "language_barrier"]


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


async def test_hand_over_needs_a_take_in_charge_screening_and_the_current_etag(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    location = (await create(intake, realm)).headers["Location"]
    handover = f"{location}/handover"
    payload = {"lead_organisation": "assoc-ponte"}
    headers = realm.headers("intake.aurora")

    unscreened = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"1"'})
    assert unscreened.status_code == 409
    assert unscreened.json()["type"] == "urn:lgnet:problem:illegal-transition"

    etag = await take_in_charge(intake, location, headers, '"1"')
    assert etag == '"2"'
    missing = await intake.post(handover, json=payload, headers=headers)
    assert missing.status_code == 428
    stale = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412

    done = await intake.post(handover, json=payload, headers={**headers, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "handed_over"
    assert done.headers["ETag"] == '"3"'
    # the receiving organisation now sees it too
    assert (await intake.get(location, headers=realm.headers("intake.ponte"))).status_code == 200

    again = await intake.post(handover, json=payload, headers={**headers, "If-Match": '"3"'})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lgnet:problem:illegal-transition"


async def test_screening_rescores_urgency_and_explains_it(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create(intake, realm, urgency="normal")
    location = created.headers["Location"]
    headers = {**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]}
    screened = await intake.post(
        f"{location}/screening",
        json={"indicators": ["trafficking_or_exploitation"], "outcome": "take_in_charge"},
        headers=headers,
    )
    assert screened.status_code == 200, screened.text
    body = screened.json()
    assert body["referral"]["status"] == "screened"
    assert body["referral"]["urgency"] == "immediate"  # the default rule: trafficking signs
    assert body["assessment"]["decided_by"] in {"score", "rule"}
    assert body["assessment"]["explanation"]  # the operator sees why
    assert body["policy_version"] is None  # the built-in default rule was in force


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("refer_elsewhere", "referred_elsewhere"), ("no_action", "closed_no_action")],
)
async def test_a_screening_can_close_the_referral(
    intake: httpx.AsyncClient, realm: Realm, outcome: str, status: str
) -> None:
    created = await create(intake, realm)
    headers = {**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]}
    screened = await intake.post(
        f"{created.headers['Location']}/screening",
        json={"indicators": [], "outcome": outcome},
        headers=headers,
    )
    assert screened.status_code == 200, screened.text
    assert screened.json()["referral"]["status"] == status
    closed_again = await intake.post(
        f"{created.headers['Location']}/screening",
        json={"indicators": [], "outcome": "take_in_charge"},
        headers={**headers, "If-Match": screened.headers["ETag"]},
    )
    assert closed_again.status_code == 409


async def test_an_operator_cannot_lower_urgency_below_a_rule(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create(intake, realm)
    response = await intake.post(
        f"{created.headers['Location']}/screening",
        json={
            "indicators": ["unaccompanied_minor"],
            "outcome": "take_in_charge",
            "operator_urgency": {"urgency": "normal", "reason": "seen by the team"},
        },
        headers={**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_coordinator_changes_the_triage_rule_and_screening_uses_it(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    current = await intake.get(
        "/v1/intake/policies/intake.triage", headers=realm.headers("coordinator.comune")
    )
    assert current.status_code == 200, current.text
    document = current.json()["document"]
    document["weights"]["no_income"] = 9  # now enough alone for "immediate"
    version = {"document": document, "effective_from": "2026-01-01T00:00:00+00:00", "why": "2026"}
    # only a coordinator changes a rule: the operator is refused, the coordinator's is recorded
    for user, status in (("intake.aurora", 403), ("coordinator.comune", 201)):
        proposed = await intake.post(
            "/v1/intake/policies/intake.triage/versions", json=version, headers=realm.headers(user)
        )
        assert proposed.status_code == status, proposed.text

    created = await create(intake, realm, urgency="normal", target_group="vulnerable_family")
    screened = await intake.post(
        f"{created.headers['Location']}/screening",
        json={"indicators": ["no_income"], "outcome": "take_in_charge"},
        headers={**realm.headers("intake.aurora"), "If-Match": created.headers["ETag"]},
    )
    assert screened.status_code == 200, screened.text
    assert screened.json()["referral"]["urgency"] == "immediate"
    assert screened.json()["policy_version"] == proposed.json()["version"]


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
        ({**REFERRAL, "flags": ["vip"]}, 422),
        ({**REFERRAL, "persons": [{}]}, 422),  # neither person_id nor person
    ],
    ids=["municipio", "channel", "naive-time", "unknown-field", "missing-field", "flag", "person"],
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


async def test_the_list_filters_combine(intake: httpx.AsyncClient, realm: Realm) -> None:
    minute = "2012-03-04T05:06"
    wanted = await create(
        intake,
        realm,
        channel="hotline",
        urgency="high",
        place={"municipio": 7, "name": "Piazza Selinunte"},
        received_at=f"{minute}:30+00:00",
    )
    await create(intake, realm, channel="hotline", urgency="high", received_at=f"{minute}:40+00:00")
    await create(intake, realm, channel="partner", place={"municipio": 7, "name": "San Siro"})
    listed = await intake.get(
        "/v1/intake/referrals",
        params={
            "channel": "hotline",
            "urgency": "high",
            "municipio": 7,
            "organisation": "coop-aurora",
            "received_from": f"{minute}:00+00:00",
            "received_to": "2012-03-04T05:07:00+00:00",
        },
        headers=realm.headers("coordinator.comune"),
    )
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [wanted.json()["id"]]


@pytest.mark.parametrize(
    "query",
    [{"municipio": "10"}, {"channel": "fax"}, {"received_from": "1700000000"}, {"stauts": "open"}],
    ids=["municipio", "channel", "numeric-time", "unknown-parameter"],
)
async def test_bad_filters_are_client_errors(
    intake: httpx.AsyncClient, realm: Realm, query: dict[str, str]
) -> None:
    response = await intake.get(
        "/v1/intake/referrals", params=query, headers=realm.headers("coordinator.comune")
    )
    assert response.status_code in {400, 422}
    assert response.headers["content-type"].startswith("application/problem+json")
