"""Offline batch sync through intake's API: idempotent retries, per-item rejections, conflicts."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.intake import AHMED, AHMED_VARIANT, REFERRAL, register
from kit.testing.services import service_client
from services.intake.app import create_app
from services.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

BATCH = "/v1/intake/outreach-contacts:batch"
CONFLICTS = "/v1/intake/sync-conflicts"
PERSONS = "/v1/intake/persons"
REFERRALS = "/v1/intake/referrals"
MAX_ITEMS = 20

CONTACT: dict[str, Any] = {k: v for k, v in REFERRAL.items() if k != "channel"}


intake = service_client(create_app, IntakeSettings, sync_batch_max_items=MAX_ITEMS)


def cid() -> str:
    return str(uuid.uuid4())


def person_item(client_id: str, **fields: Any) -> dict[str, Any]:
    return {"client_id": client_id, "kind": "person", "person": fields}


def update_item(client_id: str, person_id: str, base: int, **changes: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "kind": "person_update",
        "person_id": person_id,
        "base_version": base,
        "changes": changes,
    }


def contact_item(client_id: str, *persons: dict[str, Any]) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "kind": "contact",
        "contact": {**CONTACT, "persons": [*persons]},
    }


async def sync(
    intake: httpx.AsyncClient,
    realm: Realm,
    items: list[Any],
    *,
    device: str = "mu-north-tablet-03",
    user: str = "intake.aurora",
) -> dict[str, Any]:
    answer = await intake.post(
        BATCH, json={"device_id": device, "items": items}, headers=realm.headers(user)
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert len(body["results"]) == len(items)
    return body


async def count_persons(intake: httpx.AsyncClient, realm: Realm, family_name: str) -> int:
    listed = await intake.get(
        PERSONS, params={"limit": 200}, headers=realm.headers("coordinator.comune")
    )
    assert listed.status_code == 200
    return sum(p["family_name"] == family_name for p in listed.json()["items"])


async def referrals_of(intake: httpx.AsyncClient, realm: Realm, person_id: str) -> list[str]:
    listed = await intake.get(
        REFERRALS, params={"limit": 200}, headers=realm.headers("coordinator.comune")
    )
    assert listed.status_code == 200
    return [r["id"] for r in listed.json()["items"] if person_id in r["person_ids"]]


def statuses(body: dict[str, Any]) -> list[str]:
    return [r["status"] for r in body["results"]]


async def test_a_retried_batch_creates_nothing_twice_and_replays_the_results(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    a, b, c, d = cid(), cid(), cid(), cid()
    items = [
        person_item(a, given_name="Issa", family_name="Retryzz", sex="male"),
        person_item(b, given_name="Mariam", family_name="Retryzz", sex="female"),
        contact_item(c, {"client_ref": a}, {"client_ref": b}),
    ]
    first = await sync(intake, realm, items)
    assert statuses(first) == ["created", "created", "created"]
    assert [r["client_id"] for r in first["results"]] == [a, b, c]
    assert not any(r["replayed"] for r in first["results"])
    assert first["summary"]["created"] == 3
    issa = first["results"][0]["resource_id"]
    referral = await intake.get(
        f"{REFERRALS}/{first['results'][2]['resource_id']}", headers=realm.headers("intake.aurora")
    )
    assert referral.status_code == 200
    assert referral.json()["channel"] == "mobile_unit"
    assert set(referral.json()["person_ids"]) == {issa, first["results"][1]["resource_id"]}

    again = await sync(intake, realm, items)  # the answer was lost: the device sends it all again
    assert [{**r, "replayed": False} for r in again["results"]] == first["results"]
    assert all(r["replayed"] for r in again["results"])
    assert again["summary"]["replayed"] == 3
    assert await count_persons(intake, realm, "Retryzz") == 2
    assert len(await referrals_of(intake, realm, issa)) == 1

    # a later batch overlapping the first, from a colleague of the same organisation
    overlap = await sync(
        intake,
        realm,
        [items[2], person_item(d, given_name="Omar", family_name="Retryzz"), items[1]],
        device="mu-north-tablet-04",
    )
    assert statuses(overlap) == ["created", "created", "created"]
    assert [r["replayed"] for r in overlap["results"]] == [True, False, True]
    assert overlap["results"][0] == {**first["results"][2], "replayed": True}
    assert await count_persons(intake, realm, "Retryzz") == 3
    assert len(await referrals_of(intake, realm, issa)) == 1

    # the same client_id for something else is refused, and changes nothing
    reused = await sync(intake, realm, [person_item(a, given_name="Other", family_name="Retryzz")])
    assert reused["results"][0]["status"] == "rejected"
    assert reused["results"][0]["problem"]["type"] == "urn:lgnet:problem:client-id-reused"
    assert await count_persons(intake, realm, "Retryzz") == 3

    # another organisation's client ids are its own
    ponte = await sync(intake, realm, [items[0]], user="intake.ponte")
    assert ponte["results"][0]["replayed"] is False
    assert ponte["results"][0]["resource_id"] != issa


async def test_bad_items_are_rejected_with_their_reason_and_the_good_ones_stored(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    foreign = await register(
        intake, realm, {"given_name": "Hawa", "family_name": "Foreignzz"}, user="intake.ponte"
    )
    good_person, good_contact, fixable = cid(), cid(), cid()
    items: list[Any] = [
        person_item(good_person, given_name="Sekou", family_name="Partialzz"),
        person_item(cid(), given_name="Bad", family_name="Partialzz", nationality="XX"),
        update_item(cid(), str(uuid.uuid4()), 1, nationality="ML"),
        update_item(cid(), foreign["person"]["id"], 1, nationality="ML"),
        person_item(fixable, given_name="Enum", family_name="Partialzz", sex="robot"),
        {"kind": "person", "person": {"given_name": "No", "family_name": "Partialzz"}},
        {"client_id": cid(), "kind": "teleport", "person": {"given_name": "X"}},
        contact_item(
            cid(),
            {"person": {"given_name": "Halfwritten", "family_name": "Partialzz"}},
            {"client_ref": str(uuid.uuid4())},
        ),
        contact_item(good_contact, {"client_ref": good_person}),
        "not an object",
    ]
    body = await sync(intake, realm, items)
    results = body["results"]
    assert statuses(body) == ["created", *["rejected"] * 7, "created", "rejected"]
    assert body["summary"] == {
        "created": 2,
        "updated": 0,
        "duplicate_of": 0,
        "conflict": 0,
        "rejected": 8,
        "replayed": 0,
    }

    def problem(index: int) -> dict[str, Any]:
        found: dict[str, Any] = results[index]["problem"]
        assert found["title"]
        return found

    def pointers(index: int) -> list[str]:
        return [e["pointer"] for e in problem(index)["errors"]]

    assert problem(1)["type"] == "urn:lgnet:problem:validation-failed"
    assert pointers(1) == ["#/items/1/person/nationality"]
    assert problem(2)["type"] == "urn:lgnet:problem:person-not-found"
    assert problem(3)["type"] == "urn:lgnet:problem:person-not-found"  # foreign: not visible
    assert pointers(4) == ["#/items/4/person/sex"]
    assert results[5]["client_id"] is None
    assert pointers(5) == ["#/items/5/client_id"]
    assert problem(6)["errors"][0]["code"] == "union_tag_invalid"
    assert problem(7)["type"] == "urn:lgnet:problem:unknown-client-ref"
    assert problem(9)["type"] == "urn:lgnet:problem:validation-failed"

    # the good ones are stored; nothing of the bad ones (the contact's new person neither)
    sekou = results[0]["resource_id"]
    assert await referrals_of(intake, realm, sekou) == [results[8]["resource_id"]]
    assert await count_persons(intake, realm, "Partialzz") == 1
    unchanged = await intake.get(
        f"{PERSONS}/{foreign['person']['id']}", headers=realm.headers("intake.ponte")
    )
    assert unchanged.json()["nationality"] is None

    # a rejection is not final: the corrected item is processed; the good ones replay
    fixed = person_item(fixable, given_name="Enum", family_name="Partialzz", sex="male")
    retry = await sync(intake, realm, [items[0], fixed])
    assert statuses(retry) == ["created", "created"]
    assert [r["replayed"] for r in retry["results"]] == [True, False]
    assert await count_persons(intake, realm, "Partialzz") == 2


async def test_two_devices_editing_the_same_field_yield_one_update_and_one_queued_conflict(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register(intake, realm, {"given_name": "Lamine", "family_name": "Conflictzz"})
    pid = created["person"]["id"]
    one = await sync(intake, realm, [update_item(cid(), pid, 1, nationality="SN")], device="mu-a")
    assert statuses(one) == ["updated"]
    two = await sync(intake, realm, [update_item(cid(), pid, 1, nationality="GM")], device="mu-b")
    result = two["results"][0]
    assert result["status"] == "conflict"
    assert result["resource_id"] == pid
    assert result["conflicting_fields"] == ["nationality"]
    conflict_id = result["conflict_id"]
    person = await intake.get(f"{PERSONS}/{pid}", headers=realm.headers("intake.aurora"))
    assert person.json()["nationality"] == "SN"  # not silently overwritten
    assert person.json()["version"] == 2

    aurora = realm.headers("intake.aurora")
    queue = await intake.get(CONFLICTS, params={"status": "open"}, headers=aurora)
    assert queue.status_code == 200, queue.text
    (queued,) = [c for c in queue.json()["items"] if c["person_id"] == pid]
    assert queued["id"] == conflict_id
    assert queued["device_id"] == "mu-b"
    assert queued["base_version"] == 1
    assert queued["server_version"] == 2
    assert queued["proposed"] == {"nationality": "GM"}
    assert queued["status"] == "open"
    ponte = await intake.get(CONFLICTS, headers=realm.headers("intake.ponte"))
    assert conflict_id not in [c["id"] for c in ponte.json()["items"]]
    coordinator = await intake.get(CONFLICTS, headers=realm.headers("coordinator.comune"))
    assert conflict_id in [c["id"] for c in coordinator.json()["items"]]

    location = f"{CONFLICTS}/{conflict_id}"
    apply = {"resolution": "apply"}
    foreign = await intake.post(
        f"{location}/resolve", json=apply, headers=realm.headers("intake.ponte")
    )
    assert foreign.status_code == 404
    assert (await intake.get(location, headers=realm.headers("intake.ponte"))).status_code == 404
    resolved = await intake.post(f"{location}/resolve", json=apply, headers=aurora)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution"] == "applied"
    person = await intake.get(f"{PERSONS}/{pid}", headers=aurora)
    assert person.json()["nationality"] == "GM"
    twice = await intake.post(f"{location}/resolve", json={"resolution": "discard"}, headers=aurora)
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:lgnet:problem:sync-conflict-resolved"
    closed = await intake.get(CONFLICTS, params={"status": "open"}, headers=aurora)
    assert conflict_id not in [c["id"] for c in closed.json()["items"]]

    # a conflict discarded keeps the server's version
    late = await sync(intake, realm, [update_item(cid(), pid, 2, nationality="NE")], device="mu-c")
    assert statuses(late) == ["conflict"]
    discarded = await intake.post(
        f"{CONFLICTS}/{late['results'][0]['conflict_id']}/resolve",
        json={"resolution": "discard"},
        headers=realm.headers("coordinator.comune"),
    )
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["resolution"] == "discarded"
    person = await intake.get(f"{PERSONS}/{pid}", headers=aurora)
    assert person.json()["nationality"] == "GM"

    # every read of a conflict is audited, and the batch's changes under offline_sync
    trail = await intake.get(
        "/v1/intake/audit",
        params={"resource_id": conflict_id, "limit": 50},
        headers=realm.headers("auditor.comune"),
    )
    entries = trail.json()["items"]
    assert {e["resource_type"] for e in entries} == {"sync_conflict"}
    assert {"create", "list", "update"} <= {e["action"] for e in entries}
    person_trail = await intake.get(
        "/v1/intake/audit",
        params={"resource_id": pid, "limit": 50},
        headers=realm.headers("auditor.comune"),
    )
    assert "offline_sync" in {e["purpose"] for e in person_trail.json()["items"]}


async def test_non_overlapping_edits_from_the_same_base_version_both_apply(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register(intake, realm, {"given_name": "Bintou", "family_name": "Mergezz"})
    pid = created["person"]["id"]
    one = await sync(intake, realm, [update_item(cid(), pid, 1, nationality="CI")], device="mu-a")
    two = await sync(intake, realm, [update_item(cid(), pid, 1, languages=["fr"])], device="mu-b")
    assert statuses(one) == statuses(two) == ["updated"]
    person = (await intake.get(f"{PERSONS}/{pid}", headers=realm.headers("intake.aurora"))).json()
    assert (person["nationality"], person["languages"], person["version"]) == ("CI", ["fr"], 3)


async def test_a_person_matching_an_existing_one_answers_duplicate_of(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    existing = await register(intake, realm, AHMED)
    body = await sync(intake, realm, [person_item(cid(), **AHMED_VARIANT)])
    result = body["results"][0]
    assert result["status"] == "duplicate_of"
    assert result["duplicate_of"] == existing["person"]["id"]
    assert result["score"] >= 0.85
    # registered too, and the pair waits for review
    assert result["resource_id"] not in (None, existing["person"]["id"])
    queue = await intake.get(
        "/v1/intake/duplicate-reviews",
        params={"person_id": result["resource_id"]},
        headers=realm.headers("intake.aurora"),
    )
    assert [r["candidate_id"] for r in queue.json()["items"]] == [existing["person"]["id"]]


async def test_a_batch_over_the_limit_is_refused_whole(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    items = [person_item(cid(), given_name="Many", family_name="Toomanyzz")] * (MAX_ITEMS + 1)
    answer = await intake.post(
        BATCH, json={"device_id": "mu-a", "items": items}, headers=realm.headers("intake.aurora")
    )
    assert answer.status_code == 413
    assert answer.json()["type"] == "urn:lgnet:problem:sync-batch-too-large"
    assert await count_persons(intake, realm, "Toomanyzz") == 0
    reader = await intake.post(
        BATCH, json={"device_id": "mu-a", "items": []}, headers=realm.headers("caseworker.aurora")
    )
    assert reader.status_code == 403


async def test_two_simultaneous_uploads_of_the_same_batch_store_it_once(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    items = [person_item(cid(), given_name=name, family_name="Racezz") for name in ("Ali", "Ada")]
    first, second = await asyncio.gather(
        sync(intake, realm, items), sync(intake, realm, items, device="mu-other")
    )
    for index in range(len(items)):
        answers = [first["results"][index], second["results"][index]]
        assert {a["status"] for a in answers} == {"created"}
        assert sorted(a["replayed"] for a in answers) == [False, True]
        assert answers[0]["resource_id"] == answers[1]["resource_id"]
    assert await count_persons(intake, realm, "Racezz") == 2


async def test_a_persons_sync_conflicts_are_exported_and_destroyed_by_erasure(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register(intake, realm, {"given_name": "Kadi", "family_name": "Erasezz"})
    pid = created["person"]["id"]
    await sync(intake, realm, [update_item(cid(), pid, 1, given_name="Kadiatou")])
    late = await sync(intake, realm, [update_item(cid(), pid, 1, given_name="Khadija")])
    conflict_id = late["results"][0]["conflict_id"]
    aurora = realm.headers("intake.aurora")

    export = await intake.get(f"{PERSONS}/{pid}/export", headers=aurora)
    assert export.status_code == 200, export.text
    (exported,) = export.json()["sync_conflicts"]
    assert exported["id"] == conflict_id
    assert exported["proposed"] == {"given_name": "Khadija"}

    coordinator = realm.headers("coordinator.comune")
    erased = await intake.post(
        f"{PERSONS}/{pid}/erasure",
        json={"ground": "data_subject_request"},
        headers={**coordinator, "If-Match": '"2"'},
    )
    assert erased.status_code == 200, erased.text
    conflict = (await intake.get(f"{CONFLICTS}/{conflict_id}", headers=coordinator)).json()
    assert conflict["proposed"] == {}
    assert (conflict["status"], conflict["resolution"]) == ("resolved", "discarded")
