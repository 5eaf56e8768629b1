"""Reads and changes of referrals are audited: they carry person ids and needs
(docs/architecture.md §6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.intake import REFERRAL, take_in_charge

pytestmark = pytest.mark.integration

REFERRALS = "/v1/intake/referrals"


async def trail_of(intake: httpx.AsyncClient, realm: Realm, referral_id: str) -> list[Any]:
    found = await intake.get(
        "/v1/intake/audit",
        params={"resource_type": "referral", "resource_id": referral_id, "limit": 50},
        headers=realm.headers("auditor.comune"),
    )
    assert found.status_code == 200, found.text
    items: list[Any] = found.json()["items"]
    return items


async def test_reading_a_referral_and_listing_it_leave_entries_an_auditor_finds(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    headers = realm.headers("intake.aurora")
    read, only_listed = [
        (await intake.post(REFERRALS, json=REFERRAL, headers=headers)).json()["id"]
        for _ in range(2)
    ]
    assert [e["action"] for e in await trail_of(intake, realm, read)] == ["create"]

    assert (await intake.get(f"{REFERRALS}/{read}", headers=headers)).status_code == 200
    listed = await intake.get(REFERRALS, params={"limit": 100}, headers=headers)
    assert listed.status_code == 200
    assert {read, only_listed} <= {r["id"] for r in listed.json()["items"]}

    entries = await trail_of(intake, realm, read)
    assert sorted(e["action"] for e in entries) == ["create", "list", "read"]
    assert {e["purpose"] for e in entries} == {"referral_handling"}
    assert {e["organisation"] for e in entries} == {"coop-aurora"}
    # every referral on the listed page has its own entry
    assert sorted(e["action"] for e in await trail_of(intake, realm, only_listed)) == [
        "create",
        "list",
    ]

    verify = await intake.get("/v1/intake/audit/verify", headers=realm.headers("auditor.comune"))
    assert verify.json()["ok"] is True


async def test_each_change_of_a_referral_leaves_an_update_entry(
    intake: httpx.AsyncClient, realm: Realm
) -> None:
    headers = realm.headers("intake.aurora")
    created = await intake.post(REFERRALS, json=REFERRAL, headers=headers)
    assert created.status_code == 201, created.text
    location, referral_id = created.headers["Location"], created.json()["id"]

    await take_in_charge(intake, location, headers, created.headers["ETag"])  # a screening

    entries = await trail_of(intake, realm, referral_id)  # newest first
    assert [e["action"] for e in entries] == ["update", "create"]
    assert {e["organisation"] for e in entries} == {"coop-aurora"}
