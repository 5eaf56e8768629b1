"""The person registry through intake's API: duplicates, consents, households, merges, rights."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.intake import AHMED, AHMED_VARIANT, REFERRAL, register
from kit.testing.kafka import all_events, first_event_about

pytestmark = pytest.mark.integration

PERSONS = "/v1/intake/persons"
REVIEWS = "/v1/intake/duplicate-reviews"


async def test_a_variant_of_a_registered_person_comes_back_as_a_candidate_with_reasons(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    first = await register(intake, realm, AHMED)
    assert first["person"]["status"] == "active"
    second = await register(intake, realm, AHMED_VARIANT)
    candidates = second["candidates"]
    assert candidates, "the variant should find the first record"
    top = candidates[0]
    assert top["person_id"] == first["person"]["id"]
    assert top["band"] == "likely"
    assert top["score"] >= 0.85
    assert {"names"} <= {r["field"] for r in top["reasons"]}
    assert top["person"]["family_name"] == "Abdelrahmanzz"  # same organisation: visible

    # the pair waits in the review queue, for who sees both
    queue = await intake.get(
        REVIEWS,
        params={"person_id": second["person"]["id"]},
        headers=realm.headers("intake.aurora"),
    )
    assert queue.status_code == 200
    assert [r["candidate_id"] for r in queue.json()["items"]] == [first["person"]["id"]]
    foreign = await intake.get(
        REVIEWS, params={"person_id": second["person"]["id"]}, headers=realm.headers("intake.ponte")
    )
    assert foreign.json()["items"] == []


async def test_match_searches_without_registering_and_hides_foreign_records(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    person = {**AHMED, "given_name": "Yonas", "family_name": "Tesfamariamx", "documents": []}
    stored = await register(intake, realm, person)
    query = {"given_name": "Yonas", "family_name": "Tesfamariamx", "birth_date": "2009-03-01"}
    own = await intake.post(f"{PERSONS}/match", json=query, headers=realm.headers("intake.aurora"))
    assert own.status_code == 200, own.text
    assert own.json()["candidates"][0]["person_id"] == stored["person"]["id"]
    assert own.json()["candidates"][0]["person"] is not None

    other = await intake.post(f"{PERSONS}/match", json=query, headers=realm.headers("intake.ponte"))
    top = other.json()["candidates"][0]
    assert top["person_id"] == stored["person"]["id"]
    assert top["person"] is None

    listed = await intake.get(
        PERSONS, params={"limit": 100}, headers=realm.headers("coordinator.comune")
    )
    assert sum(p["family_name"] == "Tesfamariamx" for p in listed.json()["items"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},  # no name
        {"given_name": ""},
        {"given_name": "A", "nationality": "XX"},
        {"given_name": "A", "birth_date": "2999-01-01"},
        {"given_name": "A", "sex": "robot"},
        {"given_name": "A", "documents": [{"type": "passport"}]},
        {"given_name": "A", "unknown": 1},
        {"given_name": "A", "languages": ["english"]},
    ],
)
async def test_invalid_persons_are_422_and_store_nothing(
    intake: httpx.AsyncClient, realm: Realm, body: dict[str, Any]
) -> None:
    answer = await intake.post(PERSONS, json=body, headers=realm.headers("intake.aurora"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_rectification_needs_the_current_etag_and_foreign_organisations_get_404(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await register(intake, realm, {"given_name": "Fatoumata", "family_name": "Diallo"})
    location = f"{PERSONS}/{created['person']['id']}"
    headers = realm.headers("intake.aurora")
    patch = {"birth_date": "2008-05-01", "birth_date_estimated": True}

    assert (await intake.patch(location, json=patch, headers=headers)).status_code == 428
    stale = await intake.patch(location, json=patch, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    done = await intake.patch(location, json=patch, headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["birth_date"] == "2008-05-01"
    assert done.headers["ETag"] == '"2"'
    cleared = await intake.patch(
        location,
        json={"given_name": None, "family_name": None},
        headers={**headers, "If-Match": '"2"'},
    )
    assert cleared.status_code == 422

    assert (await intake.get(location, headers=realm.headers("intake.ponte"))).status_code == 404
    foreign = await intake.patch(
        location, json=patch, headers={**realm.headers("intake.ponte"), "If-Match": '"2"'}
    )
    assert foreign.status_code == 404
    assert (
        await intake.get(location, headers=realm.headers("coordinator.comune"))
    ).status_code == 200


async def test_a_referral_concerning_a_person_shows_them_to_the_receiving_organisation(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    existing = await register(intake, realm, {"given_name": "Amadou", "family_name": "Keitaq"})
    pid = existing["person"]["id"]
    new_person = {"given_name": "Awa", "family_name": "Keitaq", "sex": "female"}
    referral = await intake.post(
        "/v1/intake/referrals",
        json={**REFERRAL, "persons": [{"person_id": pid}, {"person": new_person}]},
        headers=realm.headers("intake.aurora"),
    )
    assert referral.status_code == 201, referral.text
    assert len(referral.json()["person_ids"]) == 2
    assert pid in referral.json()["person_ids"]
    # an unknown or foreign person is refused, and nothing is stored
    bad = await intake.post(
        "/v1/intake/referrals",
        json={**REFERRAL, "persons": [{"person_id": pid}]},
        headers=realm.headers("intake.ponte"),
    )
    assert bad.status_code == 422
    assert bad.json()["type"] == "urn:lgnet:problem:unknown-person"
    both = await intake.post(
        "/v1/intake/referrals",
        json={**REFERRAL, "persons": [{"person_id": pid, "person": new_person}]},
        headers=realm.headers("intake.aurora"),
    )
    assert both.status_code == 422


async def test_consent_withdrawal_is_recorded_once_and_raises_an_event(
    intake: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await register(intake, realm, {"given_name": "Samira", "family_name": "Haddad"})
    base = f"{PERSONS}/{created['person']['id']}/consents"
    headers = realm.headers("intake.aurora")
    consent = {
        "purpose": "network_sharing",
        "legal_basis": "consent",
        "given_by": "guardian",
        "given_at": "2026-11-01T10:00:00+01:00",
    }
    keyed = {**headers, "Idempotency-Key": "consent-once"}
    recorded = await intake.post(base, json=consent, headers=keyed)
    assert recorded.status_code == 201, recorded.text
    fetched = await intake.get(recorded.headers["Location"], headers=headers)
    assert fetched.json() == recorded.json()
    retried = await intake.post(base, json=consent, headers=keyed)
    assert (retried.status_code, retried.json()) == (201, recorded.json())  # recorded once
    task = await intake.post(base, json={**consent, "legal_basis": "public_task"}, headers=headers)
    assert task.status_code == 201
    future = await intake.post(
        base, json={**consent, "given_at": "2999-01-01T00:00:00Z"}, headers=headers
    )
    assert future.status_code == 422

    withdrawal = f"{base}/{recorded.json()['id']}/withdrawal"
    done = await intake.post(withdrawal, json={}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["withdrawn_at"] is not None
    again = await intake.post(withdrawal, json={}, headers=headers)
    assert again.status_code == 409
    not_consent = await intake.post(
        f"{base}/{task.json()['id']}/withdrawal", json={}, headers=headers
    )
    assert not_consent.status_code == 409
    assert not_consent.json()["type"] == "urn:lgnet:problem:not-withdrawable"

    event = await first_event_about(
        stack.kafka_bootstrap, "lgnet.intake.persons", created["person"]["id"]
    )
    assert event.type == "lgnet.intake.person.registered"
    listed = await intake.get(base, headers=headers)
    assert [c["withdrawn_at"] is not None for c in listed.json()] == [True, False]


async def test_households_group_visible_persons(intake: httpx.AsyncClient, realm: Realm) -> None:
    mother = await register(intake, realm, {"given_name": "Mariam", "family_name": "Osmanx"})
    child = await register(intake, realm, {"given_name": "Omar", "family_name": "Osmanx"})
    members = [
        {"person_id": mother["person"]["id"], "relation": "head"},
        {"person_id": child["person"]["id"], "relation": "child"},
    ]
    headers = realm.headers("intake.aurora")
    created = await intake.post("/v1/intake/households", json={"members": members}, headers=headers)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert (await intake.get(location, headers=realm.headers("intake.ponte"))).status_code == 404

    two_heads = [{**m, "relation": "head"} for m in members]
    bad = await intake.put(
        f"{location}/members", json={"members": two_heads}, headers={**headers, "If-Match": '"1"'}
    )
    assert bad.status_code == 422
    foreign = await intake.post(
        "/v1/intake/households", json={"members": members}, headers=realm.headers("intake.ponte")
    )
    assert foreign.status_code == 422
    listed = await intake.get(
        "/v1/intake/households", params={"person_id": child["person"]["id"]}, headers=headers
    )
    assert [h["id"] for h in listed.json()["items"]] == [created.json()["id"]]


async def test_confirming_a_pair_merges_and_a_split_undoes_it(
    intake: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    headers = realm.headers("intake.aurora")
    older = await register(intake, realm, {**AHMED, "family_name": "Zzubairi", "documents": []})
    referral = await intake.post(
        "/v1/intake/referrals",
        json={**REFERRAL, "persons": [{"person": {**AHMED_VARIANT, "given_name": "Zubairizz"}}]},
        headers=headers,
    )
    newer_id = referral.json()["person_ids"][0]
    consent = {
        "purpose": "case_management",
        "legal_basis": "public_task",
        "given_by": "data_subject",
        "given_at": "2026-11-01T10:00:00Z",
    }
    assert (
        await intake.post(f"{PERSONS}/{newer_id}/consents", json=consent, headers=headers)
    ).status_code == 201

    queue = await intake.get(REVIEWS, params={"person_id": newer_id}, headers=headers)
    (review,) = queue.json()["items"]
    assert review["candidate_id"] == older["person"]["id"]
    trail = await intake.get(
        "/v1/intake/audit",
        params={"resource_type": "duplicate_review", "resource_id": review["id"]},
        headers=realm.headers("auditor.comune"),
    )
    assert [e["action"] for e in trail.json()["items"]] == ["list"]  # a listed page, not a read
    confirm = f"{REVIEWS}/{review['id']}/confirm"
    outsider = await intake.post(confirm, json={}, headers=realm.headers("intake.ponte"))
    assert outsider.status_code == 404
    wrong = await intake.post(confirm, json={"survivor_id": referral.json()["id"]}, headers=headers)
    assert wrong.status_code == 422

    merged = await intake.post(confirm, json={}, headers=headers)
    assert merged.status_code == 201, merged.text
    merge = merged.json()
    assert (await intake.get(merged.headers["Location"], headers=headers)).json() == merge
    assert merge["survivor_id"] == older["person"]["id"]
    assert merge["merged_id"] == newer_id
    assert merge["moved"]["referrals"] == [referral.json()["id"]]
    assert (await intake.post(confirm, json={}, headers=headers)).status_code == 409

    gone = await intake.get(f"{PERSONS}/{newer_id}", headers=headers)
    assert gone.json()["status"] == "merged"
    assert gone.json()["merged_into"] == older["person"]["id"]
    moved = await intake.get(referral.headers["Location"], headers=headers)
    assert moved.json()["person_ids"] == [older["person"]["id"]]
    survivor_consents = await intake.get(
        f"{PERSONS}/{older['person']['id']}/consents", headers=headers
    )
    assert len(survivor_consents.json()) == 1
    # a merged record cannot be changed: its survivor can
    locked = await intake.patch(
        f"{PERSONS}/{newer_id}", json={"sex": "female"}, headers={**headers, "If-Match": '"2"'}
    )
    assert locked.status_code == 409

    # a search for the merged record's spelling finds the survivor
    found = await intake.post(
        f"{PERSONS}/match", json=AHMED_VARIANT | {"given_name": "Zubairizz"}, headers=headers
    )
    assert older["person"]["id"] in [c["person_id"] for c in found.json()["candidates"]]

    split = await intake.post(f"/v1/intake/person-merges/{merge['id']}/split", headers=headers)
    assert split.status_code == 200, split.text
    assert (await intake.get(f"{PERSONS}/{newer_id}", headers=headers)).json()["status"] == "active"
    back = await intake.get(referral.headers["Location"], headers=headers)
    assert back.json()["person_ids"] == [newer_id]
    decided = await intake.get(f"{REVIEWS}/{review['id']}", headers=headers)
    assert decided.json()["status"] == "dismissed"
    twice = await intake.post(f"/v1/intake/person-merges/{merge['id']}/split", headers=headers)
    assert twice.status_code == 409

    event = await first_event_about(
        stack.kafka_bootstrap, "lgnet.intake.persons", older["person"]["id"]
    )
    assert event.type == "lgnet.intake.person.registered"


async def test_dismissing_a_pair_keeps_it_out_of_the_queue(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    headers = realm.headers("intake.aurora")
    await register(intake, realm, {**AHMED, "family_name": "Qwertyan", "documents": []})
    second = await register(intake, realm, {**AHMED_VARIANT, "given_name": "Qwertyan"})
    (review,) = (
        await intake.get(REVIEWS, params={"person_id": second["person"]["id"]}, headers=headers)
    ).json()["items"]
    dismissed = await intake.post(f"{REVIEWS}/{review['id']}/dismiss", headers=headers)
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["decided_by"]  # who
    assert dismissed.json()["decided_at"]  # and when
    assert dismissed.json()["decided_by_organisation"] == "coop-aurora"
    # rectifying the person searches again, but a dismissed pair is not queued twice
    await intake.patch(
        f"{PERSONS}/{second['person']['id']}",
        json={"sex": "male", "nationality": "EG", "birth_date": "2008-01-01"},
        headers={**headers, "If-Match": '"1"'},
    )
    open_ = await intake.get(REVIEWS, params={"person_id": second["person"]["id"]}, headers=headers)
    assert open_.json()["items"] == []


async def test_subject_access_export_and_erasure(
    intake: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    headers = realm.headers("intake.aurora")
    created = await register(intake, realm, {**AHMED, "family_name": "Erasmuszz"})
    pid = created["person"]["id"]
    location = f"{PERSONS}/{pid}"
    export = await intake.get(f"{location}/export", headers=headers)
    assert export.status_code == 200, export.text
    assert export.json()["person"]["family_name"] == "Erasmuszz"
    assert "created_by" not in json.dumps(export.json())

    coordinator = realm.headers("coordinator.comune")
    erasure = {"ground": "data_subject_request"}
    refused = await intake.post(
        f"{location}/erasure", json=erasure, headers={**headers, "If-Match": '"1"'}
    )
    assert refused.status_code == 403
    bad = await intake.post(
        f"{location}/erasure",
        json={"ground": "because"},
        headers={**coordinator, "If-Match": '"1"'},
    )
    assert bad.status_code == 422
    erased = await intake.post(
        f"{location}/erasure", json=erasure, headers={**coordinator, "If-Match": '"1"'}
    )
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["status"] == "erased"
    assert body["given_name"] is None
    assert body["family_name"] is None
    assert body["birth_date"] is None
    assert body["documents"] == []
    assert body["contacts"] == []
    assert body["nationality"] == "EG"  # kept, coarse, for statistics

    search = await intake.post(
        f"{PERSONS}/match", json=AHMED | {"family_name": "Erasmuszz"}, headers=headers
    )
    assert pid not in [c["person_id"] for c in search.json()["candidates"]]

    verify = await intake.get("/v1/intake/audit/verify", headers=realm.headers("auditor.comune"))
    assert verify.json()["ok"] is True
    trail = await intake.get(
        "/v1/intake/audit",
        params={"resource_id": pid, "limit": 50},
        headers=realm.headers("auditor.comune"),
    )
    actions = {e["action"] for e in trail.json()["items"]}
    assert {"create", "read", "export", "erase"} <= actions


async def test_no_intake_event_carries_a_persons_identifying_data(
    intake: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    """Persons registered in this module (with names, birth dates, documents, phones and an
    address) must not appear in any event published on intake's topics."""
    person = {**AHMED, "given_name": "Kebedezz", "family_name": "Haileqq"}
    created = await register(intake, realm, person)
    referral = await intake.post(
        "/v1/intake/referrals",
        json={**REFERRAL, "persons": [{"person_id": created["person"]["id"]}]},
        headers=realm.headers("intake.aurora"),
    )
    received = await first_event_about(
        stack.kafka_bootstrap, "lgnet.intake.referrals", referral.json()["id"]
    )
    assert received.data["person_refs"] == [created["person"]["id"]]  # a reference, nothing more
    await first_event_about(stack.kafka_bootstrap, "lgnet.intake.persons", created["person"]["id"])
    everyone = await intake.get(
        PERSONS, params={"limit": 200}, headers=realm.headers("coordinator.comune")
    )
    secrets: set[str] = set()
    for p in everyone.json()["items"]:
        secrets.update(v for v in (p["given_name"], p["family_name"]) if v)
        secrets.update(p["alternative_names"])
        if p["birth_date"]:
            secrets.add(p["birth_date"])
        secrets.update(d["number"] for d in p["documents"])
        secrets.update(c["value"] for c in p["contacts"])
    secrets.update(
        {"Mohamed", "Abdelrahmanzz", "A99Z71234", "+39 351 987 6543", "Via Immaginaria 77"}
    )
    events = await all_events(
        stack.kafka_bootstrap,
        ["lgnet.intake.persons", "lgnet.intake.referrals", "lgnet.intake.households"],
    )
    assert {created["person"]["id"], referral.json()["id"]} <= {e.subject for e in events}
    for event in events:
        text = json.dumps(event.data) + json.dumps(
            {k: v for k, v in vars(event).items() if k != "data"}, default=str
        )
        leaked = [s for s in secrets if s.lower() in text.lower()]
        assert not leaked, f"{event.type} carries {leaked}"


async def test_a_registered_person_is_answered_with_its_location_and_etag(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    created = await intake.post(
        PERSONS,
        json={"given_name": "Mariam", "family_name": "Etagzz"},
        headers={**realm.headers("intake.aurora"), "Idempotency-Key": "person-etag-1"},
    )
    assert created.status_code == 201, created.text
    person = created.json()["person"]
    assert created.headers["Location"] == f"{PERSONS}/{person['id']}"
    assert created.headers["ETag"] == '"1"'
    fetched = await intake.get(created.headers["Location"], headers=realm.headers("intake.aurora"))
    assert fetched.headers["ETag"] == created.headers["ETag"]
