"""The walking skeleton end to end, through the gateway with real Keycloak tokens: a referral
handed over becomes an open case, visible through the gateway and counted by the observatory."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from kit.testing.intake import REFERRAL, REFERRALS, hand_over
from kit.testing.platform import Platform

pytestmark = pytest.mark.integration


async def _indicators(platform: Platform) -> dict[str, Any]:
    async with platform.client() as gateway:
        response = await gateway.get(
            "/v1/observatory/indicators", headers=platform.as_user("analyst.comune")
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _total(indicators: dict[str, Any], name: str) -> int:
    return int(next(i["total"] for i in indicators["indicators"] if i["name"] == name))


async def test_a_handed_over_referral_is_an_open_case_and_counted_within_5s(
    platform: Platform,
) -> None:
    before = await _indicators(platform)
    async with platform.client() as gateway:
        operator = platform.as_user("intake.aurora")
        created = await gateway.post(REFERRALS, json=REFERRAL, headers=operator)
        assert created.status_code == 201, created.text
        referral_id = created.json()["id"]
        await hand_over(gateway, created, operator, "assoc-ponte")
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

    while True:
        now = await _indicators(platform)
        counted = _total(now, "referrals_received") > _total(
            before, "referrals_received"
        ) and _total(now, "cases_open") > _total(before, "cases_open")
        if counted:
            break
        assert time.monotonic() - started < 5, f"not counted within 5 s: {now}"
        await asyncio.sleep(0.1)
