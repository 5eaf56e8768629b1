"""Matching through housing's API: candidates with every constraint and term, a run that
assigns all waiting requests at once, the explanation of each request it leaves out, and the
what-if preview that a run under the previewed weights then does. Real Keycloak, PostgreSQL
and Kafka (the case facts come from casework's events)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.db import utcnow
from kit.testing.housing import register_facility, units_of
from kit.testing.resources import assert_problem
from tests.integration.housing.conftest import Cases
from tests.integration.housing.requests.test_api import REQUESTS, filed

pytestmark = pytest.mark.integration

RUNS = "/v1/housing/matching-runs"
PREVIEWS = "/v1/housing/matching-previews"
POLICY = "/v1/housing/policies/housing.matching"
COORDINATOR = "housing.ponte"
YOUNG_MAN = [{"sex": "male", "age": 19}]


@dataclass
class Scenario:
    shelter_unit: str  # two beds by the bed, young men 18–25, Municipio 8
    apartment_unit: str  # four beds let whole, families, Municipio 3
    first: str  # three young men compete for the shelter's two beds
    second: str
    third: str  # the least urgent, the newest
    family: str
    young_woman: str  # the shelter is for men: nothing fits her


async def _unit(
    housing: httpx.AsyncClient, realm: Realm, facility: dict[str, Any], **unit: Any
) -> str:
    added = await housing.post(units_of(facility), json=unit, headers=realm.headers(COORDINATOR))
    assert added.status_code == 201, added.text
    return str(added.json()["id"])


async def scenario(housing: httpx.AsyncClient, realm: Realm, cases: Cases) -> Scenario:
    shelter = (
        await register_facility(
            housing, realm, target_groups=["young_adult"], min_age=18, max_age=25, municipio=8
        )
    ).json()
    apartment = (
        await register_facility(
            housing,
            realm,
            kind="autonomy_apartment",
            target_groups=["vulnerable_family"],
            sex_policy="family",
            min_age=0,
            max_age=None,
            municipio=3,
        )
    ).json()
    shelter_unit = await _unit(
        housing, realm, shelter, label="Room 1", beds=2, letting="by_bed", accessible=True
    )
    apartment_unit = await _unit(
        housing, realm, apartment, label="Flat", beds=4, letting="whole", accessible=False
    )
    long_ago = (date.today() - timedelta(days=60)).isoformat()

    async def young(urgency: str, members: list[dict[str, Any]] = YOUNG_MAN, **more: Any) -> str:
        case_id = await cases.open(target_group="young_adult_leaving_care", urgency="normal")
        request = await filed(housing, realm, case_id, members=members, urgency=urgency, **more)
        return str(request["id"])

    family_case = await cases.open(target_group="vulnerable_family")
    family = await filed(housing, realm, family_case, preferred_municipi=[3])
    return Scenario(
        shelter_unit=shelter_unit,
        apartment_unit=apartment_unit,
        first=await young("immediate", preferred_municipi=[8]),
        second=await young("high"),
        third=await young("normal", requested_on=long_ago),
        family=str(family["id"]),
        young_woman=await young("immediate", members=[{"sex": "female", "age": 20}]),
    )


async def test_candidates_run_explanation_and_preview(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    s = await scenario(housing, realm, cases)
    headers = realm.headers(COORDINATOR)

    # a request's candidates: the shelter's room fits, every constraint and term shown
    candidates = await housing.get(f"{REQUESTS}/{s.first}/candidates", headers=headers)
    assert candidates.status_code == 200, candidates.text
    [room] = candidates.json()
    assert room["unit_id"] == s.shelter_unit
    assert room["feasible"] is True
    assert set(room["constraints"]) == {
        "target_group", "beds", "sex_policy", "age_range", "accessibility"
    }  # fmt: skip
    assert room["terms"]["urgency"] == 12.0  # immediate (3) × 4
    assert room["terms"]["preference"] == 2.0  # Municipio 8, as preferred
    assert room["score"] == pytest.approx(sum(room["terms"].values()))
    judged = await housing.get(
        f"{REQUESTS}/{s.first}/candidates", headers=headers, params={"feasible_only": "false"}
    )
    flat = next(c for c in judged.json() if c["unit_id"] == s.apartment_unit)
    assert flat["feasible"] is False
    assert flat["constraints"]["target_group"] is False
    assert flat["constraints"]["sex_policy"] is False  # a family flat, a man alone

    # a unit's candidates: the three young men, best first
    ranked = await housing.get(
        f"{units_of({'id': await _facility_of(housing, realm, s.shelter_unit)})}/"
        f"{s.shelter_unit}/candidates",
        headers=headers,
    )
    assert ranked.status_code == 200, ranked.text
    assert [c["request_id"] for c in ranked.json()] == [s.first, s.second, s.third]
    assert all(c["household_size"] == 1 for c in ranked.json())

    # the preview of new weights (waiting counts most) before they are recorded ...
    document = (await housing.get(POLICY, headers=headers)).json()["document"]
    document.update(urgency=0.5, waiting=6.0)
    previewed = await housing.post(PREVIEWS, json={"document": document}, headers=headers)
    assert previewed.status_code == 200, previewed.text
    preview = previewed.json()
    assert any(m["request_id"] == s.third for m in preview["moved_up"])
    assert preview["assignment"][s.third] == s.shelter_unit  # the long wait now wins a bed
    assert s.second in preview["unhoused"]
    assert s.third in preview["housed"]

    # ... is what a run under them then does
    recorded = await housing.post(
        f"{POLICY}/versions",
        json={
            "document": document,
            "effective_from": (utcnow() + timedelta(seconds=1)).isoformat(),
            "why": "Synthetic: waiting time first",
        },
        headers=realm.headers("coordinator.comune"),
    )
    assert recorded.status_code == 201, recorded.text
    await asyncio.sleep(1.2)
    started = await housing.post(RUNS, headers=headers)
    assert started.status_code == 201, started.text
    run = started.json()
    assert run["policy_version"] == recorded.json()["version"]
    assert (run["optimal"], run["gap"]) == (True, 0.0)
    results = await housing.get(
        f"{RUNS}/{run['id']}/results", headers=headers, params={"limit": 200}
    )
    assignment = {r["request_id"]: r["unit_id"] for r in results.json()["items"] if r["unit_id"]}
    assert assignment == preview["assignment"]
    assert run["total_priority"] == pytest.approx(preview["proposed"]["total_priority"])

    # why is the second not housed? the room went to two others, named with their scores
    why = await housing.get(f"{REQUESTS}/{s.second}/explanation", headers=headers)
    assert why.status_code == 200, why.text
    explained = why.json()
    assert explained["outcome"] == "units_taken"
    assert explained["run_id"] == run["id"]
    [taken] = explained["taken_by"]
    assert taken["unit_id"] == s.shelter_unit
    assert set(taken["requests"]) == {s.first, s.third}
    # and the young woman: no unit fits her, the closest shows what breaks
    why_not = (await housing.get(f"{REQUESTS}/{s.young_woman}/explanation", headers=headers)).json()
    assert why_not["outcome"] == "no_feasible_unit"
    assert why_not["taken_by"] == []
    closest = next(c for c in why_not["closest"] if c["unit_id"] == s.shelter_unit)
    assert closest["constraints"]["sex_policy"] is False

    family = (await housing.get(f"{REQUESTS}/{s.family}/explanation", headers=headers)).json()
    assert (family["outcome"], family["unit_id"]) == ("proposed", s.apartment_unit)


async def test_matching_is_for_housing_coordinators_and_runs_are_read_back(
    housing: httpx.AsyncClient, realm: Realm
) -> None:
    assert_problem(await housing.post(RUNS, headers=realm.headers("caseworker.ponte")), 403)
    assert_problem(
        await housing.get(
            f"{RUNS}/00000000-0000-4000-8000-000000000000", headers=realm.headers(COORDINATOR)
        ),
        404,
        "urn:lgnet:problem:matching-run-not-found",
    )
    listed = await housing.get(RUNS, headers=realm.headers("coordinator.comune"))
    assert listed.status_code == 200
    bad = await housing.post(
        PREVIEWS, json={"document": {"urgency": -1}}, headers=realm.headers(COORDINATOR)
    )
    assert_problem(bad, 422)


async def test_a_request_never_weighed_is_explained_so(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases
) -> None:
    request = await filed(housing, realm, await cases.open())
    why = await housing.get(
        f"{REQUESTS}/{request['id']}/explanation", headers=realm.headers("caseworker.ponte")
    )
    assert why.status_code == 200, why.text
    assert why.json()["outcome"] == "not_weighed_yet"
    hidden = await housing.get(
        f"{REQUESTS}/{request['id']}/candidates", headers=realm.headers("caseworker.aurora")
    )
    assert_problem(hidden, 404)


async def _facility_of(housing: httpx.AsyncClient, realm: Realm, unit_id: str) -> str:
    listed = await housing.get("/v1/housing/facilities", headers=realm.headers(COORDINATOR))
    for facility in listed.json()["items"]:
        units = await housing.get(units_of(facility), headers=realm.headers(COORDINATOR))
        if any(u["id"] == unit_id for u in units.json()):
            return str(facility["id"])
    raise AssertionError(f"no facility has unit {unit_id}")
