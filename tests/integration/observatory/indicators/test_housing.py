"""Housing autonomy from real events on the stack's Kafka: a fixed scenario of facilities,
requests and placements, published as the housing service publishes them (its own payload
models), and the observatory's figures checked against the answers worked out by hand. The
threshold is 1 here (only zeros hidden), so that every figure shows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import CITY_ZONE
from kit.events.types import EventType
from kit.testing.apps import ServiceClient
from kit.testing.kafka import publish
from kit.testing.services import service_client
from services.housing.facilities.events import (
    FacilityChanged,
    FacilityChangedData,
    FacilityRegistered,
    FacilityRegisteredData,
)
from services.housing.placements.events import PlacementData, PlacementEnded, PlacementStarted
from services.housing.requests.events import RequestFiled, RequestFiledData
from services.observatory.app import create_app as create_observatory
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory.waiting import published

pytestmark = pytest.mark.integration

observatory = service_client(create_observatory, ObservatorySettings, suppression_threshold=1)
FAMILY, MINOR = "vulnerable_family", "unaccompanied_minor"
# placement: (target group, facility, asked, moved in, moved out, outcome), days from the
# month's first; facility 1 is in Municipio 6, facility 2 moved from 3 to 9
SCENARIO = {
    "P1": (FAMILY, 1, -10, 2, 20, "autonomous_housing"),
    "P2": (FAMILY, 1, -4, 5, 25, "other_facility"),
    "P3": (MINOR, 2, -30, 1, None, None),
    "P4": (FAMILY, 2, -50, -40, 10, "autonomous_housing"),  # placed the month before
    "P5": (FAMILY, 1, -1, 3, 8, "autonomous_housing"),  # its end published before its start
}
# worked out by hand (Municipio 6, Municipio 9, total):
EXPECTED = {
    "housing_placements": (3, 1, 4),  # P1, P2, P5; P3
    "housing_wait_days_median": (9.0, 31.0, 10.5),  # 12, 9, 4; 31; (9 + 12) / 2
    "housing_exits": (3, 1, 4),  # P1, P2, P5; P4
    "housing_exits_to_autonomy": (2, 1, 3),  # P1, P5; P4
    "housing_stay_days_median": (18.0, 50.0, 19.0),  # 18, 20, 5; 50; (18 + 20) / 2
}


def _facility(facility_id: uuid.UUID, municipio: int) -> dict[str, Any]:
    return {
        "facility_id": facility_id,
        "kind": "shelter",
        "operator_organisation": "coop-aurora",
        "municipio": municipio,
        "target_groups": [FAMILY, MINOR],
        "sex_policy": "any",
        "min_age": 0,
        "max_age": None,
        "accessible": True,
        "max_stay_days": None,
    }


async def _publish_scenario(stack: Stack, first: date) -> None:
    facilities = {1: uuid.uuid4(), 2: uuid.uuid4()}
    registered = datetime(2009, 1, 1, tzinfo=UTC)
    at_facilities: list[tuple[EventType[Any], BaseModel]] = [
        (
            FacilityRegistered,
            FacilityRegisteredData(**_facility(facilities[1], 6), registered_at=registered),
        ),
        (
            FacilityRegistered,
            FacilityRegisteredData(**_facility(facilities[2], 3), registered_at=registered),
        ),
        (
            FacilityChanged,
            FacilityChangedData(**_facility(facilities[2], 9), version=2, changed_at=registered),
        ),
    ]
    for kind, data in at_facilities:
        dumped = data.model_dump(mode="json")
        subject = dumped["facility_id"]
        await publish(stack.kafka_bootstrap, [(kind, dumped)], subject=subject, organisation="x")
    for group, facility, asked, moved_in, moved_out, outcome in SCENARIO.values():
        request_id, placement_id = uuid.uuid4(), uuid.uuid4()
        request = RequestFiledData(
            request_id=request_id,
            case_id=uuid.uuid4(),
            version=1,
            status="waiting",
            target_group=group,
            household_size=3,
            adults=1,
            minors=2,
            age_bands={"0-5": 1, "6-17": 1, "18-64": 1},
            needs_accessible=False,
            preferred_municipi=[],
            urgency="normal",
            requested_on=first + timedelta(days=asked),
            organisation="assoc-ponte",
            filed_at=registered,
        )
        await publish(
            stack.kafka_bootstrap,
            [(RequestFiled, request.model_dump(mode="json"))],
            subject=str(request_id),
            organisation="assoc-ponte",
        )
        stay = {
            "placement_id": placement_id,
            "request_id": request_id,
            "case_id": request.case_id,
            "unit_id": uuid.uuid4(),
            "facility_id": facilities[facility],
            "proposal_id": None,
            "household_size": 3,
            "moved_in_on": first + timedelta(days=moved_in),
            "stay_ends_on": None,
        }
        started = PlacementData(**stay, moved_out_on=None, outcome=None)
        stays: list[tuple[EventType[Any], dict[str, Any]]] = [
            (PlacementStarted, started.model_dump(mode="json"))
        ]
        if moved_out is not None:
            ended = PlacementData(
                **stay, moved_out_on=first + timedelta(days=moved_out), outcome=outcome
            )
            stays.append((PlacementEnded, ended.model_dump(mode="json")))
        if moved_in == 3:  # P5: its end first
            stays.reverse()
        await publish(
            stack.kafka_bootstrap, stays, subject=str(placement_id), organisation="coop-aurora"
        )


async def test_placements_waits_exits_and_stays_are_the_scenarios(
    stack: Stack, observatory: ServiceClient, realm: Realm
) -> None:
    months = uuid.uuid4().int % 120  # a month of 2010-2019 of its own
    first = date(2010 + months // 12, months % 12 + 1, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    await _publish_scenario(stack, first)
    params = {
        "from": datetime.combine(first, time(0), CITY_ZONE).isoformat(),
        "to": datetime.combine(following, time(0), CITY_ZONE).isoformat(),
        "by": ["municipio"],
    }
    headers = realm.headers("analyst.osservatorio")

    answers = await published(observatory, EXPECTED, _shown, params=params, headers=headers)

    assert answers["housing_placements"]["unit"] == "households"
    assert answers["housing_stay_days_median"]["unit"] == "days"
    assert answers["housing_exits"]["cohort"]["en"] == "households moving out"
    # Municipio 3 has none: the facility moved to 9 at its second version
    cells = {c["breakdown"]["municipio"]: c for c in answers["housing_placements"]["cells"]}
    assert cells["3"]["suppressed"] is True


def _shown(body: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    cells = {cell["breakdown"]["municipio"]: cell["value"] for cell in body["cells"]}
    return cells["6"], cells["9"], body["total"]["value"]
