"""Initiatives through the events service's API, with real Keycloak tokens, PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.initiatives import INITIATIVE, INITIATIVES, create_initiative
from kit.testing.kafka import first_published
from kit.testing.resources import (
    assert_created,
    assert_created_once,
    assert_listed_once,
    assert_problem,
)
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration


async def test_a_created_initiative_can_be_read_by_every_reader(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create_initiative(events, realm)
    body = assert_created(created, INITIATIVES)
    assert body["organiser_organisation"] == "assoc-ponte"
    assert body["neighbourhood"] == "San Siro"
    assert (body["starts_on"], body["ends_on"]) == ("2026-12-01", "2026-12-15")

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
    created = await create_initiative(events, realm, kind="awareness_campaign", audience="public")
    initiative_id = created.json()["id"]

    event = await first_published(
        stack.kafka_bootstrap,
        TOPIC,
        initiative_id,
        type_="lgnet.events.initiative.created",
        source="/lgnet/events",
        organisation="assoc-ponte",
    )
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
    await assert_created_once(
        events,
        INITIATIVES,
        {**INITIATIVE, "title": "Incontro di quartiere", "kind": "meeting"},
        {**realm.headers("organizer.ponte"), "Idempotency-Key": "calendar-sync-2026-12"},
        other={"municipio": 6},
    )


async def test_an_initiative_that_ends_before_it_starts_is_refused(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    response = await create_initiative(events, realm, starts_on="2026-12-15", ends_on="2026-12-01")
    problem = assert_problem(response, 422, "urn:lgnet:problem:initiative-ends-before-it-starts")
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
    response = await create_initiative(events, realm, **{field: value})
    problem = assert_problem(response, 422, "urn:lgnet:problem:validation-failed")
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
    problem = assert_problem(response, 422)
    assert [e["pointer"] for e in problem["errors"]] == [pointer]


async def test_list_pages_through_every_initiative_once(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    ids = {(await create_initiative(events, realm, municipio=5)).json()["id"] for _ in range(5)}
    await assert_listed_once(
        events, INITIATIVES, ids, headers=realm.headers("analyst.comune"), params={"municipio": 5}
    )


async def test_list_filters_by_kind_municipio_and_organiser(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    wanted = await create_initiative(events, realm, kind="civic_engagement", municipio=4)
    await create_initiative(
        events, realm, kind="civic_engagement", municipio=4, user="coordinator.comune"
    )
    await create_initiative(events, realm, kind="workshop", municipio=4)
    await create_initiative(events, realm, kind="civic_engagement", municipio=2)

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
    assert_problem(response, 404, "urn:lgnet:problem:initiative-not-found")


async def test_a_token_is_needed(events: httpx.AsyncClient) -> None:
    assert (await events.get(INITIATIVES)).status_code == 401
    assert (await events.post(INITIATIVES, json=INITIATIVE)).status_code == 401


@pytest.mark.parametrize("user", ["caseworker.aurora", "intake.aurora", "analyst.comune"])
async def test_readers_who_may_not_create(
    events: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    refused = await create_initiative(events, realm, user=user)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:lgnet:problem:role-required"
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 200


@pytest.mark.parametrize("user", ["housing.ponte", "supervisor.aurora", "auditor.comune"])
async def test_other_roles_may_not_read(events: httpx.AsyncClient, realm: Realm, user: str) -> None:
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 403
