"""Individual plans through the API: every change a new version under If-Match, every version
read back, none lost to concurrent writers; the first plan approved by a supervisor."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api
from kit.testing.pages import all_pages

pytestmark = pytest.mark.integration

WORKER, SUPERVISOR = "caseworker.ponte", "supervisor.ponte"


async def _case_and_owner(casework: httpx.AsyncClient, realm: Realm) -> tuple[str, str]:
    case = await api.open_case(casework, realm.headers(WORKER))
    team = await casework.get(f"{api.CASES}/{case['id']}/team", headers=realm.headers(WORKER))
    return case["id"], team.json()[0]["id"]


def _plan(owner: str, achievement: str = "not_started") -> dict[str, Any]:
    goal = "4f1c1f3e-0000-4000-8000-000000000001"
    return {
        "goals": [
            {
                "id": goal,
                "domain": "housing",
                "description": "Synthetic: a place in an autonomy apartment",
                "target_date": "2027-06-30",
                "achievement": achievement,
            },
            {"domain": "language", "description": "Synthetic: Italian A2"},
        ],
        "actions": [
            {
                "goal_id": goal,
                "description": "Synthetic: file a housing request",
                "owner": owner,
                "due_date": "2027-01-15",
            }
        ],
    }


def _plan_path(case_id: str) -> str:
    return f"{api.CASES}/{case_id}/plan"


async def test_a_plan_is_made_revised_under_if_match_and_every_version_read_back(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case_id, owner = await _case_and_owner(casework, realm)
    headers = realm.headers(WORKER)
    path = _plan_path(case_id)
    assert (await casework.get(path, headers=headers)).status_code == 404

    made = await casework.post(path, json=_plan(owner), headers=headers)
    assert made.status_code == 201, made.text
    assert made.headers["Location"] == path
    assert made.headers["ETag"] == '"1"'
    first = made.json()
    assert (first["version"], first["latest_version"], first["approved_version"]) == (1, 1, None)
    assert len({g["id"] for g in first["goals"]}) == 2
    assert first["actions"][0]["goal_id"] == first["goals"][0]["id"]
    again = await casework.post(path, json=_plan(owner), headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lgnet:problem:plan-exists"

    revision = {**_plan(owner), "goals": [dict(g) for g in first["goals"]]}
    revision["goals"][0]["achievement"] = "in_progress"
    assert (await casework.put(path, json=revision, headers=headers)).status_code == 428
    stale = await casework.put(path, json=revision, headers={**headers, "If-Match": '"5"'})
    assert stale.status_code == 412
    revised = await casework.put(path, json=revision, headers={**headers, "If-Match": '"1"'})
    assert revised.status_code == 200, revised.text
    assert revised.headers["ETag"] == '"2"'
    assert [g["id"] for g in revised.json()["goals"]] == [g["id"] for g in first["goals"]]

    versions = await all_pages(casework, f"{path}/versions", headers=headers, limit=1)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["goals"] == first["goals"]
    one = await casework.get(f"{path}/versions/1", headers=headers)
    assert one.json()["goals"] == first["goals"]
    assert one.json()["latest_version"] == 2
    assert (await casework.get(f"{path}/versions/3", headers=headers)).status_code == 404
    assert (await casework.get(f"{path}/versions/0", headers=headers)).status_code == 422


@pytest.mark.parametrize(
    "bad",
    [
        {"goals": []},
        {"goals": [{"domain": "leisure", "description": "x"}]},
        {"goals": [{"domain": "work", "description": "   "}]},
        {"goals": [{"domain": "work", "description": "x", "target_date": "2027-13-01"}]},
        {"goals": [{"domain": "work", "description": "x", "achievement": "done"}]},
        {"goals": [{"domain": "work", "description": "x"}], "actions": [{"description": "x"}]},
    ],
)
async def test_a_malformed_plan_is_refused(
    casework: httpx.AsyncClient, realm: Realm, bad: dict[str, Any]
) -> None:
    case_id, _ = await _case_and_owner(casework, realm)
    refused = await casework.post(_plan_path(case_id), json=bad, headers=realm.headers(WORKER))
    assert refused.status_code == 422, refused.text


async def test_actions_are_owned_by_team_members_and_point_at_the_plans_goals(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case_id, owner = await _case_and_owner(casework, realm)
    stranger = _plan(case_id)  # an id that is no membership
    refused = await casework.post(_plan_path(case_id), json=stranger, headers=realm.headers(WORKER))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "#/actions/0/owner"
    dangling = _plan(owner)
    dangling["actions"][0]["goal_id"] = case_id
    refused = await casework.post(_plan_path(case_id), json=dangling, headers=realm.headers(WORKER))
    assert refused.json()["errors"][0]["pointer"] == "#/actions/0/goal_id"


async def test_no_revision_is_lost_to_concurrent_writers_from_the_same_version(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case_id, owner = await _case_and_owner(casework, realm)
    headers = realm.headers(WORKER)
    path = _plan_path(case_id)
    assert (await casework.post(path, json=_plan(owner), headers=headers)).status_code == 201
    wins = 0
    for round_ in range(1, 5):
        etag = f'"{round_}"'
        writers = [
            casework.put(
                path,
                json={"goals": [{"domain": "work", "description": f"Synthetic {round_}.{i}"}]},
                headers={**headers, "If-Match": etag},
            )
            for i in range(6)
        ]
        answers = await asyncio.gather(*writers)
        assert sorted(a.status_code for a in answers) == [200] + [412] * 5
        winner = next(a for a in answers if a.status_code == 200).json()
        wins += 1
        stored = await casework.get(f"{path}/versions/{winner['version']}", headers=headers)
        assert stored.json()["goals"] == winner["goals"]  # what won is what was kept
    versions = await all_pages(casework, f"{path}/versions", headers=headers, limit=50)
    assert [v["version"] for v in versions] == list(range(1, wins + 2))


async def test_outsiders_see_no_plan(casework: httpx.AsyncClient, realm: Realm) -> None:
    case_id, owner = await _case_and_owner(casework, realm)
    path = _plan_path(case_id)
    await casework.post(path, json=_plan(owner), headers=realm.headers(WORKER))
    outsider = realm.headers("caseworker.aurora")
    for read in (path, f"{path}/versions", f"{path}/versions/1"):
        hidden = await casework.get(read, headers=outsider)
        assert hidden.status_code == 404
        assert hidden.json()["type"] == "urn:lgnet:problem:case-not-found"
    put = await casework.put(path, json=_plan(owner), headers={**outsider, "If-Match": '"1"'})
    assert put.status_code == 404


async def test_the_first_plan_is_approved_as_asked_and_the_case_carries_it_out(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case_id, owner = await _case_and_owner(casework, realm)
    worker, supervisor = realm.headers(WORKER), realm.headers(SUPERVISOR)
    asking = f"{_plan_path(case_id)}/approval-requests"
    nothing = await casework.post(asking, headers=worker)
    assert nothing.status_code == 409
    assert nothing.json()["type"] == "urn:lgnet:problem:no-plan-to-approve"
    assert (await api.step(casework, case_id, "assessment", worker)).is_success
    early = await api.step(casework, case_id, "plan_active", worker)
    assert early.status_code == 409, early.text
    await casework.post(_plan_path(case_id), json=_plan(owner), headers=worker)

    asked = (await casework.post(asking, headers=worker)).json()
    assert (asked["subject"], asked["plan_version"]) == ("first_plan", 1)
    # the plan moves on while the supervisor reads: what was asked is no longer the plan
    moved_on = await api.change(
        casework, _plan_path(case_id), _plan(owner, "in_progress"), worker, method="PUT"
    )
    assert moved_on.status_code == 200, moved_on.text
    stale = await api.decide(casework, asked["id"], supervisor)
    assert stale.status_code == 409
    assert stale.json()["type"] == "urn:lgnet:problem:plan-changed-since-asked"
    withdrawn = await api.change(
        casework, f"{api.APPROVALS}/{asked['id']}/withdrawal", None, worker
    )
    assert withdrawn.is_success

    asked = (await casework.post(asking, headers=worker)).json()
    assert asked["plan_version"] == 2
    approved = await api.decide(casework, asked["id"], supervisor)
    assert approved.status_code == 200, approved.text
    case = (await casework.get(f"{api.CASES}/{case_id}", headers=worker)).json()
    assert (case["status"], case["plan_approved_version"]) == ("plan_active", 2)
    plan = (await casework.get(_plan_path(case_id), headers=worker)).json()
    assert plan["approved_version"] == 2
    assert (await casework.post(asking, headers=worker)).status_code == 409
    assert (await api.step(casework, case_id, "monitoring", worker)).is_success
    assert (await api.step(casework, case_id, "plan_active", worker)).is_success
