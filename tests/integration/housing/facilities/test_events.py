"""What registering a facility publishes: a committed registration, read back from Kafka."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.housing import FACILITIES, UNIT, register_facility, units_of
from kit.testing.kafka import events_about, first_published
from services.housing.facilities.events import TOPIC

pytestmark = pytest.mark.integration


async def test_registration_is_published_with_a_payload_that_matches_its_contract(
    housing: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await register_facility(
        housing,
        realm,
        kind="autonomy_apartment",
        target_groups=["vulnerable_family"],
        sex_policy="family",
    )
    facility_id = created.json()["id"]

    event = await first_published(
        stack.kafka_bootstrap,
        TOPIC,
        facility_id,
        type_="lgnet.housing.facility.registered",
        source="/lgnet/housing",
        organisation="assoc-ponte",
    )
    assert event.data == {
        "facility_id": facility_id,
        "kind": "autonomy_apartment",
        "operator_organisation": "assoc-ponte",
        "municipio": 8,
        "target_groups": ["vulnerable_family"],
        "sex_policy": "family",
        "min_age": 16,
        "max_age": 25,
        "accessible": True,
        "max_stay_days": 90,
        "registered_at": event.data["registered_at"],
    }
    assert "name" not in event.data  # free text stays out of events
    assert "address" not in event.data


async def test_changes_of_a_facility_and_its_units_are_published(
    housing: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    facility = (await register_facility(housing, realm)).json()
    headers = realm.headers("housing.ponte")
    added = await housing.post(units_of(facility), json=UNIT, headers=headers)
    assert added.status_code == 201, added.text
    unit_path = f"{units_of(facility)}/{added.json()['id']}"
    changed_unit = await housing.patch(
        unit_path, json={"beds": 2}, headers={**headers, "If-Match": added.headers["ETag"]}
    )
    assert changed_unit.status_code == 200, changed_unit.text
    path = f"{FACILITIES}/{facility['id']}"
    changed = await housing.patch(
        path, json={"max_age": None, "name": "Renamed"}, headers={**headers, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text

    for _ in range(60):  # until the relay has published the four
        events = await events_about(stack.kafka_bootstrap, TOPIC, facility["id"])
        if len(events) >= 4:
            break
        await asyncio.sleep(0.25)
    for event in events:
        contracts.validate(event)
    kinds = [event.type.rsplit(".", 2)[-2:] for event in events]
    assert kinds == [
        ["facility", "registered"],
        ["unit", "added"],
        ["unit", "changed"],
        ["facility", "changed"],
    ]
    unit_changed, facility_changed = events[2].data, events[3].data
    assert (unit_changed["beds"], unit_changed["version"]) == (2, 2)
    assert "label" not in unit_changed
    assert (facility_changed["max_age"], facility_changed["version"]) == (None, 2)
    assert "name" not in facility_changed
