"""Keeping the directory: coordinators keep every entry, an organisation's case supervisors
their own; changes under If-Match; every bad request a problem."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api

pytestmark = pytest.mark.integration

D = api.DIRECTORY
COORDINATOR = "coordinator.comune"


async def _service(casework: httpx.AsyncClient, realm: Realm, network: str) -> dict[str, Any]:
    return await api.directory_service(casework, realm.headers(COORDINATOR), network)


async def test_a_supervisor_keeps_only_their_organisations_entries(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    # their own organisation: yes; another's: 403
    own = await casework.post(
        f"{D}/organizations",
        json=api.organization_body("coop-aurora"),
        headers=realm.headers("supervisor.aurora"),
    )
    assert own.status_code == 201, own.text
    assert own.headers["ETag"] == '"1"'
    assert own.headers["Location"] == f"{D}/organizations/{own.json()['id']}"
    for network in ("assoc-ponte", None):
        other = await casework.post(
            f"{D}/organizations",
            json=api.organization_body(network),
            headers=realm.headers("supervisor.aurora"),
        )
        assert other.status_code == 403, other.text
        assert other.json()["type"] == "urn:lgnet:problem:directory-entry-not-yours"

    offered = await casework.post(
        f"{D}/services",
        json=api.service_body(own.json()["id"]),
        headers=realm.headers("supervisor.aurora"),
    )
    assert offered.status_code == 201, offered.text
    path = f"{D}/services/{offered.json()['id']}"
    body = api.service_body(own.json()["id"], status="inactive")
    foreign = await api.change(
        casework, path, body, realm.headers("supervisor.ponte"), method="PUT"
    )
    assert foreign.status_code == 403
    # nor may a supervisor hand their organisation's entry to another organisation
    handed = await api.change(
        casework,
        f"{D}/organizations/{own.json()['id']}",
        api.organization_body("assoc-ponte"),
        realm.headers("supervisor.aurora"),
        method="PUT",
    )
    assert handed.status_code == 403
    kept = await api.change(casework, path, body, realm.headers("supervisor.aurora"), method="PUT")
    assert kept.status_code == 200, kept.text
    assert (kept.json()["status"], kept.headers["ETag"]) == ("inactive", '"2"')
    by_coordinator = await api.change(
        casework, path, api.service_body(own.json()["id"]), realm.headers(COORDINATOR), method="PUT"
    )
    assert by_coordinator.status_code == 200


async def test_case_workers_and_auditors_keep_nothing(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    for user in ("caseworker.aurora", "intake.aurora", "auditor.comune"):
        refused = await casework.post(
            f"{D}/organizations",
            json=api.organization_body("coop-aurora"),
            headers=realm.headers(user),
        )
        assert refused.status_code == 403, user


async def test_changes_need_the_current_version(casework: httpx.AsyncClient, realm: Realm) -> None:
    service = await _service(casework, realm, "coop-aurora")
    path = f"{D}/services/{service['id']}"
    body = api.service_body(service["organization_id"], name="Renamed (sintetico)")
    headers = realm.headers(COORDINATOR)
    missing = await casework.put(path, json=body, headers=headers)
    assert missing.status_code == 428
    stale = await casework.put(path, json=body, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    done = await casework.put(path, json=body, headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["name"] == "Renamed (sintetico)"
    again = await casework.put(path, json=body, headers={**headers, "If-Match": '"1"'})
    assert again.status_code == 412
    unknown = await casework.put(
        f"{D}/services/00000000-0000-4000-8000-000000000000",
        json=body,
        headers={**headers, "If-Match": '"1"'},
    )
    assert unknown.status_code == 404
    # the children are replaced with the entry
    read = (await casework.get(path, headers=headers)).json()
    assert [s["byday"] for s in read["schedules"]] == ["MO,TU,WE,TH"]
    assert len(read["languages"]) == 3


async def test_a_creation_is_done_once_per_idempotency_key(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    headers = {**realm.headers(COORDINATOR), "Idempotency-Key": "directory-org-1"}
    body = api.organization_body("assoc-ponte")
    first = await casework.post(f"{D}/organizations", json=body, headers=headers)
    replay = await casework.post(f"{D}/organizations", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    other = await casework.post(
        f"{D}/organizations", json={**body, "name": "Another"}, headers=headers
    )
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("change", "problem", "pointer"),
    [
        ({"schedules": [{"byday": "MO"}]}, "invalid-schedule", "/schedules/0/byday"),
        (
            {"schedules": [{"freq": "WEEKLY", "bymonthday": "1"}]},
            "invalid-schedule",
            "/schedules/0/bymonthday",
        ),
        (
            {"schedules": [{"freq": "WEEKLY", "byday": "1MO"}]},
            "invalid-schedule",
            "/schedules/0/byday",
        ),
        (
            {"schedules": [{"opens_at": "12:00", "closes_at": "09:00"}]},
            "invalid-schedule",
            "/schedules/0/closes_at",
        ),
        (
            {"schedules": [{"freq": "MONTHLY", "count": 3, "until": "2027-01-01"}]},
            "invalid-schedule",
            "/schedules/0/until",
        ),
        ({"schedules": [{"freq": "DAILY"}]}, "validation-failed", "/schedules/0/freq"),
        ({"schedules": [{"byday": "MONDAY"}]}, "validation-failed", "/schedules/0/byday"),
        ({"minimum_age": 18, "maximum_age": 16}, "invalid-age-range", "/maximum_age"),
        ({"minimum_age": 16.0}, "validation-failed", "/minimum_age"),
        ({"languages": [{"code": "xx"}]}, "validation-failed", "/languages/0/code"),
        ({"status": "closed"}, "validation-failed", "/status"),
        ({"name": "  "}, "validation-failed", "/name"),
        ({"email": "not-an-email"}, "validation-failed", "/email"),
        ({"eligibility": "minors"}, "validation-failed", "/eligibility"),
        (
            {"organization_id": "00000000-0000-4000-8000-000000000000"},
            "unknown-directory-entry",
            "/organization_id",
        ),
    ],
)
async def test_a_bad_service_is_a_422_naming_the_field(
    casework: httpx.AsyncClient,
    realm: Realm,
    change: dict[str, Any],
    problem: str,
    pointer: str,
) -> None:
    service = await _service(casework, realm, "coop-aurora")
    body = {**api.service_body(service["organization_id"]), **change}
    answer = await casework.post(f"{D}/services", json=body, headers=realm.headers(COORDINATOR))
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == f"urn:lgnet:problem:{problem}"
    assert f"#{pointer}" in {e["pointer"] for e in answer.json()["errors"]}, answer.json()


async def test_locations_and_service_at_locations(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    service = await _service(casework, realm, "assoc-ponte")
    headers = realm.headers(COORDINATOR)
    org = service["organization_id"]
    no_municipio = await casework.post(
        f"{D}/locations",
        json={
            "organization_id": org,
            "location_type": "physical",
            "address": {"address_1": "Via Giambellino 50", "postal_code": "20146"},
        },
        headers=headers,
    )
    assert no_municipio.status_code == 422
    outside = await casework.post(
        f"{D}/locations",
        json={
            "organization_id": org,
            "location_type": "physical",
            "municipio": 10,
            "address": {"address_1": "Via Giambellino 50", "postal_code": "20146"},
        },
        headers=headers,
    )
    assert outside.status_code == 422
    place = await casework.post(
        f"{D}/locations",
        json={
            "organization_id": org,
            "location_type": "physical",
            "municipio": 6,
            "address": {"address_1": "Via Giambellino 50", "postal_code": "20146"},
        },
        headers=headers,
    )
    assert place.status_code == 201, place.text
    assert place.json()["addresses"][0]["region"] == "Municipio 6"
    moved = await api.change(
        casework,
        f"{D}/locations/{place.json()['id']}",
        {"organization_id": org, "location_type": "virtual", "url": "https://example.org/x"},
        headers,
        method="PUT",
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["addresses"] == []

    pair = {"service_id": service["id"], "location_id": place.json()["id"]}
    made = await casework.post(f"{D}/service_at_locations", json=pair, headers=headers)
    assert made.status_code == 201, made.text
    twice = await casework.post(f"{D}/service_at_locations", json=pair, headers=headers)
    assert twice.status_code == 409
    unknown = await casework.post(
        f"{D}/service_at_locations",
        json={**pair, "location_id": "00000000-0000-4000-8000-000000000000"},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"] == "urn:lgnet:problem:unknown-directory-entry"
    hours = await api.change(
        casework,
        f"{D}/service_at_locations/{made.json()['id']}",
        {
            "schedules": [
                {"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}
            ]
        },
        headers,
        method="PUT",
    )
    assert hours.status_code == 200, hours.text
    assert hours.json()["schedules"][0]["byday"] == "SA"
    foreign = await api.change(
        casework,
        f"{D}/service_at_locations/{made.json()['id']}",
        {},
        realm.headers("supervisor.aurora"),
        method="PUT",
    )
    assert foreign.status_code == 403
