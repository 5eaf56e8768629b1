"""Facilities through housing's API, with real Keycloak tokens, PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.kafka import first_event_about
from kit.testing.pages import all_pages
from services.housing.facilities.events import TOPIC

pytestmark = pytest.mark.integration

FACILITIES = "/v1/housing/facilities"
FACILITY: dict[str, Any] = {
    "name": "Rifugio Quarto Oggiaro",
    "kind": "shelter",
    "municipio": 8,
    "capacity_beds": 12,
    "target_groups": ["young_adult", "unaccompanied_minor"],
    "sex": "male",
    "accessible": True,
    "max_stay_days": 90,
}


async def register(
    housing: httpx.AsyncClient, realm: Realm, user: str = "housing.ponte", **changes: Any
) -> httpx.Response:
    return await housing.post(FACILITIES, json={**FACILITY, **changes}, headers=realm.headers(user))


async def test_a_registered_facility_can_be_read_by_other_organisations(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register(housing, realm)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["operator_organisation"] == "assoc-ponte"
    assert body["target_groups"] == ["unaccompanied_minor", "young_adult"]
    assert body["capacity_beds"] == 12
    assert body["max_stay_days"] == 90
    assert created.headers["Location"] == f"{FACILITIES}/{body['id']}"
    assert created.headers["ETag"] == '"1"'

    # facilities are not person data: a case worker of another organisation reads it
    fetched = await housing.get(
        created.headers["Location"], headers=realm.headers("caseworker.aurora")
    )
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json() == body


async def test_a_coordinator_registers_for_the_comune_and_max_stay_is_optional(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    payload = {k: v for k, v in FACILITY.items() if k != "max_stay_days"}
    created = await housing.post(
        FACILITIES, json=payload, headers=realm.headers("coordinator.comune")
    )
    assert created.status_code == 201, created.text
    assert created.json()["operator_organisation"] == "comune-milano"
    assert created.json()["max_stay_days"] is None


async def test_registration_is_published_with_a_payload_that_matches_its_contract(
    housing: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await register(
        housing, realm, kind="autonomy_apartment", target_groups=["vulnerable_family"], sex="any"
    )
    facility_id = created.json()["id"]

    event = await first_event_about(stack.kafka_bootstrap, TOPIC, facility_id)
    contracts.validate(event)
    assert event.type == "lgnet.housing.facility.registered"
    assert event.source == "/lgnet/housing"
    assert event.subject == facility_id
    assert event.organisation == "assoc-ponte"
    assert event.data == {
        "facility_id": facility_id,
        "kind": "autonomy_apartment",
        "operator_organisation": "assoc-ponte",
        "municipio": 8,
        "capacity_beds": 12,
        "target_groups": ["vulnerable_family"],
        "sex": "any",
        "accessible": True,
        "max_stay_days": 90,
        "registered_at": event.data["registered_at"],
    }
    assert "name" not in event.data  # free text stays out of events


async def test_a_retried_registration_with_the_same_idempotency_key_registers_once(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    headers = {**realm.headers("housing.ponte"), "Idempotency-Key": "facility-import-17"}
    payload = {**FACILITY, "name": "Co-abitazione Gorla"}
    first = await housing.post(FACILITIES, json=payload, headers=headers)
    second = await housing.post(FACILITIES, json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"

    other = await housing.post(FACILITIES, json={**payload, "capacity_beds": 13}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:lgnet:problem:idempotency-key-reused"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 201),
        ("kind", "hotel"),
        ("municipio", 0),
        ("municipio", 10),
        ("municipio", "8"),
        ("capacity_beds", 0),
        ("capacity_beds", -3),
        ("capacity_beds", "12"),
        ("capacity_beds", 10**12),
        ("target_groups", []),
        ("target_groups", ["pets"]),
        ("target_groups", "young_adult"),
        ("sex", "mixed"),
        ("accessible", "yes"),
        ("accessible", None),
        ("max_stay_days", 0),
        ("max_stay_days", 1.5),
    ],
)
async def test_each_invalid_field_is_refused_with_a_problem_naming_it(
    housing: httpx.AsyncClient, realm: Realm, field: str, value: Any
) -> None:
    response = await register(housing, realm, **{field: value})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:validation-failed"
    assert {e["pointer"].split("/")[1] for e in problem["errors"]} == {field}


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({**FACILITY, "address": "via Padova 1"}, "#/address"),
        ({k: v for k, v in FACILITY.items() if k != "capacity_beds"}, "#/capacity_beds"),
        ({**FACILITY, "operator_organisation": "coop-aurora"}, "#/operator_organisation"),
    ],
    ids=["unknown-field", "missing-field", "operator-from-the-token-only"],
)
async def test_unknown_and_missing_fields_are_refused(
    housing: httpx.AsyncClient, realm: Realm, payload: dict[str, Any], pointer: str
) -> None:
    response = await housing.post(FACILITIES, json=payload, headers=realm.headers("housing.ponte"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


async def test_list_pages_through_every_facility_once(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    ids = {(await register(housing, realm, municipio=4)).json()["id"] for _ in range(5)}
    listed = await all_pages(
        housing,
        FACILITIES,
        headers=realm.headers("supervisor.aurora"),
        limit=2,
        params={"municipio": 4},
    )
    seen = [item["id"] for item in listed]
    assert len(seen) == len(set(seen))
    assert ids <= set(seen)

    tampered = await housing.get(
        f"{FACILITIES}?cursor=not-a-cursor", headers=realm.headers("housing.ponte")
    )
    assert tampered.status_code == 400


async def test_list_filters_by_kind_municipio_and_target_group(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    wanted = await register(
        housing,
        realm,
        kind="co_housing",
        municipio=9,
        target_groups=["young_adult", "vulnerable_family"],
    )
    await register(housing, realm, kind="co_housing", municipio=9, target_groups=["other"])
    await register(housing, realm, kind="shelter", municipio=9, target_groups=["young_adult"])
    await register(housing, realm, kind="co_housing", municipio=3, target_groups=["young_adult"])

    response = await housing.get(
        f"{FACILITIES}?kind=co_housing&municipio=9&target_group=young_adult&limit=200",
        headers=realm.headers("housing.ponte"),
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert wanted.json()["id"] in {item["id"] for item in items}
    for item in items:
        assert item["kind"] == "co_housing"
        assert item["municipio"] == 9
        assert "young_adult" in item["target_groups"]
    # the filter selects facilities, it does not trim their other target groups
    assert ["vulnerable_family", "young_adult"] in [item["target_groups"] for item in items]


@pytest.mark.parametrize("query", ["kind=hotel", "municipio=10", "target_group=pets"])
async def test_an_invalid_filter_is_a_problem(
    housing: httpx.AsyncClient, realm: Realm, query: str
) -> None:
    response = await housing.get(f"{FACILITIES}?{query}", headers=realm.headers("housing.ponte"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == query.split("=")[0]


async def test_an_unknown_facility_is_a_404_problem(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    response = await housing.get(
        f"{FACILITIES}/6f1c1a8e-0000-4000-8000-000000000000",
        headers=realm.headers("housing.ponte"),
    )
    assert response.status_code == 404
    assert response.json()["type"] == "urn:lgnet:problem:facility-not-found"


async def test_a_token_is_needed(housing: httpx.AsyncClient) -> None:
    assert (await housing.get(FACILITIES)).status_code == 401
    assert (await housing.post(FACILITIES, json=FACILITY)).status_code == 401


async def test_a_case_worker_reads_but_may_not_register(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    refused = await register(housing, realm, user="caseworker.aurora")
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:lgnet:problem:role-required"
    listed = await housing.get(FACILITIES, headers=realm.headers("caseworker.aurora"))
    assert listed.status_code == 200


@pytest.mark.parametrize("user", ["organizer.ponte", "analyst.comune", "intake.aurora"])
async def test_roles_outside_housing_and_casework_may_not_read(
    housing: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    response = await housing.get(FACILITIES, headers=realm.headers(user))
    assert response.status_code == 403
    assert (await register(housing, realm, user=user)).status_code == 403
