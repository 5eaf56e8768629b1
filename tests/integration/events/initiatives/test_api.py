"""Initiatives written, read and listed through the events service's API, with real Keycloak
tokens, PostgreSQL and Kafka. Their changes and life: test_lifecycle.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.initiatives import (
    INITIATIVE,
    INITIATIVES,
    create_initiative,
    publish_initiative,
)
from kit.testing.kafka import first_published
from kit.testing.resources import (
    assert_created,
    assert_created_once,
    assert_listed_once,
    assert_problem,
)
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration

UNKNOWN = f"{INITIATIVES}/6f1c1a8e-0000-4000-8000-000000000000"


async def test_a_created_initiative_is_a_draft_every_reader_reads(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    created = await create_initiative(events, realm, partner_organisations=["coop-aurora"])
    body = assert_created(created, INITIATIVES)
    assert (body["status"], body["version"]) == ("draft", 1)
    assert body["organiser_organisation"] == "assoc-ponte"
    assert body["partner_organisations"] == ["coop-aurora"]
    assert body["created_by"] == realm.subject("organizer.ponte")
    assert (body["title"], body["description"]) == (INITIATIVE["title"], INITIATIVE["description"])
    assert body["translations"] == {
        "en": {"title": "Italian workshop for families", "description": None},
        "ar": {"title": INITIATIVE["translations"]["ar"]["title"], "description": None},
    }
    assert (body["topics"], body["neighbourhood"]) == (["lingua-italiana", "famiglie"], "San Siro")
    assert (body["starts_on"], body["ends_on"]) == ("2026-12-01", "2026-12-15")
    assert (body["published_at"], body["ended_at"]) == (None, None)

    for reader in ("caseworker.aurora", "intake.aurora", "analyst.osservatorio"):
        fetched = await events.get(created.headers["Location"], headers=realm.headers(reader))
        assert fetched.status_code == 200, reader
        assert fetched.headers["ETag"] == '"1"'
        assert fetched.json() == body


async def test_a_coordinator_writes_a_one_day_initiative_with_what_is_required_alone(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    required = ("title", "kind", "audience", "municipio", "starts_on")
    payload = {name: INITIATIVE[name] for name in required}
    created = await events.post(
        INITIATIVES,
        json={**payload, "kind": "information_session", "ends_on": payload["starts_on"]},
        headers=realm.headers("coordinator.comune"),
    )
    body = assert_created(created, INITIATIVES)
    assert body["organiser_organisation"] == "comune-milano"
    assert (body["description"], body["neighbourhood"]) == (None, None)
    assert (body["translations"], body["topics"], body["partner_organisations"]) == ({}, [], [])


async def test_creation_is_published_with_a_payload_that_matches_its_contract(
    events: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await create_initiative(
        events,
        realm,
        kind="civic_engagement_project",
        audience="public",
        partner_organisations=["coop-aurora"],
    )
    initiative_id = created.json()["id"]

    event = await first_published(
        stack.kafka_bootstrap,
        TOPIC,
        initiative_id,
        type_="lgnet.events.initiative.created",
        source="/lgnet/events",
        organisation="assoc-ponte",
    )
    assert event.dataschema == "urn:lgnet:event:lgnet.events.initiative.created:v2"
    assert event.data == {
        "initiative_id": initiative_id,
        "version": 1,
        "kind": "civic_engagement_project",
        "status": "draft",
        "organiser_organisation": "assoc-ponte",
        "partner_organisations": ["coop-aurora"],
        "audience": "public",
        "topics": ["lingua-italiana", "famiglie"],
        "languages": ["ar", "en", "it"],
        "municipio": 7,
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-15",
        "created_at": event.data["created_at"],
    }  # no free text: neither the title, the description nor the neighbourhood's name


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


async def test_the_organiser_is_not_among_its_own_partners(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    response = await create_initiative(
        events, realm, partner_organisations=["coop-aurora", "assoc-ponte"]
    )
    problem = assert_problem(response, 422, "urn:lgnet:problem:organiser-among-partners")
    assert [e["pointer"] for e in problem["errors"]] == ["#/partner_organisations"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 201),
        ("title", 42),
        ("description", ""),
        ("description", "x" * 4001),
        ("translations", {"it": {"title": "Laboratorio"}}),
        ("translations", {"eng": {"title": "Workshop"}}),
        ("translations", {"en": {"description": "No title"}}),
        ("translations", ["en"]),
        ("kind", "party"),
        ("kind", "civic_engagement"),  # its name until API 1.7.0
        ("audience", "everyone"),
        ("topics", ["Lingua"]),
        ("topics", "lavoro"),
        ("topics", [f"topic-{i}" for i in range(11)]),
        ("partner_organisations", ["Coop Aurora"]),
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
        ({**INITIATIVE, "status": "published"}, "#/status"),
    ],
    ids=["unknown-field", "missing-field", "organiser-from-the-token-only", "drafts-only"],
)
async def test_unknown_and_missing_fields_are_refused(
    events: httpx.AsyncClient, realm: Realm, payload: dict[str, Any], pointer: str
) -> None:
    response = await events.post(
        INITIATIVES, json=payload, headers=realm.headers("organizer.ponte")
    )
    problem = assert_problem(response, 422)
    assert [e["pointer"] for e in problem["errors"]] == [pointer]


async def test_a_body_that_is_not_json_is_a_400(events: httpx.AsyncClient, realm: Realm) -> None:
    response = await events.post(
        INITIATIVES,
        content=b'{"title": ',
        headers={**realm.headers("organizer.ponte"), "Content-Type": "application/json"},
    )
    assert_problem(response, 400)


async def test_list_pages_through_every_initiative_once(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    ids = {(await create_initiative(events, realm, municipio=5)).json()["id"] for _ in range(5)}
    await assert_listed_once(
        events, INITIATIVES, ids, headers=realm.headers("analyst.comune"), params={"municipio": 5}
    )


async def _listed(events: httpx.AsyncClient, realm: Realm, **params: Any) -> list[dict[str, Any]]:
    response = await events.get(
        INITIATIVES, params={**params, "limit": 200}, headers=realm.headers("caseworker.ponte")
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_list_filters_by_kind_municipio_and_organiser(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    kind = "civic_engagement_project"
    wanted = await create_initiative(events, realm, kind=kind, municipio=4)
    await create_initiative(events, realm, kind=kind, municipio=4, user="coordinator.comune")
    await create_initiative(events, realm, kind="workshop", municipio=4)
    await create_initiative(events, realm, kind=kind, municipio=2)

    items = await _listed(events, realm, kind=kind, municipio=4, organiser="assoc-ponte")
    assert wanted.json()["id"] in {item["id"] for item in items}
    for item in items:
        assert (item["kind"], item["municipio"]) == (kind, 4)
        assert item["organiser_organisation"] == "assoc-ponte"


async def test_list_filters_by_status_audience_topic_and_partner(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    topic = "orti-urbani"
    draft = (await create_initiative(events, realm, topics=[topic], audience="public")).json()
    published = await publish_initiative(
        events,
        realm,
        topics=["casa", topic],
        audience="public",
        partner_organisations=["coop-aurora"],
    )
    await create_initiative(events, realm, topics=["orti"], audience="public")  # a prefix only
    await create_initiative(events, realm, topics=[topic], audience="beneficiaries")

    by_topic = await _listed(events, realm, topic=topic, audience="public")
    assert [item["id"] for item in by_topic] == [published["id"], draft["id"]]
    by_status = await _listed(events, realm, topic=topic, status="published")
    assert [item["id"] for item in by_status] == [published["id"]]
    by_partner = await _listed(events, realm, partner="coop-aurora", topic=topic)
    assert [item["id"] for item in by_partner] == [published["id"]]
    assert await _listed(events, realm, partner="assoc-ponte", topic=topic) == []


@pytest.mark.parametrize(
    "query",
    [
        "kind=party",
        "municipio=10",
        "organiser=Not%20An%20Alias",
        "status=open",
        "audience=everyone",
        "topic=Orti%20Urbani",
        "partner=-aurora",
    ],
)
async def test_an_invalid_filter_is_a_problem(
    events: httpx.AsyncClient, realm: Realm, query: str
) -> None:
    response = await events.get(f"{INITIATIVES}?{query}", headers=realm.headers("organizer.ponte"))
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["parameter"] == query.split("=")[0]


async def test_an_unknown_filter_is_a_400(events: httpx.AsyncClient, realm: Realm) -> None:
    response = await events.get(
        f"{INITIATIVES}?stauts=draft", headers=realm.headers("organizer.ponte")
    )
    assert_problem(response, 400, "urn:lgnet:problem:unknown-query-parameter")


async def test_an_unknown_initiative_is_a_404_problem(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    response = await events.get(UNKNOWN, headers=realm.headers("organizer.ponte"))
    assert_problem(response, 404, "urn:lgnet:problem:initiative-not-found")


async def test_a_token_is_needed(events: httpx.AsyncClient) -> None:
    assert (await events.get(INITIATIVES)).status_code == 401
    assert (await events.get(UNKNOWN)).status_code == 401
    assert (await events.post(INITIATIVES, json=INITIATIVE)).status_code == 401


@pytest.mark.parametrize("user", ["caseworker.aurora", "intake.aurora", "analyst.comune"])
async def test_readers_who_may_not_create(
    events: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    refused = await create_initiative(events, realm, user=user)
    assert_problem(refused, 403, "urn:lgnet:problem:role-required")
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 200


@pytest.mark.parametrize("user", ["housing.ponte", "supervisor.aurora", "auditor.comune"])
async def test_other_roles_may_not_read(events: httpx.AsyncClient, realm: Realm, user: str) -> None:
    assert (await events.get(INITIATIVES, headers=realm.headers(user))).status_code == 403
    assert (await events.get(UNKNOWN, headers=realm.headers(user))).status_code == 403
