"""Casework follows intake's persons: a withdrawn network-sharing consent takes a foreign
member's access within 5 s, a withdrawn health-data consent hides health notes; merges and
splits repoint cases and notes and back; an erasure destroys what notes say."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing import casework as api
from kit.testing.casework import WithdrawConsent
from kit.testing.intake import PERSONS, register
from kit.testing.kafka import publish
from kit.testing.waiting import eventually
from services.intake.persons.events import (
    PersonErased,
    PersonMerged,
    PersonSplit,
)

pytestmark = pytest.mark.integration

LEAD, FOREIGN = "caseworker.ponte", "caseworker.aurora"


async def _case_with(
    casework: httpx.AsyncClient, realm: Realm, person_refs: list[str], **member: Any
) -> dict[str, Any]:
    case = await api.open_case(casework, realm.headers(LEAD), person_refs=person_refs)
    added = await casework.post(
        f"{api.CASES}/{case['id']}/team",
        json={"user": realm.subject(FOREIGN), "organisation": "coop-aurora", **member},
        headers=realm.headers(LEAD),
    )
    assert added.status_code == 201, added.text
    return case


async def _consent(intake: httpx.AsyncClient, realm: Realm, pid: str, purpose: str) -> str:
    recorded = await intake.post(
        f"{PERSONS}/{pid}/consents",
        json={
            "purpose": purpose,
            "legal_basis": "consent",
            "given_by": "guardian",
            "given_at": "2026-11-01T10:00:00+01:00",
        },
        headers=realm.headers("intake.aurora"),
    )
    assert recorded.status_code == 201, recorded.text
    return f"{PERSONS}/{pid}/consents/{recorded.json()['id']}/withdrawal"


async def test_a_network_sharing_withdrawal_ends_a_foreign_members_access_within_5_s(
    intake: httpx.AsyncClient, casework: httpx.AsyncClient, realm: Realm
) -> None:
    pid = (await register(intake, realm, {"given_name": "Synthetic", "family_name": "Sharezz"}))[
        "person"
    ]["id"]
    withdrawal = await _consent(intake, realm, pid, "network_sharing")
    case = await _case_with(casework, realm, [pid], role="educator")
    path = f"{api.CASES}/{case['id']}"
    assert (await casework.get(path, headers=realm.headers(FOREIGN))).status_code == 200

    done = await intake.post(withdrawal, json={}, headers=realm.headers("intake.aurora"))
    assert done.status_code == 200, done.text

    async def foreign_hidden() -> bool:
        return (await casework.get(path, headers=realm.headers(FOREIGN))).status_code == 404

    took = await eventually(foreign_hidden, 5, "the foreign member's access ended")
    print(f"network_sharing withdrawal to the foreign member's 404: {took:.2f} s")
    assert (await casework.get(path, headers=realm.headers(LEAD))).status_code == 200
    listed = await casework.get(
        api.CASES, params={"person_ref": pid}, headers=realm.headers(FOREIGN)
    )
    assert listed.json()["items"] == []


async def test_a_health_data_withdrawal_hides_the_persons_health_notes(
    casework: httpx.AsyncClient, realm: Realm, withdraw_consent: WithdrawConsent
) -> None:
    person = str(uuid.uuid4())
    case = await _case_with(casework, realm, [person], role="psychologist")
    notes = f"{api.CASES}/{case['id']}/notes"
    health = await casework.post(
        notes,
        json={"body": "Synthetic: sleeps badly", "health": True, "person_ref": person},
        headers=realm.headers(FOREIGN),
    )
    assert health.status_code == 201, health.text
    plain = await casework.post(notes, json={"body": "Synthetic: met"}, headers=realm.headers(LEAD))
    await withdraw_consent(person, "health_data", "coop-aurora")

    async def hidden() -> bool:
        seen = await casework.get(notes, headers=realm.headers(FOREIGN))
        return {n["id"] for n in seen.json()["items"]} == {plain.json()["id"]}

    await eventually(hidden, 10, "the health note hidden")
    gone = await casework.get(f"{notes}/{health.json()['id']}", headers=realm.headers(FOREIGN))
    assert gone.status_code == 404  # from its author too: the consent no longer holds


async def test_a_merge_repoints_cases_and_notes_and_a_split_restores_them(
    casework: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    survivor, merged = str(uuid.uuid4()), str(uuid.uuid4())
    lead = realm.headers(LEAD)
    case = await api.open_case(casework, lead, person_refs=[merged])
    both = await api.open_case(casework, lead, person_refs=[survivor, merged])
    note = await casework.post(
        f"{api.CASES}/{case['id']}/notes",
        json={"body": "Synthetic: about the merged record", "person_ref": merged},
        headers=lead,
    )
    at = datetime.now(UTC).isoformat()
    data = {"survivor_ref": survivor, "merged_ref": merged, "merged_at": at}
    # delivered twice: the second changes nothing
    await publish(
        stack.kafka_bootstrap,
        [(PersonMerged, data), (PersonMerged, data)],
        subject=survivor,
        organisation="coop-aurora",
    )

    async def persons_of(case_id: str) -> list[str]:
        found = await casework.get(f"{api.CASES}/{case_id}", headers=lead)
        return sorted(found.json()["person_refs"])

    async def repointed() -> bool:
        return await persons_of(case["id"]) == [survivor]

    await eventually(repointed, 10, "the merge followed")
    assert await persons_of(both["id"]) == [survivor]
    one = await casework.get(f"{api.CASES}/{case['id']}/notes/{note.json()['id']}", headers=lead)
    assert one.json()["person_ref"] == survivor

    await publish(
        stack.kafka_bootstrap,
        [(PersonSplit, {"survivor_ref": survivor, "restored_ref": merged, "split_at": at})],
        subject=survivor,
        organisation="coop-aurora",
    )

    async def restored() -> bool:
        return await persons_of(case["id"]) == [merged]

    await eventually(restored, 10, "the split followed")
    assert await persons_of(both["id"]) == sorted([survivor, merged])
    back = await casework.get(f"{api.CASES}/{case['id']}/notes/{note.json()['id']}", headers=lead)
    assert back.json()["person_ref"] == merged


async def test_an_erasure_destroys_what_the_notes_say_of_the_person(
    casework: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    lead = realm.headers(LEAD)
    alone = await api.open_case(casework, lead, person_refs=[person])
    shared = await api.open_case(casework, lead, person_refs=[person, other])

    async def write(case: dict[str, Any], **fields: Any) -> str:
        made = await casework.post(
            f"{api.CASES}/{case['id']}/notes",
            json={"body": "Synthetic: Erasezz said so", **fields},
            headers=lead,
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    unnamed_alone = await write(alone)
    named = await write(shared, person_ref=person)
    about_other = await write(shared, person_ref=other)
    unnamed_shared = await write(shared)
    await publish(
        stack.kafka_bootstrap,
        [
            (
                PersonErased,
                {
                    "person_ref": person,
                    "merged_refs": [],
                    "ground": "data_subject_request",
                    "erased_at": datetime.now(UTC).isoformat(),
                },
            )
        ],
        subject=person,
        organisation="coop-aurora",
    )

    async def body(case: dict[str, Any], note_id: str) -> str:
        one = await casework.get(f"{api.CASES}/{case['id']}/notes/{note_id}", headers=lead)
        return str(one.json()["body"])

    async def erased() -> bool:
        return "Erasezz" not in await body(alone, unnamed_alone)

    await eventually(erased, 10, "the erasure followed")
    assert "Erasezz" not in await body(shared, named)
    assert "Erasezz" in await body(shared, about_other)  # another person's
    assert "Erasezz" in await body(shared, unnamed_shared)  # a case of two: not only theirs
    assert await casework.get(f"{api.CASES}/{alone['id']}", headers=lead)  # statistics stay
