"""Subject access: everything casework holds on a person, in the cases the caller sees and at
the note levels they read; 404 for someone who sees no case of theirs."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api

pytestmark = pytest.mark.integration

LEAD, OTHER_LEAD, FOREIGN = "caseworker.ponte", "supervisor.ponte", "caseworker.aurora"


def _export(person: str) -> str:
    return f"/v1/casework/subjects/{person}/export"


async def _note(
    casework: httpx.AsyncClient, realm: Realm, case: dict[str, Any], user: str, **fields: Any
) -> str:
    made = await casework.post(
        f"{api.CASES}/{case['id']}/notes",
        json={"body": f"Synthetic note {fields}", **fields},
        headers=realm.headers(user),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_the_export_holds_the_persons_cases_and_what_the_caller_may_read(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    lead = realm.headers(LEAD)
    alone = await api.open_case(casework, lead, person_refs=[person])
    shared = await api.open_case(casework, lead, person_refs=[person, other])
    owner = (await casework.get(f"{api.CASES}/{alone['id']}/team", headers=lead)).json()[0]["id"]
    plan = {"goals": [{"domain": "education", "description": "Synthetic: school"}]}
    assert (
        await casework.post(f"{api.CASES}/{alone['id']}/plan", json=plan, headers=lead)
    ).is_success
    about = await _note(casework, realm, alone, LEAD)
    named = await _note(casework, realm, shared, LEAD, person_ref=person)
    of_other = await _note(casework, realm, shared, LEAD, person_ref=other)
    private = await _note(casework, realm, alone, OTHER_LEAD, confidentiality="author_only")
    await api.request_closure(casework, shared["id"], lead)

    exported = await casework.get(_export(person), headers=lead)
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["person_ref"] == person
    by_case = {c["case"]["id"]: c for c in body["cases"]}
    assert set(by_case) == {alone["id"], shared["id"]}
    assert [v["version"] for v in by_case[alone["id"]]["plan_versions"]] == [1]
    assert by_case[alone["id"]]["team"][0]["id"] == owner
    assert [s["status"] for s in by_case[alone["id"]]["status_history"]] == ["open"]
    assert [a["subject"] for a in by_case[shared["id"]]["approvals"]] == ["closure"]
    assert {n["id"] for n in by_case[alone["id"]]["notes"]} == {about}  # not another's private
    assert {n["id"] for n in by_case[shared["id"]]["notes"]} == {named}  # not the other person's
    assert of_other not in str(body)
    assert private not in str(body)
    assert body["consent_withdrawals"] == []


async def test_who_sees_no_case_of_the_person_gets_404(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    person = str(uuid.uuid4())
    case = await api.open_case(casework, realm.headers(LEAD), person_refs=[person])
    lead_only = await _note(casework, realm, case, LEAD, confidentiality="lead_organisation")
    hidden = await casework.get(_export(person), headers=realm.headers(FOREIGN))
    assert hidden.status_code == 404
    assert hidden.json()["type"] == "urn:lgnet:problem:subject-not-found"
    assert (
        await casework.get(_export(str(uuid.uuid4())), headers=realm.headers(LEAD))
    ).status_code == 404
    assert (
        await casework.get(_export("not-an-id"), headers=realm.headers(LEAD))
    ).status_code == 422

    added = await casework.post(
        f"{api.CASES}/{case['id']}/team",
        json={"user": realm.subject(FOREIGN), "organisation": "coop-aurora", "role": "educator"},
        headers=realm.headers(LEAD),
    )
    assert added.status_code == 201
    member = await casework.get(_export(person), headers=realm.headers(FOREIGN))
    assert member.status_code == 200
    assert lead_only not in member.text  # their level does not reach it
