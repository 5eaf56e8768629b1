"""Proposals and placements through housing's API: a run proposes and holds the beds; a
decline frees them and keeps the pair from being proposed again until cleared; an expiry frees
them; an accept places the household; twenty households racing for the last bed make one
placement; a move-out frees it with its outcome; occupancy counts it day by day."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.apps import ServiceClient
from kit.testing.housing import register_facility, units_of
from kit.testing.resources import assert_problem
from services.housing.requests.proposals.jobs import expire_proposals
from tests.integration.housing.conftest import Cases
from tests.integration.housing.requests.test_api import LEAD, REQUESTS, filed

pytestmark = pytest.mark.integration

RUNS = "/v1/housing/matching-runs"
PROPOSALS = "/v1/housing/proposals"
PLACEMENTS = "/v1/housing/placements"
COORDINATOR = "housing.ponte"
# Each test's rooms admit women of one age, its own: a run of one test never proposes another
# test's rooms to its households (the other module's facilities admit none of them).
AGES = iter(range(30, 60))


async def _room(housing: httpx.AsyncClient, realm: Realm, age: int) -> tuple[str, str]:
    women: dict[str, Any] = {
        "target_groups": ["other"], "sex_policy": "female", "min_age": age, "max_age": age
    }  # fmt: skip
    facility = (await register_facility(housing, realm, kind="co_housing", **women)).json()
    unit = await housing.post(
        units_of(facility),
        json={"label": "Room", "beds": 1, "letting": "by_bed", "accessible": True},
        headers=realm.headers(COORDINATOR),
    )
    assert unit.status_code == 201, unit.text
    return str(facility["id"]), str(unit.json()["id"])


async def _woman(housing: httpx.AsyncClient, realm: Realm, cases: Cases, age: int) -> str:
    case_id = await cases.open(target_group="other_vulnerable")
    request = await filed(housing, realm, case_id, members=[{"sex": "female", "age": age}])
    return str(request["id"])


async def _run(housing: httpx.AsyncClient, realm: Realm) -> dict[str, Any]:
    started = await housing.post(RUNS, headers=realm.headers(COORDINATOR))
    assert started.status_code == 201, started.text
    run: dict[str, Any] = started.json()
    return run


async def _live(housing: httpx.AsyncClient, realm: Realm, request_id: str) -> dict[str, Any]:
    listed = await housing.get(
        f"{REQUESTS}/{request_id}/proposals", headers=realm.headers(COORDINATOR)
    )
    [proposal] = [p for p in listed.json() if p["status"] == "live"]
    found: dict[str, Any] = proposal
    return found


async def _free(housing: httpx.AsyncClient, realm: Realm, facility: str, unit: str) -> int:
    found = await housing.get(
        f"/v1/housing/facilities/{facility}/units/{unit}", headers=realm.headers(COORDINATOR)
    )
    return int(found.json()["free_beds"])


def _if(proposal: dict[str, Any], user: str, realm: Realm) -> dict[str, str]:
    return {**realm.headers(user), "If-Match": f'"{proposal["version"]}"'}


async def test_a_run_proposes_and_holds_a_decline_frees_and_is_not_proposed_again(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    facility, unit = await _room(housing, realm, age)
    request = await _woman(housing, realm, cases, age)
    await _run(housing, realm)
    proposal = await _live(housing, realm, request)
    assert proposal["unit_id"] == unit
    assert proposal["beds"] == 1
    assert await _free(housing, realm, facility, unit) == 0  # held
    status = await housing.get(f"{REQUESTS}/{request}", headers=realm.headers(LEAD))
    assert status.json()["status"] == "proposed"

    declined = await housing.post(
        f"{PROPOSALS}/{proposal['id']}/decline",
        json={"reason": "household_location"},
        headers=_if(proposal, LEAD, realm),
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["declined_by"]) == ("declined", "household")
    assert await _free(housing, realm, facility, unit) == 1
    again = await housing.post(
        f"{PROPOSALS}/{proposal['id']}/decline",
        json={"reason": "provider_group_fit"},
        headers=_if(declined.json(), COORDINATOR, realm),
    )
    assert_problem(again, 409, "urn:lgnet:problem:proposal-not-live")

    await _run(housing, realm)  # the declined pair is not proposed again
    listed = await housing.get(f"{REQUESTS}/{request}/proposals", headers=realm.headers(LEAD))
    assert [p["status"] for p in listed.json()] == ["declined"]

    cleared = await housing.delete(
        f"{REQUESTS}/{request}/declined-units/{unit}", headers=realm.headers(COORDINATOR)
    )
    assert cleared.status_code == 204
    await _run(housing, realm)
    assert (await _live(housing, realm, request))["unit_id"] == unit


async def test_an_expired_proposal_frees_its_bed_and_the_request_waits_again(
    housing: ServiceClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    facility, unit = await _room(housing, realm, age)
    request = await _woman(housing, realm, cases, age)
    await _run(housing, realm)
    proposal = await _live(housing, realm, request)
    later = datetime.now(UTC) + timedelta(days=30)
    ended = await expire_proposals(housing.app.state.database, now=later)
    assert proposal["id"] in {str(i) for i in ended}
    found = await housing.get(f"{PROPOSALS}/{proposal['id']}", headers=realm.headers(LEAD))
    assert found.json()["status"] == "expired"
    assert await _free(housing, realm, facility, unit) == 1
    waiting = await housing.get(f"{REQUESTS}/{request}", headers=realm.headers(LEAD))
    assert waiting.json()["status"] == "waiting"


async def test_an_accept_places_the_household_and_a_move_out_frees_the_bed(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    facility, unit = await _room(housing, realm, age)
    request = await _woman(housing, realm, cases, age)
    await _run(housing, realm)
    proposal = await _live(housing, realm, request)
    accepted = await housing.post(
        f"{PROPOSALS}/{proposal['id']}/acceptance", json={}, headers=_if(proposal, LEAD, realm)
    )
    assert accepted.status_code == 201, accepted.text
    placement = accepted.json()
    assert (placement["request_id"], placement["unit_id"]) == (request, unit)
    assert placement["moved_in_on"] == date.today().isoformat()
    assert placement["stay_ends_on"] == (date.today() + timedelta(days=90)).isoformat()
    assert placement["over_stay"] is False
    assert await _free(housing, realm, facility, unit) == 0
    status = await housing.get(f"{REQUESTS}/{request}", headers=realm.headers(LEAD))
    assert status.json()["status"] == "placed"

    occupied = await housing.get(
        f"/v1/housing/facilities/{facility}/occupancy",
        params={"from": (date.today() - timedelta(days=1)).isoformat()},
        headers=realm.headers(COORDINATOR),
    )
    assert occupied.status_code == 200, occupied.text
    assert [d["placed_beds"] for d in occupied.json()["days"]] == [0, 1]

    path = f"{PLACEMENTS}/{placement['id']}"
    case_worker = await housing.post(
        f"{path}/move-out",
        json={"outcome": "autonomous_housing"},
        headers={**realm.headers(LEAD), "If-Match": '"1"'},
    )
    assert_problem(case_worker, 403)  # the facility's organisation records it
    moved = await housing.post(
        f"{path}/move-out",
        json={"outcome": "autonomous_housing"},
        headers={**realm.headers(COORDINATOR), "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["outcome"] == "autonomous_housing"
    assert await _free(housing, realm, facility, unit) == 1
    twice = await housing.post(
        f"{path}/move-out",
        json={"outcome": "other"},
        headers={**realm.headers(COORDINATOR), "If-Match": '"2"'},
    )
    assert_problem(twice, 409, "urn:lgnet:problem:placement-ended")


async def test_twenty_parallel_accepts_of_one_proposal_make_one_placement(
    housing: ServiceClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    await _room(housing, realm, age)
    request = await _woman(housing, realm, cases, age)
    await _run(housing, realm)
    proposal = await _live(housing, realm, request)
    headers = _if(proposal, COORDINATOR, realm)
    answers = await asyncio.gather(
        *(
            housing.post(f"{PROPOSALS}/{proposal['id']}/acceptance", json={}, headers=headers)
            for _ in range(20)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, [a.text for a in answers if a.status_code != 201][:2]
    assert set(codes) <= {201, 409, 412}
    placed = await housing.get(
        PLACEMENTS, params={"request_id": request}, headers=realm.headers(COORDINATOR)
    )
    assert len(placed.json()["items"]) == 1


async def test_twenty_households_racing_for_the_last_bed_make_one_placement(
    housing: ServiceClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    facility, unit = await _room(housing, realm, age)
    waiting = [await _woman(housing, realm, cases, age) for _ in range(20)]
    answers = await asyncio.gather(
        *(
            housing.post(
                PLACEMENTS,
                json={"request_id": request, "unit_id": unit},
                headers=realm.headers(COORDINATOR),
            )
            for request in waiting
        )
    )
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 1, [a.text for a in answers if a.status_code not in (201, 409)]
    assert codes.count(409) == 19
    assert {a.json()["type"] for a in answers if a.status_code == 409} == {
        "urn:lgnet:problem:no-free-bed"
    }
    placed = await housing.get(
        PLACEMENTS, params={"facility_id": facility}, headers=realm.headers(COORDINATOR)
    )
    assert len(placed.json()["items"]) == 1


async def test_a_direct_placement_must_fit_the_unit(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    age = next(AGES)
    _, unit = await _room(housing, realm, age)
    case_id = await cases.open(target_group="other_vulnerable")
    man = await filed(housing, realm, case_id, members=[{"sex": "male", "age": age}])
    refused = await housing.post(
        PLACEMENTS,
        json={"request_id": man["id"], "unit_id": unit},
        headers=realm.headers(COORDINATOR),
    )
    problem = assert_problem(refused, 409, "urn:lgnet:problem:unit-does-not-fit")
    assert problem["constraints"] == ["sex_policy"]
    by_aurora = await housing.post(
        PLACEMENTS,
        json={"request_id": man["id"], "unit_id": unit},
        headers=realm.headers("caseworker.aurora"),
    )
    assert_problem(by_aurora, 403)
