"""Timeliness from real events on the stack's Kafka: a fixed scenario of receptions, first
contacts and hand-overs with known hours, published as intake publishes them, and the
observatory's published statistics checked against the answers worked out by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.apps import ServiceClient
from kit.testing.kafka import publish
from kit.testing.services import service_client
from services.intake.referrals.events import (
    ReferralFirstContacted,
    ReferralHandedOver,
    ReferralReceived,
)
from services.observatory.app import create_app as create_observatory
from services.observatory.settings import ObservatorySettings
from tests.integration.observatory.waiting import published

pytestmark = pytest.mark.integration

INDICATORS = "/v1/observatory/indicators"
H = timedelta(hours=1)
observatory = service_client(create_observatory, ObservatorySettings, suppression_threshold=3)

# Municipio → (hours to first contact, or None: none recorded; hours to hand-over)
SCENARIO: dict[int, list[tuple[float | None, float]]] = {
    2: [(0.5, 1), (1, 2), (1.5, 3), (2, 5), (None, 8), (None, 13)],
    5: [(1, 10), (2, 20), (3, 30)],
}
# worked out by hand; a hand-over with no first contact is the first reach (8 and 13 hours)
EXPECTED = {
    "hand_over_hours_median": {"2": 4.0, "5": 20.0, "total": 8.0},  # (3+5)/2; 20; the 5th of 9
    "hand_over_hours_p90": {"2": 13.0, "5": 30.0, "total": 30.0},  # ranks ceil(5.4), 3, 9
    "first_contact_hours_median": {"2": 1.8, "5": 2.0, "total": 2.0},  # 1.75 rounded to 0.1
    "first_contact_hours_p90": {"2": 13.0, "5": 3.0, "total": 13.0},
}


async def _publish_scenario(stack: Stack, received_at: datetime) -> None:
    for municipio, steps in SCENARIO.items():
        for contacted, handed in steps:
            referral_id = str(uuid.uuid4())
            facts: dict[str, Any] = {
                "referral_id": referral_id,
                "urgency": "high",
                "target_group": "vulnerable_family",
                "municipio": municipio,
                "reporting_organisation": "coop-aurora",
                "received_at": received_at.isoformat(),
            }
            events: list[tuple[Any, dict[str, Any]]] = [
                (ReferralReceived, {**facts, "channel": "one_stop_shop"})
            ]
            if contacted is not None:
                reached = received_at + contacted * H
                due = received_at + 24 * H
                events.append(
                    (
                        ReferralFirstContacted,
                        {**facts, "due_at": due.isoformat(), "reached_at": reached.isoformat()},
                    )
                )
            events.append(
                (
                    ReferralHandedOver,
                    {
                        **facts,
                        "lead_organisation": "assoc-ponte",
                        "handed_over_at": (received_at + handed * H).isoformat(),
                        "due_at": (received_at + 72 * H).isoformat(),
                        "reach_due_at": (received_at + 24 * H).isoformat(),
                    },
                )
            )
            await publish(
                stack.kafka_bootstrap, events, subject=referral_id, organisation="coop-aurora"
            )


async def test_time_to_first_contact_and_to_hand_over_are_the_scenarios(
    stack: Stack, observatory: ServiceClient, realm: Realm
) -> None:
    minutes = uuid.uuid4().int % (10 * 365 * 24 * 60)  # a minute of 2010-2019 of its own
    start = datetime(2010, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    await _publish_scenario(stack, start + timedelta(seconds=30))
    params = {
        "from": start.isoformat(),
        "to": (start + timedelta(minutes=1)).isoformat(),
        "by": ["municipio"],
    }
    headers = realm.headers("analyst.osservatorio")

    answers = await published(observatory, EXPECTED, _shown, params=params, headers=headers)

    for body in answers.values():
        assert body["unit"] == "hours"
        assert body["cells"][0]["value"] is None  # Municipio 1: nobody, a count of 0
        assert body["cells"][0]["suppressed"] is True


def _shown(body: dict[str, Any]) -> dict[str, float | None]:
    cells = {cell["breakdown"]["municipio"]: cell["value"] for cell in body["cells"]}
    return {"2": cells["2"], "5": cells["5"], "total": body["total"]["value"]}


async def test_the_catalogue_says_what_each_statistic_is_drawn_from(
    observatory: ServiceClient, realm: Realm
) -> None:
    response = await observatory.get(INDICATORS, headers=realm.headers("analyst.osservatorio"))
    entries = {entry["code"]: entry for entry in response.json()["indicators"]}

    assert entries["hand_over_hours_p90"]["drawn_from"] == "referrals_handed_over"
    assert entries["first_contact_hours_median"]["drawn_from"] == "referrals_received"
    assert entries["referrals_received"]["drawn_from"] is None
