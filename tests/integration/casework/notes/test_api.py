"""Case notes: each confidentiality level read by exactly whom it is for, health notes only by
the team roles that need them; a note outside one's level is never returned or counted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api
from kit.testing.pages import all_pages

pytestmark = pytest.mark.integration

AUTHOR = "caseworker.ponte"  # lead organisation, social worker, case manager
MEMBERS = {"caseworker.aurora": "educator", "supervisor.aurora": "psychologist"}


@pytest.fixture(scope="module")
async def case(casework: httpx.AsyncClient, realm: Realm) -> dict[str, Any]:
    opened = await api.open_case(casework, realm.headers(AUTHOR))
    for user, role in MEMBERS.items():
        added = await casework.post(
            f"{api.CASES}/{opened['id']}/team",
            json={"user": realm.subject(user), "organisation": "coop-aurora", "role": role},
            headers=realm.headers(AUTHOR),
        )
        assert added.status_code == 201, added.text
    return opened


async def _write(
    casework: httpx.AsyncClient, realm: Realm, case: dict[str, Any], user: str, **note: Any
) -> httpx.Response:
    return await casework.post(
        f"{api.CASES}/{case['id']}/notes",
        json={"body": f"Synthetic note {note}", **note},
        headers=realm.headers(user),
    )


async def test_each_level_is_read_by_whom_it_is_for(
    casework: httpx.AsyncClient, realm: Realm, case: dict[str, Any]
) -> None:
    person = case["person_refs"][0]
    written = {}
    for name, fields in {
        "team": {"confidentiality": "team"},
        "lead": {"confidentiality": "lead_organisation"},
        "author": {"confidentiality": "author_only"},
        "health": {"confidentiality": "team", "health": True, "person_ref": person},
    }.items():
        answer = await _write(casework, realm, case, AUTHOR, **fields)
        assert answer.status_code == 201, answer.text
        written[name] = answer.json()["id"]

    expected = {
        AUTHOR: {"team", "lead", "author", "health"},
        "supervisor.ponte": {"team", "lead"},  # the lead organisation, not on the team
        "caseworker.aurora": {"team"},  # an educator on the team
        "supervisor.aurora": {"team", "health"},  # a psychologist on the team
        "coordinator.comune": set(),  # oversees the case, not what the team writes
        "intake.ponte": set(),  # the lead organisation's intake desk
    }
    path = f"{api.CASES}/{case['id']}/notes"
    for user, levels in expected.items():
        seen = await all_pages(casework, path, headers=realm.headers(user), limit=2)
        ours = {n["id"] for n in seen} & set(written.values())
        assert ours == {written[level] for level in levels}, user
        for level, note_id in written.items():
            one = await casework.get(f"{path}/{note_id}", headers=realm.headers(user))
            assert one.status_code == (200 if level in levels else 404), (user, level)
            if one.status_code == 404:
                assert one.json()["type"] == "urn:lgnet:problem:note-not-found"


async def test_outside_the_case_there_are_no_notes_at_all(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    other = await api.open_case(casework, realm.headers(AUTHOR))
    path = f"{api.CASES}/{other['id']}/notes"
    assert (await _write(casework, realm, other, AUTHOR, confidentiality="team")).is_success
    for user in ("caseworker.aurora", "supervisor.aurora"):  # not on this case's team
        hidden = await casework.get(path, headers=realm.headers(user))
        assert hidden.status_code == 404
        assert hidden.json()["type"] == "urn:lgnet:problem:case-not-found"
        refused = await _write(casework, realm, other, user)
        assert refused.status_code == 404


async def test_health_notes_are_written_by_those_who_read_them_about_a_person_of_the_case(
    casework: httpx.AsyncClient, realm: Realm, case: dict[str, Any]
) -> None:
    person = case["person_refs"][0]
    educator = await _write(
        casework, realm, case, "caseworker.aurora", health=True, person_ref=person
    )
    assert educator.status_code == 403
    assert educator.json()["type"] == "urn:lgnet:problem:health-note-not-allowed"
    psychologist = await _write(
        casework, realm, case, "supervisor.aurora", health=True, person_ref=person
    )
    assert psychologist.status_code == 201, psychologist.text
    for bad in (
        {"health": True},
        {"health": True, "person_ref": case["id"]},
        {"confidentiality": "secret"},
        {"health": "yes", "person_ref": person},
        {"body": "  "},
    ):
        refused = await _write(casework, realm, case, AUTHOR, **bad)
        assert refused.status_code == 422, (bad, refused.text)
