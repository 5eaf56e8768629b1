"""What registering a facility publishes: a committed registration, read back from Kafka."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.housing import register_facility
from kit.testing.kafka import first_published
from services.housing.facilities.events import TOPIC

pytestmark = pytest.mark.integration


async def test_registration_is_published_with_a_payload_that_matches_its_contract(
    housing: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    created = await register_facility(
        housing, realm, kind="autonomy_apartment", target_groups=["vulnerable_family"], sex="any"
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
        "capacity_beds": 12,
        "target_groups": ["vulnerable_family"],
        "sex": "any",
        "accessible": True,
        "max_stay_days": 90,
        "registered_at": event.data["registered_at"],
    }
    assert "name" not in event.data  # free text stays out of events
