"""An initiative's changes and life through the events service's API: draft, published,
completed or cancelled, each under its ETag and by its organiser or a Comune coordinator, and
each told by an event without free text."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.initiatives import (
    INITIATIVES,
    ORGANISER,
    create_initiative,
    initiative_at,
    publish_initiative,
    step_initiative,
)
from kit.testing.kafka import events_about
from kit.testing.resources import assert_problem
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration

STEPS = ("publication", "completion", "cancellation")
ILLEGAL = "urn:lgnet:problem:illegal-initiative-transition"
ENDED = "urn:lgnet:problem:initiative-ended"
NOT_ORGANISING = "urn:lgnet:problem:not-organising-the-initiative"


async def _draft(
    events: httpx.AsyncClient, realm: Realm, user: str = ORGANISER, **changes: Any
) -> dict[str, Any]:
    created = await create_initiative(events, realm, user=user, **changes)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def _patch(
    events: httpx.AsyncClient,
    realm: Realm,
    initiative: dict[str, Any],
    body: Any,
    user: str = ORGANISER,
) -> httpx.Response:
    path, headers = initiative_at(initiative), realm.headers(user)
    etag = (await events.get(path, headers=headers)).headers["ETag"]
    return await events.patch(path, json=body, headers={**headers, "If-Match": etag})


async def _step(
    events: httpx.AsyncClient,
    realm: Realm,
    initiative: dict[str, Any],
    step: str,
    user: str = ORGANISER,
) -> httpx.Response:
    return await step_initiative(events, realm, initiative["id"], step, user)


async def _etag(events: httpx.AsyncClient, realm: Realm, initiative: dict[str, Any]) -> str:
    got = await events.get(initiative_at(initiative), headers=realm.headers(ORGANISER))
    return got.headers["ETag"]


async def test_an_initiative_changes_only_in_the_fields_given(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    draft = await _draft(events, realm)
    changed = await _patch(
        events,
        realm,
        draft,
        {
            "title": " Laboratorio di italiano ",
            "description": None,
            "translations": {"fr": {"title": "Atelier d'italien", "description": "Deux fois"}},
            "topics": ["lingua-italiana", "lavoro", "lavoro"],
            "partner_organisations": ["coop-aurora"],
            "audience": "beneficiaries",
            "municipio": 6,
            "neighbourhood": None,
            "ends_on": "2026-12-20",
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    body = changed.json()
    assert (body["title"], body["description"], body["neighbourhood"]) == (
        "Laboratorio di italiano",
        None,
        None,
    )
    assert body["translations"] == {
        "fr": {"title": "Atelier d'italien", "description": "Deux fois"}
    }
    assert (body["topics"], body["partner_organisations"]) == (
        ["lingua-italiana", "lavoro"],
        ["coop-aurora"],
    )
    assert (body["audience"], body["municipio"]) == ("beneficiaries", 6)
    assert (body["starts_on"], body["ends_on"]) == ("2026-12-01", "2026-12-20")
    assert (body["kind"], body["status"], body["version"]) == ("workshop", "draft", 2)
    assert body["updated_at"] > draft["updated_at"]
    assert body["created_at"] == draft["created_at"]
    read = await events.get(initiative_at(draft), headers=realm.headers("caseworker.aurora"))
    assert read.json() == body

    same = await _patch(
        events, realm, draft, {"municipio": 6, "topics": ["lingua-italiana", "lavoro"]}
    )
    assert same.status_code == 200
    assert same.headers["ETag"] == '"2"'  # nothing changed: no new version
    assert (await _patch(events, realm, draft, {})).headers["ETag"] == '"2"'


async def test_a_change_needs_the_current_etag(events: httpx.AsyncClient, realm: Realm) -> None:
    draft = await _draft(events, realm)
    path, headers = initiative_at(draft), realm.headers(ORGANISER)
    missing = await events.patch(path, json={"municipio": 3}, headers=headers)
    assert_problem(missing, 428, "urn:lgnet:problem:precondition-required")
    stale = await events.patch(path, json={"municipio": 3}, headers={**headers, "If-Match": '"7"'})
    assert assert_problem(stale, 412)["current_etag"] == '"1"'
    for step in STEPS:
        post = f"{path}/{step}"
        assert_problem(await events.post(post, headers=headers), 428)
        assert_problem(await events.post(post, headers={**headers, "If-Match": '"2"'}), 412)
    assert await _etag(events, realm, draft) == '"1"'


@pytest.mark.parametrize(
    ("body", "field", "type_"),
    [
        ({"ends_on": "2026-11-30"}, "ends_on", "initiative-ends-before-it-starts"),
        ({"starts_on": "2026-12-16"}, "ends_on", "initiative-ends-before-it-starts"),
        (
            {"partner_organisations": ["assoc-ponte"]},
            "partner_organisations",
            "organiser-among-partners",
        ),
        ({"title": None}, "title", "validation-failed"),
        ({"title": "  "}, "title", "validation-failed"),
        ({"translations": None}, "translations", "validation-failed"),
        ({"translations": {"it": {"title": "x"}}}, "translations", "validation-failed"),
        ({"topics": ["Casa"]}, "topics", "validation-failed"),
        ({"audience": None}, "audience", "validation-failed"),
        ({"municipio": 12}, "municipio", "validation-failed"),
        ({"kind": "meeting"}, "kind", "validation-failed"),  # its kind does not change
        ({"status": "published"}, "status", "validation-failed"),  # nor its status, so
        ({"organiser_organisation": "coop-aurora"}, "organiser_organisation", "validation-failed"),
    ],
)
async def test_an_invalid_change_is_refused_and_changes_nothing(
    events: httpx.AsyncClient, realm: Realm, body: dict[str, Any], field: str, type_: str
) -> None:
    draft = await _draft(events, realm)
    problem = assert_problem(
        await _patch(events, realm, draft, body), 422, f"urn:lgnet:problem:{type_}"
    )
    assert {e["pointer"].split("/")[1] for e in problem["errors"]} == {field}
    assert await _etag(events, realm, draft) == '"1"'


async def test_a_body_that_is_not_an_object_or_not_json_is_refused(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    draft = await _draft(events, realm)
    headers = {**realm.headers(ORGANISER), "If-Match": '"1"', "Content-Type": "application/json"}
    assert_problem(await events.patch(initiative_at(draft), content=b"{", headers=headers), 400)
    assert_problem(await events.patch(initiative_at(draft), json=["title"], headers=headers), 422)


async def test_a_draft_is_published_then_completed_and_then_changes_no_more(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    draft = await _draft(events, realm)
    assert_problem(await _step(events, realm, draft, "completion"), 409, ILLEGAL)

    published = await _step(events, realm, draft, "publication")
    assert published.status_code == 200, published.text
    assert published.headers["ETag"] == '"2"'
    body = published.json()
    assert (body["status"], body["version"], body["ended_at"]) == ("published", 2, None)
    assert body["published_at"] == body["updated_at"]
    assert_problem(await _step(events, realm, draft, "publication"), 409, ILLEGAL)
    renamed = await _patch(events, realm, draft, {"title": "Laboratorio di lingua"})
    assert renamed.status_code == 200, renamed.text  # a published initiative still changes
    assert renamed.json()["status"] == "published"

    completed = await _step(events, realm, draft, "completion")
    assert completed.status_code == 200, completed.text
    ended = completed.json()
    assert (ended["status"], ended["version"]) == ("completed", 4)
    assert ended["published_at"] == body["published_at"]
    assert ended["ended_at"] == ended["updated_at"]

    for step in STEPS:
        assert_problem(await _step(events, realm, draft, step), 409, ILLEGAL)
    assert_problem(await _patch(events, realm, draft, {"municipio": 2}), 409, ENDED)
    assert await _etag(events, realm, draft) == '"4"'


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
async def test_a_draft_or_a_published_initiative_is_cancelled(
    events: httpx.AsyncClient, realm: Realm, published: bool
) -> None:
    initiative = await (publish_initiative(events, realm) if published else _draft(events, realm))
    cancelled = await _step(events, realm, initiative, "cancellation")
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled"
    assert body["ended_at"] == body["updated_at"]
    assert (body["published_at"] is not None) is published
    for step in STEPS:
        assert_problem(await _step(events, realm, initiative, step), 409, ILLEGAL)
    assert_problem(await _patch(events, realm, initiative, {"topics": []}), 409, ENDED)


async def test_a_partner_runs_but_does_not_change_the_initiative(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    comune = await _draft(
        events, realm, user="coordinator.comune", partner_organisations=["assoc-ponte"]
    )
    assert comune["organiser_organisation"] == "comune-milano"
    refused = await _patch(events, realm, comune, {"municipio": 3})
    assert_problem(refused, 403, NOT_ORGANISING)
    for step in STEPS:
        assert_problem(await _step(events, realm, comune, step), 403, NOT_ORGANISING)
    assert await _etag(events, realm, comune) == '"1"'


async def test_a_coordinator_changes_and_ends_any_organiser_s_initiative(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    ponte = await _draft(events, realm)
    coordinator = "coordinator.comune"
    changed = await _patch(events, realm, ponte, {"municipio": 3}, user=coordinator)
    assert changed.status_code == 200, changed.text
    assert changed.json()["organiser_organisation"] == "assoc-ponte"  # the organiser stays
    assert (await _step(events, realm, ponte, "publication", coordinator)).status_code == 200
    assert (await _step(events, realm, ponte, "cancellation", coordinator)).status_code == 200


@pytest.mark.parametrize("user", ["caseworker.aurora", "intake.ponte", "analyst.comune"])
async def test_readers_who_may_not_change(
    events: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    draft = await _draft(events, realm)
    headers = {**realm.headers(user), "If-Match": '"1"'}
    patched = await events.patch(initiative_at(draft), json={"municipio": 3}, headers=headers)
    assert_problem(patched, 403, "urn:lgnet:problem:role-required")
    for step in STEPS:
        posted = await events.post(f"{initiative_at(draft)}/{step}", headers=headers)
        assert_problem(posted, 403, "urn:lgnet:problem:role-required")


async def test_an_unknown_initiative_is_a_404_and_a_token_is_needed(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    unknown = f"{INITIATIVES}/6f1c1a8e-0000-4000-8000-000000000000"
    headers = {**realm.headers(ORGANISER), "If-Match": '"1"'}
    patched = await events.patch(unknown, json={"municipio": 3}, headers=headers)
    assert_problem(patched, 404, "urn:lgnet:problem:initiative-not-found")
    assert (await events.patch(unknown, json={"municipio": 3})).status_code == 401
    for step in STEPS:
        posted = await events.post(f"{unknown}/{step}", headers=headers)
        assert_problem(posted, 404, "urn:lgnet:problem:initiative-not-found")
        assert (await events.post(f"{unknown}/{step}")).status_code == 401


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _published_about(stack: Stack, initiative_id: str, count: int) -> list[Any]:
    for _ in range(60):  # until the relay has published them all
        found = await events_about(stack.kafka_bootstrap, TOPIC, initiative_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"{len(found)} events about {initiative_id}, not {count}")


async def test_each_change_and_step_is_published_without_free_text(
    events: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    initiative = await publish_initiative(events, realm)
    changed = await _patch(
        events,
        realm,
        initiative,
        {
            "title": "Nuovo titolo",
            "translations": {},
            "topics": ["casa"],
            "neighbourhood": "Baggio",
        },
    )
    assert changed.status_code == 200, changed.text
    assert (await _step(events, realm, initiative, "completion")).status_code == 200
    cancelled = await _step(events, realm, await _draft(events, realm), "cancellation")

    found = await _published_about(stack, initiative["id"], 4)
    for event in found:
        contracts.validate(event)
        assert (event.source, event.organisation) == ("/lgnet/events", "assoc-ponte")
    assert [event.type for event in found] == [
        "lgnet.events.initiative.created",
        "lgnet.events.initiative.published",
        "lgnet.events.initiative.changed",
        "lgnet.events.initiative.completed",
    ]
    published, change, completed = (event.data for event in found[1:])
    assert (published["status"], published["version"]) == ("published", 2)
    assert _instant(published["published_at"]) == _instant(initiative["published_at"])
    assert change["changed"] == ["neighbourhood", "title", "topics", "translations"]
    assert (change["version"], change["topics"], change["languages"]) == (3, ["casa"], ["it"])
    assert (completed["status"], completed["version"]) == ("completed", 4)
    for data in (published, change, completed):
        assert not {"title", "description", "translations", "neighbourhood"} & set(data)
        assert "Nuovo titolo" not in str(data)
        assert "Baggio" not in str(data)

    (never_published,) = (await _published_about(stack, cancelled.json()["id"], 2))[1:]
    assert never_published.type == "lgnet.events.initiative.cancelled"
    assert never_published.data["published_at"] is None
    assert never_published.data["status"] == "cancelled"
