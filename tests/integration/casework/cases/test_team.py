"""A case's team: membership grants a user access to the case, leaving revokes it at once;
the case manager changes the case whatever their organisation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api

pytestmark = pytest.mark.integration

LEAD, FOREIGN, FOREIGN_COLLEAGUE = "caseworker.ponte", "caseworker.aurora", "supervisor.aurora"


async def _case_with_foreign_member(
    casework: httpx.AsyncClient, realm: Realm, **member: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    case = await api.open_case(casework, realm.headers(LEAD))
    added = await casework.post(
        f"{api.CASES}/{case['id']}/team",
        json={
            "user": realm.subject(FOREIGN),
            "organisation": "coop-aurora",
            "role": "educator",
            **member,
        },
        headers=realm.headers(LEAD),
    )
    assert added.status_code == 201, added.text
    return case, added.json()


async def _sees(casework: httpx.AsyncClient, realm: Realm, user: str, case_id: str) -> bool:
    one = await casework.get(f"{api.CASES}/{case_id}", headers=realm.headers(user))
    listed = await casework.get(
        api.CASES, params={"team_member": realm.subject(FOREIGN)}, headers=realm.headers(user)
    )
    in_list = case_id in {c["id"] for c in listed.json()["items"]}
    assert one.status_code in (200, 404), one.text
    assert in_list is (one.status_code == 200)
    return one.status_code == 200


async def test_a_member_from_another_organisation_sees_the_case_until_they_leave(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, member = await _case_with_foreign_member(casework, realm)
    assert member["active"] is True
    assert member["case_manager"] is False
    assert abs(date.fromisoformat(member["joined_on"]) - date.today()) <= timedelta(days=1)
    assert await _sees(casework, realm, FOREIGN, case["id"])
    # the membership is the user's, not their organisation's
    assert not await _sees(casework, realm, FOREIGN_COLLEAGUE, case["id"])

    leaving = f"{api.CASES}/{case['id']}/team/{member['id']}/leaving"
    missing = await casework.post(leaving, json={}, headers=realm.headers(LEAD))
    assert missing.status_code == 428
    stale = await casework.post(
        leaving, json={}, headers={**realm.headers(LEAD), "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    left = await casework.post(leaving, json={}, headers={**realm.headers(LEAD), "If-Match": '"1"'})
    assert left.status_code == 200, left.text
    assert left.json()["active"] is False
    assert left.headers["ETag"] == '"2"'

    assert not await _sees(casework, realm, FOREIGN, case["id"])  # at once
    again = await casework.post(
        leaving, json={}, headers={**realm.headers(LEAD), "If-Match": '"2"'}
    )
    assert again.status_code == 409
    team = (
        await casework.get(f"{api.CASES}/{case['id']}/team", headers=realm.headers(LEAD))
    ).json()
    assert [m["active"] for m in team] == [True, False]  # the history stays


async def test_the_case_manager_changes_the_case_from_another_organisation(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, member = await _case_with_foreign_member(casework, realm)
    foreign = realm.headers(FOREIGN)
    refused = await api.step(casework, case["id"], "assessment", foreign)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "urn:lgnet:problem:not-managing-the-case"

    designated = await api.change(
        casework,
        f"{api.CASES}/{case['id']}/case-manager",
        {"member_id": member["id"]},
        realm.headers(LEAD),
        of=f"{api.CASES}/{case['id']}",
    )
    assert designated.status_code == 200, designated.text
    assert designated.json()["case_manager_id"] == member["id"]
    moved = await api.step(casework, case["id"], "assessment", foreign)
    assert moved.status_code == 200, moved.text
    managed = await casework.get(
        api.CASES, params={"case_manager": realm.subject(FOREIGN)}, headers=foreign
    )
    assert case["id"] in {c["id"] for c in managed.json()["items"]}

    # the manager hands the role on before leaving
    opener = next(
        m
        for m in (await casework.get(f"{api.CASES}/{case['id']}/team", headers=foreign)).json()
        if m["id"] != member["id"]
    )
    leaving = f"{api.CASES}/{case['id']}/team/{member['id']}/leaving"
    blocked = await api.change(casework, leaving, {}, foreign, of=leaving.rsplit("/", 1)[0])
    assert blocked.status_code == 409
    assert blocked.json()["type"] == "urn:lgnet:problem:case-manager-leaving"
    back = await api.change(
        casework,
        f"{api.CASES}/{case['id']}/case-manager",
        {"member_id": opener["id"]},
        foreign,
        of=f"{api.CASES}/{case['id']}",
    )
    assert back.status_code == 200, back.text


async def test_joining_is_checked(casework: httpx.AsyncClient, realm: Realm) -> None:
    case, _ = await _case_with_foreign_member(casework, realm)
    team = f"{api.CASES}/{case['id']}/team"
    lead = realm.headers(LEAD)
    base = {"user": realm.subject(FOREIGN), "organisation": "coop-aurora", "role": "psychologist"}
    twice = await casework.post(team, json=base, headers=lead)
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:lgnet:problem:already-on-team"
    future = (date.today() + timedelta(days=3)).isoformat()
    for bad in (
        {**base, "user": "someone-else", "joined_on": future},
        {**base, "user": "someone-else", "role": "guardian"},
        {**base, "user": "someone else"},
        {**base, "user": "someone-else", "organisation": "Coop Aurora"},
        {**base, "user": "someone-else", "case_manager": "yes"},
    ):
        refused = await casework.post(team, json=bad, headers=lead)
        assert refused.status_code == 422, (bad, refused.text)
    outsider = await casework.post(
        team, json={**base, "user": "someone-else"}, headers=realm.headers(FOREIGN_COLLEAGUE)
    )
    assert outsider.status_code == 404
    member_only = await casework.post(
        team, json={**base, "user": "someone-else"}, headers=realm.headers(FOREIGN)
    )
    assert member_only.status_code == 403  # sees the case, does not manage it
    missing = await casework.post(
        f"{api.CASES}/{case['id']}/case-manager",
        json={"member_id": case["id"]},
        headers={**lead, "If-Match": '"1"'},
    )
    assert missing.status_code == 422
