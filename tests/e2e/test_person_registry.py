"""The person registry through the gateway: a referral registers its person, a duplicate
waits for review, and the auditor verifies the audit log that recorded it all."""

from __future__ import annotations

import pytest

from kit.testing.intake import REFERRAL
from kit.testing.platform import Platform

pytestmark = pytest.mark.integration

PERSON = {"given_name": "Abdulrahman", "family_name": "Wardakzz", "nationality": "AF"}


async def test_a_duplicate_met_twice_waits_for_review_and_the_audit_log_verifies(
    platform: Platform,
) -> None:
    async with platform.client() as gateway:
        operator = platform.as_user("intake.ponte")
        first = await gateway.post(
            "/v1/intake/referrals",
            json={**REFERRAL, "persons": [{"person": {**PERSON, "birth_date": "2009-01-01"}}]},
            headers=operator,
        )
        assert first.status_code == 201, first.text
        again = await gateway.post(
            "/v1/intake/persons",
            json={**PERSON, "given_name": "Abd al-Rahman", "birth_date": "2008-01-01"},
            headers=operator,
        )
        assert again.status_code == 201, again.text
        (candidate,) = again.json()["candidates"]
        assert candidate["person_id"] == first.json()["person_ids"][0]

        queue = await gateway.get(
            "/v1/intake/duplicate-reviews",
            params={"person_id": again.json()["person"]["id"]},
            headers=platform.as_user("coordinator.comune"),
        )
        assert queue.status_code == 200, queue.text
        assert len(queue.json()["items"]) == 1

        auditor = platform.as_user("auditor.comune")
        verify = await gateway.get("/v1/intake/audit/verify", headers=auditor)
        assert verify.status_code == 200, verify.text
        assert verify.json()["ok"] is True
        assert verify.json()["entries_checked"] >= 2
        refused = await gateway.get("/v1/intake/persons", headers=auditor)
        assert refused.status_code == 403
        not_auditor = await gateway.get("/v1/intake/audit", headers=operator)
        assert not_auditor.status_code == 403
