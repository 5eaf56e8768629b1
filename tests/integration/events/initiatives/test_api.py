"""Initiatives through the events service's API, with real Keycloak tokens, PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.kafka import first_event_about
from kit.testing.pages import all_pages
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration

INITIATIVES = "/v1/initiatives"
INITIATIVE: dict[str, Any] = {
    "title": "Laboratorio di italiano per famiglie",
    "kind": "workshop",
    "audience": "both",
    "municipio": 7,
    "neighbourhood": "San Siro",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-15",
}


async def create(
    events: httpx.AsyncClient, realm: Realm, user: str = "organizer.ponte", **changes: Any
) -> httpx.Response:
    return await events.post(
        INITIATIVES, json={**INITIATIVE, **changes}, headers=realm.headers(user)
    )


async def test_a_created_initiative_can_be_read_by_every_reader(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create(events, realm)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organiser_organisation"] == "assoc-ponte"
    assert body["neighbourhood"] == "San Siro"
    assert (body["starts_on"], body["ends_on"]) == ("2026-12-01", "2026-12-15")
    assert created.headers["Location"] == f"{INITIATIVES}/{body['id']}"
    assert created.headers["ETag"] == '"1"'

    for reader in ("caseworker.aurora", "intake.aurora", "analyst.osservatorio"):
        fetched = await events.get(created.headers["Location"], headers=realm.headers(reader))
        assert fetched.status_code == 200, reader
        assert fetched.headers["ETag"] == '"1"'
        assert fetched.json() == body


async def test_a_coordinator_creates_a_one_day_initiative_without_a_neighbourhood(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    payload = {k: v for k, v in INITIATIVE.items() if k != "neighbourhood"}
    created = await events.post(
        INITIATIVES,
        json={**payload, "kind": "information_session", "ends_on": payload["starts_on"]},
        headers=realm.headers("coordinator.comune"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["organiser_organisation"] == "comune-milano"
    assert created.json()["neighbourhood"] is None


async def test_creation_is_published_with_a_payload_that_matches_its_contract(
    events: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await create(events, realm, kind="awareness_campaign", audience="public")
    initiative_id = created.json()["id"]

    event = await first_event_about(stack.kafka_bootstrap, TOPIC, initiative_id)
    contracts.validate(event)
    assert event.type == "lgnet.events.initiative.created"
    assert event.source == "/lgnet/events"
    assert event.subject == initiative_id
    assert event.organisation == "assoc-ponte"
    assert event.data == {
        "initiative_id": initiative_id,
        "kind": "awareness_campaign",
        "organiser_organisation": "assoc-ponte",
        "audience": "public",
        "municipio": 7,
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-15",
        "created_at": event.data["created_at"],
    }  # no free text: neither the title nor the neighbourhood's name


async def test_a_retried_create_with_the_same_idempotency_key_creates_once(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    headers = {**realm.headers("organizer.ponte"), "Idempotency-Key": "calendar-sync-2026-12"}
    payload = {**INITIATIVE, "title": "Incontro di quartiere", "kind": "meeting"}
    first = await events.post(INITIATIVES, json=payload, headers=headers)
    second = await events.post(INITIATIVES, json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"

    other = await events.post(INITIATIVES, json={**payload, "municipio": 6}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:lgnet:problem:idempotency-key-reused"


async def test_an_initiative_that_ends_before_it_starts_is_refused(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    response = await create(events, realm, starts_on="2026-12-15", ends_on="2026-12-01")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:initiative-ends-before-it-starts"
    assert [e["pointer"] for e in problem["errors"]] == ["#/ends_on"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 201),
        ("title", 42),
        ("kind", "party"),
        ("audience", "everyone"),
        ("municipio", 0),
        ("municipio", 10),
        ("municipio", "7"),
        ("neighbourhood", ""),
        ("neighbourhood", "x" * 101),
        ("starts_on", "2026-12-32"),
        ("starts_on", "01/12/2026"),
        ("starts_on", 1764547200),
        ("ends_on", "2026-12-15T18:00:00+01:00"),
        ("ends_on", None),
    ],
)
async def test_each_invalid_field_is_refused_with_a_problem_naming_it(
    events: httpx.AsyncClient, realm: Realm, field: str, value: Any
) -> None:
    response = await create(events, realm, **{field: value})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:lgnet:problem:validation-failed"
    assert {e["pointer"].split("/")[1] for e in problem["errors"]} == {field}


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({**INITIATIVE, "venue": "via Preneste 9"}, "#/venue"),
        ({k: v for k, v in INITIATIVE.items() if k != "starts_on"}, "#/starts_on"),
        ({**INITIATIVE, "organiser_organisation": "coop-aurora"}, "#/organiser_organisation"),
    ],
    ids=["unknown-field", "missing-field", "organiser-from-the-token-only"],
)
async def test_unknown_and_missing_fields_are_refused(
    events: httpx.AsyncClient, realm: Realm, payload: dict[str, Any], pointer: str
) -> None:
    response = await events.post(
        INITIATIVES, json=payload, headers=realm.headers("organizer.ponte")
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


async def test_list_pages_through_every_initiative_once(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    ids = {(await create(events, realm, municipio=5)).json()["id"] for _ in range(5)}
    listed = await all_pages(
        events,
        INITIATIVES,
        headers=realm.headers("analyst.comune"),
        limit=2,
        params={"municipio": 5},
    )
    seen = [item["id"] for item in listed]
    assert len(seen) == len(set(seen))
    assert ids <= set(seen)

    tampered = await events.get(
        f"{INITIATIVES}?cursor=not-a-cursor", headers=realm.headers("organizer.ponte")
    )
    assert tampered.status_code == 400


async def test_list_filters_by_kind_municipio_and_organiser(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    wanted = await create(events, realm, kind="civic_engagement", municipio=4)
    await create(events, realm, kind="civic_engagement", municipio=4, user="coordinator.comune")
    await create(events, realm, kind="workshop", municipio=4)
    await create(events, realm, kind="civic_engagement", municipio=2)

    response = await events.get(
        f"{INITIATIVES}?kind=civic_engagement&municipio=4&organiser=assoc-ponte&limit=200",
        headers=realm.headers("caseworker.ponte"),
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert wanted.json()["id"] in {item["id"] for item in items}
    for item in items:
        assert item["kind"] == "civic_engagement"
        assert item["municipio"] == 4
        assert item["organiser_organisation"] == "assoc-ponte"


@pytest.mark.parametrize("query", ["kind=party", "municipio=10", "organiser=Not%20An%20Alias"])
async def test_an_invalid_filter_is_a_problem(
    events: httpx.AsyncClient, realm: Realm, query: str
) -> None:
    response = await events.get(f"{INITIATIVES}?{query}", headers=realm.headers("organizer.ponte"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == query.split("=")[0]


async def test_an_unknown_initiative_is_a_404_problem(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    response = await events.get(
        f"{INITIATIVES}/6f1c1a8e-0000-4000-8000-000000000000",
        headers=realm.headers("organizer.ponte"),
    )
    assert response.status_code == 404
    assert response.json()["type"] == "urn:lgnet:problem:initiative-not-found"


async def test_a_token_is_needed(events: httpx.AsyncClient) -> None:
    assert (await events.get(INITIATIVES)).status_code == 401
    assert (await events.post(INITIATIVES, json=INITIATIVE)).status_code == 401


@pytest.mark.parametrize("user", ["caseworker.aurora", "intake.aurora", "analyst.comune"])
async def test_readers_who_may_not_create(
    events: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    refused = await create(events, realm, user=user)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:lgnet:problem:role-required"
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 200


@pytest.mark.parametrize("user", ["housing.ponte", "supervisor.aurora", "auditor.comune"])
async def test_other_roles_may_not_read(events: httpx.AsyncClient, realm: Realm, user: str) -> None:
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 403
