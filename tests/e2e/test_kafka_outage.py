"""Kafka stopped while intake commits 1,000 referrals, then restarted: the observatory, a real
consumer in another process, ends up counting every one of them."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deploy.local.stack import Stack
from kit.testing.intake import REFERRAL
from kit.testing.platform import Platform

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHANGES = 1000


async def test_changes_committed_while_kafka_is_down_all_arrive(
    platform: Platform, stack: Stack
) -> None:
    # a minute of the past no other test uses: the observatory counts this cohort alone
    start = datetime(2011, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(5_000_000))
    cohort = {
        "from": start.isoformat(),
        "to": (start + timedelta(minutes=1)).isoformat(),
    }
    referral = {**REFERRAL, "received_at": (start + timedelta(seconds=30)).isoformat()}

    await asyncio.to_thread(stack.supervisor.stop, stack.kafka)
    try:
        async with httpx.AsyncClient(base_url=platform.service("intake"), timeout=30) as intake:
            semaphore = asyncio.Semaphore(16)

            async def receive() -> int:
                async with semaphore:
                    headers = platform.as_user("intake.aurora")
                    response = await intake.post(
                        "/v1/intake/referrals", json=referral, headers=headers
                    )
                    return response.status_code

            statuses = await asyncio.gather(*(receive() for _ in range(CHANGES)))
        assert statuses == [201] * CHANGES  # the service keeps working without Kafka
    finally:
        await asyncio.to_thread(stack.supervisor.start, stack.kafka)

    deadline = time.monotonic() + 120
    async with platform.client() as gateway:
        while True:
            response = await gateway.get(
                "/v1/observatory/indicators/referrals_received",
                params=cohort,
                headers=platform.as_user("analyst.comune"),
            )
            assert response.status_code == 200, response.text
            total = response.json()["total"]["value"] or 0  # suppressed while small
            if total == CHANGES:
                break
            assert total < CHANGES, f"{total} counted: more than were committed"
            assert time.monotonic() < deadline, f"only {total} of {CHANGES} arrived"
            await asyncio.sleep(0.5)
