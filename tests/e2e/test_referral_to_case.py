"""The walking skeleton end to end, through the gateway with real Keycloak tokens: a referral
handed over becomes an open case, visible through the gateway and counted by the observatory
(as soon as it may be published: five referrals, the suppression threshold)."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kit.testing.intake import REFERRAL, REFERRALS, hand_over
from kit.testing.platform import Platform

pytestmark = pytest.mark.integration


SHOWN = 5
"""The suppression threshold in force: a count under it is published as suppressed."""


async def _taken_in_charge(platform: Platform, cohort: dict[str, str]) -> int | None:
    """Referrals of the cohort taken in charge, as published (None: suppressed)."""
    async with platform.client() as gateway:
        response = await gateway.get(
            "/v1/observatory/indicators/referrals_taken_in_charge",
            params=cohort,
            headers=platform.as_user("analyst.comune"),
        )
    assert response.status_code == 200, response.text
    value: int | None = response.json()["total"]["value"]
    return value


async def test_a_handed_over_referral_is_an_open_case_and_counted_within_5s(
    platform: Platform,
) -> None:
    # a minute of the past no other test uses, and enough referrals in it to be published
    start = datetime(2012, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(5_000_000))
    cohort = {
        "from": start.isoformat(),
        "to": (start + timedelta(minutes=1)).isoformat(),
    }
    referral = {**REFERRAL, "received_at": (start + timedelta(seconds=30)).isoformat()}
    async with platform.client() as gateway:
        operator = platform.as_user("intake.aurora")
        for _ in range(SHOWN):
            created = await gateway.post(REFERRALS, json=referral, headers=operator)
            assert created.status_code == 201, created.text
            await hand_over(gateway, created, operator, "assoc-ponte")
        referral_id = created.json()["id"]
        started = time.monotonic()

        case: dict[str, Any] | None = None
        while case is None:
            assert time.monotonic() - started < 5, "no case opened within 5 s"
            listed = await gateway.get(
                "/v1/casework/cases?limit=200", headers=platform.as_user("caseworker.ponte")
            )
            assert listed.status_code == 200, listed.text
            case = next(
                (c for c in listed.json()["items"] if c["referral_id"] == referral_id), None
            )
            if case is None:
                await asyncio.sleep(0.1)
        assert case["status"] == "open"
        assert case["lead_organisation"] == "assoc-ponte"

        # the reporting organisation's case worker is not on the case: 404, not 403
        foreign = await gateway.get(
            f"/v1/casework/cases/{case['id']}", headers=platform.as_user("caseworker.aurora")
        )
        assert foreign.status_code == 404

    while (counted := await _taken_in_charge(platform, cohort)) != SHOWN:
        assert counted is None, f"{counted} counted, not {SHOWN}"  # suppressed until then
        assert time.monotonic() - started < 5, "not counted within 5 s"
        await asyncio.sleep(0.1)
