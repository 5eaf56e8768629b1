"""Housing requests through housing's API, with real Keycloak tokens and PostgreSQL, for
cases housing knows from casework's events (published to the real Kafka by `cases`)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.resources import assert_created, assert_problem
from kit.testing.waiting import eventually
from tests.integration.housing.conftest import Cases

pytestmark = pytest.mark.integration

REQUESTS = "/v1/housing/requests"
LEAD, OTHER = "caseworker.ponte", "caseworker.aurora"
FAMILY = [
    {"sex": "female", "age": 34},
    {"sex": "male", "age": 9},
    {"sex": "female", "age": 4},
]


def body(case_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "members": FAMILY,
        "needs_accessible": False,
        "preferred_municipi": [8, 9, 8],
        "urgency": "high",
        **changes,
    }


async def file(
    housing: httpx.AsyncClient, realm: Realm, case_id: str, user: str = LEAD, **changes: Any
) -> httpx.Response:
    return await housing.post(REQUESTS, json=body(case_id, **changes), headers=realm.headers(user))


async def filed(
    housing: httpx.AsyncClient, realm: Realm, case_id: str, **changes: Any
) -> dict[str, Any]:
    created = await file(housing, realm, case_id, **changes)
    found: dict[str, Any] = assert_created(created, REQUESTS)
    return found


async def test_a_case_worker_files_a_request_for_a_case_their_organisation_leads(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open(target_group="vulnerable_family", urgency="high")
    created = await file(housing, realm, case_id)
    request = assert_created(created, REQUESTS)
    assert created.headers["ETag"] == '"1"'
    assert request["status"] == "waiting"
    assert request["target_group"] == "vulnerable_family"  # the case's, not typed
    assert (request["household_size"], request["adults"], request["minors"]) == (3, 1, 2)
    assert request["preferred_municipi"] == [8, 9]  # each once, in order
    assert request["vulnerability"] == 3  # a vulnerable family, urgent at intake
    assert request["requested_on"] == date.today().isoformat()
    assert request["waiting_days"] == 0
    assert request["organisation"] == "assoc-ponte"

    fetched = await housing.get(created.headers["Location"], headers=realm.headers(LEAD))
    assert fetched.status_code == 200
    assert fetched.json() == request


async def test_the_case_target_group_maps_to_the_platforms_and_sets_vulnerability(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open(target_group="young_adult_leaving_care", urgency="normal")
    request = await filed(housing, realm, case_id, members=[{"sex": "male", "age": 18}])
    assert request["target_group"] == "young_adult"
    assert request["vulnerability"] == 1


async def test_a_request_moved_from_paper_keeps_its_date_and_counts_its_wait(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open()
    asked = date.today() - timedelta(days=40)
    request = await filed(housing, realm, case_id, requested_on=asked.isoformat())
    assert request["waiting_days"] == 40

    future = (date.today() + timedelta(days=1)).isoformat()
    refused = await file(housing, realm, await cases.open(), requested_on=future)
    assert_problem(refused, 422, "urn:lgnet:problem:validation-failed")


async def test_an_organisation_not_acting_for_the_case_gets_404_until_it_joins_the_team(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open()
    assert_problem(
        await file(housing, realm, case_id, user=OTHER), 404, "urn:lgnet:problem:case-not-found"
    )
    request = await filed(housing, realm, case_id)
    path = f"{REQUESTS}/{request['id']}"
    assert_problem(await housing.get(path, headers=realm.headers(OTHER)), 404)

    await cases.member(case_id, "coop-aurora")
    assert (await housing.get(path, headers=realm.headers(OTHER))).status_code == 200

    await cases.member(case_id, "coop-aurora", left=True)
    assert_problem(await housing.get(path, headers=realm.headers(OTHER)), 404)


async def test_a_case_housing_never_heard_of_gets_404(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(await file(housing, realm, unknown), 404, "urn:lgnet:problem:case-not-found")
    assert_problem(await file(housing, realm, unknown, user="coordinator.comune"), 404)


async def test_one_open_request_per_case(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open()
    first = await filed(housing, realm, case_id)
    assert_problem(
        await file(housing, realm, case_id), 409, "urn:lgnet:problem:request-open-already"
    )

    await _withdraw(housing, realm, first, "filed_in_error")
    await filed(housing, realm, case_id)  # a withdrawn one does not count


async def test_who_reads_and_files(housing: httpx.AsyncClient, realm: Realm, cases: Cases) -> None:
    case_id = await cases.open()
    request = await filed(housing, realm, case_id)
    path = f"{REQUESTS}/{request['id']}"
    for reader in ("housing.ponte", "coordinator.comune", "supervisor.ponte"):
        assert (await housing.get(path, headers=realm.headers(reader))).status_code == 200
    assert_problem(await housing.get(path, headers=realm.headers("intake.ponte")), 403)
    # a housing coordinator matches requests; a case worker files them
    other_case = await cases.open()
    assert_problem(await file(housing, realm, other_case, user="housing.ponte"), 403)
    assert (await file(housing, realm, other_case, user="coordinator.comune")).status_code == 201


async def test_lists_show_what_the_caller_may_see_longest_waiting_first(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    ours = await cases.open()
    theirs = await cases.open("coop-aurora")
    old = (date.today() - timedelta(days=300)).isoformat()
    mine = await filed(housing, realm, ours, requested_on=old)
    other = await housing.post(REQUESTS, json=body(theirs), headers=realm.headers(OTHER))
    assert other.status_code == 201, other.text

    listed = await housing.get(REQUESTS, headers=realm.headers(LEAD), params={"limit": 100})
    ids = [item["id"] for item in listed.json()["items"]]
    assert mine["id"] in ids
    assert other.json()["id"] not in ids

    everyone = await housing.get(
        REQUESTS, headers=realm.headers("housing.ponte"), params={"limit": 2}
    )
    assert everyone.status_code == 200
    first = everyone.json()["items"]
    assert [item["requested_on"] for item in first] == sorted(i["requested_on"] for i in first)

    by_case = await housing.get(
        REQUESTS, headers=realm.headers("housing.ponte"), params={"case_id": theirs}
    )
    assert [item["id"] for item in by_case.json()["items"]] == [other.json()["id"]]
    bad = await housing.get(REQUESTS, headers=realm.headers(LEAD), params={"status": "lost"})
    assert_problem(bad, 422)


async def test_a_change_needs_if_match_and_changes_only_what_is_given(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    request = await filed(housing, realm, await cases.open())
    path = f"{REQUESTS}/{request['id']}"
    headers = realm.headers(LEAD)
    change = {"members": [{"sex": "female", "age": 34}], "urgency": "immediate"}
    assert_problem(await housing.patch(path, json=change, headers=headers), 428)
    stale = await housing.patch(path, json=change, headers={**headers, "If-Match": '"7"'})
    assert_problem(stale, 412)

    changed = await housing.patch(path, json=change, headers={**headers, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    after = changed.json()
    assert (after["household_size"], after["minors"], after["urgency"]) == (1, 0, "immediate")
    assert after["preferred_municipi"] == [8, 9]  # kept

    same = await housing.patch(path, json={}, headers={**headers, "If-Match": '"2"'})
    assert same.headers["ETag"] == '"2"'  # nothing changed: no new version
    nulled = {"urgency": None}
    nulled_response = await housing.patch(path, json=nulled, headers={**headers, "If-Match": '"2"'})
    assert_problem(nulled_response, 422)


async def test_a_withdrawn_request_does_not_change_and_platform_reasons_are_refused(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    request = await filed(housing, realm, await cases.open())
    path = f"{REQUESTS}/{request['id']}"
    headers = {**realm.headers(LEAD), "If-Match": '"1"'}
    reserved = await housing.post(
        f"{path}/withdrawal", json={"reason": "case_closed"}, headers=headers
    )
    assert_problem(reserved, 422, "urn:lgnet:problem:validation-failed")

    withdrawn = await _withdraw(housing, realm, request, "housed_elsewhere")
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawal_reason"] == "housed_elsewhere"
    again = await housing.post(
        f"{path}/withdrawal",
        json={"reason": "housed_elsewhere"},
        headers={**realm.headers(LEAD), "If-Match": '"2"'},
    )
    assert_problem(again, 409, "urn:lgnet:problem:request-not-open")
    patched = await housing.patch(
        path, json={"urgency": "normal"}, headers={**realm.headers(LEAD), "If-Match": '"2"'}
    )
    assert_problem(patched, 409, "urn:lgnet:problem:request-not-open")


@pytest.mark.parametrize(
    "changes",
    [
        {"members": []},
        {"members": [{"sex": "male", "age": 200}]},
        {"members": [{"sex": "unknown", "age": 20}]},
        {"members": [{"sex": "male", "age": "20"}]},
        {"preferred_municipi": [10]},
        {"urgency": "tonight"},
        {"needs_accessible": "yes"},
        {"requested_on": "2026-13-01"},
        {"name": "Synthetic"},
    ],
)
async def test_bad_bodies_get_422_and_file_nothing(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases, changes: dict[str, Any]
) -> None:
    case_id = await cases.open()
    assert_problem(await file(housing, realm, case_id, **changes), 422)
    listed = await housing.get(REQUESTS, headers=realm.headers(LEAD), params={"case_id": case_id})
    assert listed.json()["items"] == []


async def test_a_closed_case_withdraws_its_open_request_and_takes_no_new_one(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    case_id = await cases.open()
    request = await filed(housing, realm, case_id)
    await cases.close(case_id)
    found = await _eventually_status(housing, realm, request, "withdrawn")
    assert found["withdrawal_reason"] == "case_closed"
    assert_problem(
        await file(housing, realm, case_id), 409, "urn:lgnet:problem:case-not-taken-in-charge"
    )


async def test_a_withdrawn_housing_consent_withdraws_the_open_request(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    person, untouched = str(uuid.uuid4()), str(uuid.uuid4())
    case_id = await cases.open(person_refs=[person])
    request = await filed(housing, realm, case_id)
    other = await filed(housing, realm, await cases.open(person_refs=[untouched]))
    await cases.withdraw_consent(person, purpose="network_sharing")  # not housing's
    await cases.withdraw_consent(person)
    found = await _eventually_status(housing, realm, request, "withdrawn")
    assert found["withdrawal_reason"] == "consent_withdrawn"
    still = await housing.get(f"{REQUESTS}/{other['id']}", headers=realm.headers(LEAD))
    assert still.json()["status"] == "waiting"


async def test_an_erased_person_s_request_is_withdrawn_and_forgets_the_household(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    person = str(uuid.uuid4())
    request = await filed(housing, realm, await cases.open(person_refs=[person]))
    await cases.erase(person)
    found = await _eventually_status(housing, realm, request, "withdrawn")
    assert found["withdrawal_reason"] == "person_erased"
    assert found["members"] == []
    assert found["household_size"] == 3  # the count stays


async def _withdraw(
    housing: httpx.AsyncClient, realm: Realm, request: dict[str, Any], reason: str
) -> dict[str, Any]:
    path = f"{REQUESTS}/{request['id']}"
    current = await housing.get(path, headers=realm.headers(LEAD))
    withdrawn = await housing.post(
        f"{path}/withdrawal",
        json={"reason": reason},
        headers={**realm.headers(LEAD), "If-Match": current.headers["ETag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    found: dict[str, Any] = withdrawn.json()
    return found


async def _eventually_status(
    housing: httpx.AsyncClient, realm: Realm, request: dict[str, Any], status: str
) -> dict[str, Any]:
    path = f"{REQUESTS}/{request['id']}"
    seen: dict[str, Any] = {}

    async def reached() -> bool:
        seen.update((await housing.get(path, headers=realm.headers("housing.ponte"))).json())
        return bool(seen["status"] == status)

    await eventually(reached, 20, f"the request became {status}")
    return seen
