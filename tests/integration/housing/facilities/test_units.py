"""A facility's units and its changes through housing's API: beds are counted from the units,
and only the organisation that runs a facility (or a Comune coordinator) changes it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.housing import FACILITIES, FACILITY, UNIT, register_facility, units_of
from kit.testing.resources import assert_created, assert_problem
from kit.testing.services import rolled_back_per_test

pytestmark = pytest.mark.integration
_rolled_back = rolled_back_per_test("housing")

OPERATOR = "housing.ponte"


async def _facility(housing: httpx.AsyncClient, realm: Realm, **changes: Any) -> dict[str, Any]:
    created = await register_facility(housing, realm, **changes)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def _add(
    housing: httpx.AsyncClient,
    realm: Realm,
    facility: dict[str, Any],
    user: str = OPERATOR,
    **unit: Any,
) -> httpx.Response:
    return await housing.post(
        units_of(facility), json={**UNIT, **unit}, headers=realm.headers(user)
    )


async def _patch(
    housing: httpx.AsyncClient, realm: Realm, path: str, body: Any, user: str = OPERATOR
) -> httpx.Response:
    headers = realm.headers(user)
    etag = (await housing.get(path, headers=headers)).headers["ETag"]
    return await housing.patch(path, json=body, headers={**headers, "If-Match": etag})


async def test_a_facility_s_beds_are_its_units(housing: httpx.AsyncClient, realm: Realm) -> None:
    facility = await _facility(housing, realm)
    room = assert_created(await _add(housing, realm, facility), units_of(facility))
    assert (room["beds"], room["letting"], room["free_beds"]) == (4, "by_bed", 4)
    flat = assert_created(
        await _add(housing, realm, facility, label="Flat A", beds=3, letting="whole"),
        units_of(facility),
    )
    assert flat["facility_id"] == facility["id"]

    path = f"{FACILITIES}/{facility['id']}"
    counted = (await housing.get(path, headers=realm.headers("caseworker.aurora"))).json()
    assert (counted["units"], counted["capacity_beds"], counted["free_beds"]) == (2, 7, 7)
    listed = await housing.get(units_of(facility), headers=realm.headers("supervisor.aurora"))
    assert [u["id"] for u in listed.json()] == [room["id"], flat["id"]]
    one = await housing.get(f"{units_of(facility)}/{flat['id']}", headers=realm.headers(OPERATOR))
    assert one.headers["ETag"] == '"1"'
    assert one.json() == flat


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("label", ""),
        ("label", "x" * 101),
        ("beds", 0),
        ("beds", 51),
        ("beds", "4"),
        ("letting", "room"),
        ("accessible", None),
    ],
)
async def test_each_invalid_unit_field_is_refused(
    housing: httpx.AsyncClient, realm: Realm, field: str, value: Any
) -> None:
    facility = await _facility(housing, realm)
    problem = assert_problem(
        await _add(housing, realm, facility, **{field: value}),
        422,
        "urn:lgnet:problem:validation-failed",
    )
    assert {e["pointer"].split("/")[1] for e in problem["errors"]} == {field}
    unknown = await _add(housing, realm, facility, free_beds=4)
    assert [e["pointer"] for e in assert_problem(unknown, 422)["errors"]] == ["#/free_beds"]


async def test_only_the_operator_or_a_coordinator_adds_and_changes(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    comune = await housing.post(
        FACILITIES,
        json={**FACILITY, "name": "Casa comunale", "sex_policy": "family", "min_age": 0},
        headers=realm.headers("coordinator.comune"),
    )
    assert comune.status_code == 201, comune.text
    theirs = comune.json()
    refused = await _add(housing, realm, theirs)
    assert_problem(refused, 403, "urn:lgnet:problem:not-operating-the-facility")
    by_worker = await _add(housing, realm, theirs, user="caseworker.aurora")
    assert_problem(by_worker, 403, "urn:lgnet:problem:role-required")
    path = f"{FACILITIES}/{theirs['id']}"
    not_theirs = await _patch(housing, realm, path, {"name": "Renamed"})
    assert_problem(not_theirs, 403, "urn:lgnet:problem:not-operating-the-facility")

    # a Comune coordinator changes any facility, the association's too
    ours = await _facility(housing, realm)
    added = await _add(housing, realm, ours, user="coordinator.comune")
    assert added.status_code == 201, added.text
    renamed = await _patch(
        housing, realm, f"{FACILITIES}/{ours['id']}", {"name": "Renamed"}, "coordinator.comune"
    )
    assert renamed.status_code == 200, renamed.text


async def test_a_facility_changes_only_in_the_fields_given(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    facility = await _facility(housing, realm)
    path = f"{FACILITIES}/{facility['id']}"
    headers = realm.headers(OPERATOR)
    missing = await housing.patch(path, json={"name": "Rifugio Nord"}, headers=headers)
    assert_problem(missing, 428)
    stale = await housing.patch(
        path, json={"name": "Rifugio Nord"}, headers={**headers, "If-Match": '"7"'}
    )
    assert_problem(stale, 412)

    changed = await _patch(
        housing,
        realm,
        path,
        {"name": "Rifugio Nord", "target_groups": ["young_adult"], "max_age": None},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    body = changed.json()
    assert (body["name"], body["target_groups"], body["max_age"]) == (
        "Rifugio Nord",
        ["young_adult"],
        None,
    )
    assert (body["min_age"], body["sex_policy"], body["municipio"]) == (16, "male", 8)
    again = await _patch(housing, realm, path, {"target_groups": ["young_adult", "other"]})
    assert again.json()["target_groups"] == ["young_adult", "other"]
    nothing = await _patch(housing, realm, path, {})
    assert nothing.status_code == 200
    assert nothing.headers["ETag"] == '"3"'  # an empty patch makes no version


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_age": 10}, "max_age"),  # below the facility's min_age of 16
        ({"min_age": 30, "max_age": 20}, "max_age"),
        ({"name": None}, "name"),
        ({"min_age": None}, "min_age"),
        ({"target_groups": []}, "target_groups"),
        ({"kind": "hotel"}, "kind"),  # a facility's kind and Municipio do not change
        ({"municipio": 3}, "municipio"),
    ],
)
async def test_an_invalid_change_is_refused_and_changes_nothing(
    housing: httpx.AsyncClient, realm: Realm, body: dict[str, Any], field: str
) -> None:
    facility = await _facility(housing, realm)
    path = f"{FACILITIES}/{facility['id']}"
    problem = assert_problem(await _patch(housing, realm, path, body), 422)
    assert field in {e["pointer"].split("/")[1] for e in problem["errors"]}
    after = await housing.get(path, headers=realm.headers(OPERATOR))
    assert after.headers["ETag"] == '"1"'


async def test_a_unit_changes_under_its_etag(housing: httpx.AsyncClient, realm: Realm) -> None:
    facility = await _facility(housing, realm)
    unit = (await _add(housing, realm, facility)).json()
    path = f"{units_of(facility)}/{unit['id']}"
    changed = await _patch(housing, realm, path, {"beds": 6, "letting": "whole"})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert (changed.json()["beds"], changed.json()["letting"], changed.json()["label"]) == (
        6,
        "whole",
        "Room 1",
    )
    counted = await housing.get(f"{FACILITIES}/{facility['id']}", headers=realm.headers(OPERATOR))
    assert counted.json()["capacity_beds"] == 6
    assert_problem(await _patch(housing, realm, path, {"beds": None}), 422)
    assert_problem(await _patch(housing, realm, path, {"beds": 0}), 422)


async def test_unknown_facilities_and_units_are_404(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    facility = await _facility(housing, realm)
    other = await _facility(housing, realm)
    unit = (await _add(housing, realm, other)).json()
    headers = realm.headers(OPERATOR)
    elsewhere = await housing.get(f"{units_of(facility)}/{unit['id']}", headers=headers)
    assert_problem(elsewhere, 404, "urn:lgnet:problem:unit-not-found")
    nowhere = {"id": "6f1c1a8e-0000-4000-8000-000000000000"}
    assert_problem(
        await housing.get(units_of(nowhere), headers=headers),
        404,
        "urn:lgnet:problem:facility-not-found",
    )
    assert_problem(await _add(housing, realm, nowhere), 404, "urn:lgnet:problem:facility-not-found")
