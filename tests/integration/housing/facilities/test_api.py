"""Facilities through housing's API, with real Keycloak tokens and PostgreSQL; what registering
publishes is in test_events.py (it must commit)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.housing import FACILITIES, FACILITY, register_facility
from kit.testing.resources import (
    assert_created,
    assert_created_once,
    assert_listed_once,
    assert_problem,
)
from kit.testing.services import rolled_back_per_test

pytestmark = pytest.mark.integration
# these tests read their effects back through the API only: each one's writes are rolled back
_rolled_back = rolled_back_per_test("housing")


async def test_a_registered_facility_can_be_read_by_other_organisations(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register_facility(housing, realm)
    body = assert_created(created, FACILITIES)
    assert body["operator_organisation"] == "assoc-ponte"
    assert body["target_groups"] == ["unaccompanied_minor", "young_adult"]
    assert (body["sex_policy"], body["min_age"], body["max_age"]) == ("male", 16, 25)
    assert body["address"] == "Via Synthetic 1, 20157 Milano"
    # no unit yet: no bed
    assert (body["units"], body["capacity_beds"], body["free_beds"]) == (0, 0, 0)
    assert body["max_stay_days"] == 90

    # facilities are not person data: a case worker of another organisation reads it
    fetched = await housing.get(
        created.headers["Location"], headers=realm.headers("caseworker.aurora")
    )
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json() == body


async def test_a_coordinator_registers_for_the_comune_and_the_bounds_are_optional(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    payload = {
        k: v for k, v in FACILITY.items() if k not in {"max_stay_days", "min_age", "max_age"}
    }
    created = await housing.post(
        FACILITIES, json=payload, headers=realm.headers("coordinator.comune")
    )
    assert created.status_code == 201, created.text
    assert created.json()["operator_organisation"] == "comune-milano"
    assert created.json()["max_stay_days"] is None
    assert (created.json()["min_age"], created.json()["max_age"]) == (0, None)


async def test_a_retried_registration_with_the_same_idempotency_key_registers_once(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    await assert_created_once(
        housing,
        FACILITIES,
        {**FACILITY, "name": "Co-abitazione Gorla"},
        {**realm.headers("housing.ponte"), "Idempotency-Key": "facility-import-17"},
        other={"municipio": 3},
    )


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
        ("address", ""),
        ("address", "x" * 301),
        ("min_age", -1),
        ("min_age", "16"),
        ("max_age", 121),
        ("target_groups", []),
        ("target_groups", ["pets"]),
        ("target_groups", "young_adult"),
        ("sex_policy", "any"),
        ("sex_policy", None),
        ("accessible", "yes"),
        ("accessible", None),
        ("max_stay_days", 0),
        ("max_stay_days", 1.5),
    ],
)
async def test_each_invalid_field_is_refused_with_a_problem_naming_it(
    housing: httpx.AsyncClient, realm: Realm, field: str, value: Any
) -> None:
    response = await register_facility(housing, realm, **{field: value})
    problem = assert_problem(response, 422, "urn:lgnet:problem:validation-failed")
    assert {e["pointer"].split("/")[1] for e in problem["errors"]} == {field}


async def test_an_empty_age_range_is_refused(housing: httpx.AsyncClient, realm: Realm) -> None:
    response = await register_facility(housing, realm, min_age=18, max_age=17)
    problem = assert_problem(response, 422, "urn:lgnet:problem:invalid-age-range")
    assert [e["pointer"] for e in problem["errors"]] == ["#/max_age"]


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({**FACILITY, "capacity_beds": 12}, "#/capacity_beds"),
        ({k: v for k, v in FACILITY.items() if k != "address"}, "#/address"),
        ({**FACILITY, "operator_organisation": "coop-aurora"}, "#/operator_organisation"),
    ],
    ids=["unknown-field", "missing-field", "operator-from-the-token-only"],
)
async def test_unknown_and_missing_fields_are_refused(
    housing: httpx.AsyncClient, realm: Realm, payload: dict[str, Any], pointer: str
) -> None:
    response = await housing.post(FACILITIES, json=payload, headers=realm.headers("housing.ponte"))
    problem = assert_problem(response, 422)
    assert [e["pointer"] for e in problem["errors"]] == [pointer]


async def test_list_pages_through_every_facility_once(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    ids = {(await register_facility(housing, realm, municipio=4)).json()["id"] for _ in range(5)}
    await assert_listed_once(
        housing,
        FACILITIES,
        ids,
        headers=realm.headers("supervisor.aurora"),
        params={"municipio": 4},
    )


async def test_list_filters_by_kind_municipio_and_target_group(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    wanted = await register_facility(
        housing,
        realm,
        kind="co_housing",
        municipio=9,
        target_groups=["young_adult", "vulnerable_family"],
    )
    await register_facility(housing, realm, kind="co_housing", municipio=9, target_groups=["other"])
    await register_facility(
        housing, realm, kind="shelter", municipio=9, target_groups=["young_adult"]
    )
    await register_facility(
        housing, realm, kind="co_housing", municipio=3, target_groups=["young_adult"]
    )

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
    assert_problem(response, 404, "urn:lgnet:problem:facility-not-found")


async def test_a_token_is_needed(housing: httpx.AsyncClient) -> None:
    assert (await housing.get(FACILITIES)).status_code == 401
    assert (await housing.post(FACILITIES, json=FACILITY)).status_code == 401


async def test_a_case_worker_reads_but_may_not_register(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    refused = await register_facility(housing, realm, user="caseworker.aurora")
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
    assert (await register_facility(housing, realm, user=user)).status_code == 403
