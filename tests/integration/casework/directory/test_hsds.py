"""The service directory read as any HSDS 3.0 tool reads it: every answer validates against
HSDS 3.0's own schemas, with its paging and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api
from kit.testing.hsds import Hsds

pytestmark = pytest.mark.integration

D = api.DIRECTORY
COORDINATOR = "coordinator.comune"


async def _post(casework: httpx.AsyncClient, realm: Realm, kind: str, body: Any) -> dict[str, Any]:
    made = await casework.post(f"{D}/{kind}", json=body, headers=realm.headers(COORDINATOR))
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def _directory(casework: httpx.AsyncClient, realm: Realm) -> dict[str, Any]:
    """Two organisations of the network, their places in two Municipi, three services."""
    aurora = await _post(
        casework,
        realm,
        "organizations",
        api.organization_body(
            "coop-aurora",
            name="Cooperativa Aurora (sintetica)",
            contacts=[
                {
                    "title": "Sportello accoglienza",
                    "email": "accoglienza@example.org",
                    "phones": [{"number": "+39 02 0000 0002", "type": "voice"}],
                }
            ],
        ),
    )
    ponte = await _post(
        casework,
        realm,
        "organizations",
        api.organization_body("assoc-ponte", name="Associazione Ponte (sintetica)"),
    )
    via_padova = await _post(
        casework,
        realm,
        "locations",
        {
            "organization_id": aurora["id"],
            "location_type": "physical",
            "name": "Centro diurno via Padova",
            "municipio": 2,
            "address": {"address_1": "Via Padova 36", "postal_code": "20127"},
            "latitude": 45.4953,
            "longitude": 9.2243,
            "languages": [{"code": "it"}, {"code": "ar"}],
        },
    )
    online = await _post(
        casework,
        realm,
        "locations",
        {
            "organization_id": aurora["id"],
            "location_type": "virtual",
            "url": "https://example.org/sportello-online",
        },
    )
    orientation = await _post(
        casework,
        realm,
        "services",
        api.service_body(
            aurora["id"],
            name="Orientamento al lavoro (sintetico)",
            contacts=[{"department": "Orientamento", "email": "lavoro@example.org"}],
            phones=[{"number": "+39 02 0000 0003", "extension": 12}],
            schedules=[
                {
                    "freq": "WEEKLY",
                    "byday": "MO,TU,WE,TH",
                    "opens_at": "09:00",
                    "closes_at": "12:00",
                    "valid_from": "2026-09-01",
                    "valid_to": "2027-07-31",
                    "description": "Monday to Thursday, 9-12",
                },
                {"freq": "MONTHLY", "byday": "1SA", "opens_at": "10:00", "closes_at": "13:00"},
            ],
        ),
    )
    italian = await _post(
        casework,
        realm,
        "services",
        api.service_body(
            ponte["id"],
            name="Corso di italiano L2 (sintetico)",
            minimum_age=14,
            maximum_age=None,
            languages=[{"code": "it"}, {"code": "prs", "name": "Dari"}],
        ),
    )
    closed = await _post(
        casework,
        realm,
        "services",
        api.service_body(ponte["id"], name="Doposcuola (sintetico)", status="temporarily closed"),
    )
    at_padova = await _post(
        casework,
        realm,
        "service_at_locations",
        {
            "service_id": orientation["id"],
            "location_id": via_padova["id"],
            "schedules": [
                {"freq": "WEEKLY", "byday": "FR", "opens_at": "14:00", "closes_at": "17:00"}
            ],
        },
    )
    return {
        "aurora": aurora,
        "ponte": ponte,
        "via_padova": via_padova,
        "online": online,
        "orientation": orientation,
        "italian": italian,
        "closed": closed,
        "at_padova": at_padova,
    }


async def _get(
    casework: httpx.AsyncClient,
    realm: Realm,
    path: str,
    user: str = "caseworker.aurora",
    **params: Any,
) -> Any:
    answer = await casework.get(f"{D}{path}", params=params, headers=realm.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_every_answer_validates_against_hsds_3_0(
    casework: httpx.AsyncClient, realm: Realm, hsds: Hsds
) -> None:
    made = await _directory(casework, realm)
    meta = await _get(casework, realm, "/")
    hsds.response(meta, "/")
    assert meta["version"] == "3.0"

    service = await _get(casework, realm, f"/services/{made['orientation']['id']}")
    hsds.response(service, "/services/{id}")
    hsds.object(service, "service.json")
    assert service["organization"]["name"] == "Cooperativa Aurora (sintetica)"
    assert [lang["code"] for lang in service["languages"]] == ["it", "ar", "ti"]
    assert [s["byday"] for s in service["schedules"]] == ["MO,TU,WE,TH", "1SA"]
    assert service["eligibility_description"]
    assert service["minimum_age"] == 16
    (at_padova,) = service["service_at_locations"]
    assert at_padova["location"]["addresses"][0]["region"] == "Municipio 2"
    assert at_padova["schedules"][0]["byday"] == "FR"
    assert (
        "null"
        not in (
            await casework.get(f"{D}/services/{service['id']}", headers=realm.headers(COORDINATOR))
        ).text
    )

    for path, params in (
        ("/services", {}),
        ("/services", {"full": "true"}),
        ("/services", {"minimal": "true"}),
        ("/organizations", {}),
        ("/organizations", {"full": "true"}),
        ("/service_at_locations", {}),
        ("/taxonomies", {}),
        ("/taxonomy_terms", {}),
    ):
        page = await _get(casework, realm, path, **params)
        hsds.response(page, path)
        if params.get("full"):
            kind = "service.json" if path == "/services" else "organization.json"
            for item in page["contents"]:
                hsds.object(item, kind)

    organization = await _get(
        casework, realm, f"/organizations/{made['aurora']['id']}", full_service="true"
    )
    hsds.response(organization, "/organizations/{id}")
    hsds.object(organization, "organization.json")
    for offered in organization["services"]:
        hsds.object(offered, "service.json")
    assert organization["organization_identifiers"][0]["identifier"] == "coop-aurora"
    assert organization["organization_identifiers"][0]["identifier_scheme"] == "LGNET"
    assert {p["location_type"] for p in organization["locations"]} == {"physical", "virtual"}
    assert organization["contacts"][0]["phones"][0]["number"] == "+39 02 0000 0002"

    pair = await _get(casework, realm, f"/service_at_locations/{made['at_padova']['id']}")
    hsds.object(pair, "service_at_location.json")
    assert pair["location"]["id"] == made["via_padova"]["id"]
    assert pair["service"]["id"] == made["orientation"]["id"]

    place = await _get(casework, realm, f"/locations/{made['via_padova']['id']}")
    hsds.object(place, "location.json")


async def test_pages_and_filters_as_hsds_defines_them(
    casework: httpx.AsyncClient, realm: Realm, hsds: Hsds
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    made = await _directory(casework, realm)
    ponte = made["ponte"]["id"]

    first = await _get(casework, realm, "/services", organization_id=ponte, per_page=1)
    hsds.response(first, "/services")
    assert (first["total_items"], first["total_pages"], first["size"]) == (2, 2, 1)
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    second = await _get(casework, realm, "/services", organization_id=ponte, per_page=1, page=2)
    assert (second["page_number"], second["last_page"]) == (2, True)
    names = [first["contents"][0]["name"], second["contents"][0]["name"]]
    assert names == ["Corso di italiano L2 (sintetico)", "Doposcuola (sintetico)"]  # by name
    beyond = await _get(casework, realm, "/services", organization_id=ponte, page=9)
    assert (beyond["contents"], beyond["size"], beyond["empty"]) == ([], 0, False)

    found = await _get(casework, realm, "/services", search="ITALIANO", organization_id=ponte)
    assert [s["id"] for s in found["contents"]] == [made["italian"]["id"]]
    recent = await _get(
        casework, realm, "/services", modified_after=before.isoformat(), organization_id=ponte
    )
    assert recent["total_items"] == 2
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    none = await _get(casework, realm, "/services", modified_after=later)
    assert (none["total_items"], none["empty"], none["contents"]) == (0, True, [])
    hsds.response(none, "/services")
    minimal = await _get(casework, realm, "/services", organization_id=ponte, minimal="true")
    assert set(minimal["contents"][0]) == {"id", "name", "status", "last_modified"}
    unclassified = await _get(casework, realm, "/services", taxonomy_term_id="housing")
    assert unclassified["total_items"] == 0

    pairs = await _get(
        casework, realm, "/service_at_locations", organization_id=made["aurora"]["id"]
    )
    assert [p["id"] for p in pairs["contents"]] == [made["at_padova"]["id"]]

    for params in (
        {"page": "0"},
        {"per_page": "500"},
        {"per_page": "abc"},
        {"page": "1.5"},
        {"modified_after": "2026-01-01T10:00:00"},  # no zone
        {"organization_id": "not-a-uuid"},
        {"format": "ndjson"},
    ):
        bad = await casework.get(f"{D}/services", params=params, headers=realm.headers(COORDINATOR))
        assert bad.status_code == 422, (params, bad.text)
        assert bad.headers["content-type"] == "application/problem+json"
    unknown = await casework.get(
        f"{D}/services", params={"zip": "20127"}, headers=realm.headers(COORDINATOR)
    )
    assert unknown.status_code == 400


async def test_unknown_entries_are_404_and_every_role_but_auditors_reads(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for path in ("services", "organizations", "service_at_locations", "locations"):
        answer = await casework.get(f"{D}/{path}/{missing}", headers=realm.headers(COORDINATOR))
        assert answer.status_code == 404, path
        assert answer.json()["type"] == "urn:lgnet:problem:directory-entry-not-found"
    for user in ("intake.ponte", "housing.ponte", "organizer.ponte", "analyst.comune"):
        assert (await casework.get(f"{D}/services", headers=realm.headers(user))).status_code == 200
    refused = await casework.get(f"{D}/services", headers=realm.headers("auditor.comune"))
    assert refused.status_code == 403
