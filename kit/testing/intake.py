"""Intake driven through its API as its users do: synthetic referral and person bodies, and the
steps (register, take in charge, hand over) that intake's tests and the tests of the services
consuming its events share. Pure HTTP: it imports nothing of intake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from kit.testing.resources import Realm

REFERRALS = "/v1/intake/referrals"
PERSONS = "/v1/intake/persons"

REFERRAL: dict[str, Any] = {
    "channel": "mobile_unit",
    "received_at": "2026-11-20T22:15:00+01:00",
    "place": {
        "municipio": 2,
        "name": "Piazza Duca d'Aosta",
        "latitude": 45.4847,
        "longitude": 9.204,
    },
    "urgency": "immediate",
    "target_group": "unaccompanied_minor",
    "needs": ["shelter", "food"],
    "flags": ["children_present", "language_barrier"],
    "reporting_unit": "unità mobile notturna",
}
"""A referral as a night mobile unit sends it (synthetic)."""

TAKE_IN_CHARGE = {
    "indicators": ["unaccompanied_minor", "homelessness"],
    "outcome": "take_in_charge",
}

# synthetic, and distinctive enough to search the published events for
AHMED: dict[str, Any] = {
    "given_name": "Mohamed",
    "family_name": "Abdelrahmanzz",
    "sex": "male",
    "birth_date": "2009-01-01",
    "birth_date_estimated": True,
    "nationality": "EG",
    "languages": ["ar"],
    "documents": [{"type": "passport", "number": "A99Z71234", "issuing_country": "EG"}],
    "contacts": [
        {"kind": "phone", "value": "+39 351 987 6543"},
        {"kind": "other", "value": "Via Immaginaria 77, Milano"},
    ],
}
AHMED_VARIANT = {
    "given_name": "Abdelrahmanzz",  # swapped, transliterated, a year off
    "family_name": "Muhammad",
    "sex": "male",
    "birth_date": "2008-06-15",
    "birth_date_estimated": True,
    "nationality": "EG",
}
"""``AHMED`` as another operator may write him down: a duplicate candidate, not a match."""


async def take_in_charge(
    client: httpx.AsyncClient, location: str, headers: Mapping[str, str], etag: str
) -> str:
    """Screen a received referral with outcome take_in_charge; returns its new ETag."""
    screened = await client.post(
        f"{location}/screening", json=TAKE_IN_CHARGE, headers={**headers, "If-Match": etag}
    )
    assert screened.status_code == 200, screened.text
    return screened.headers["ETag"]


async def hand_over(
    client: httpx.AsyncClient, created: httpx.Response, headers: Mapping[str, str], lead: str
) -> httpx.Response:
    """Take the just ``created`` referral in charge and hand it over to ``lead``; the hand-over's
    response (asserted 200)."""
    location = created.headers["Location"]
    etag = await take_in_charge(client, location, headers, created.headers["ETag"])
    done = await client.post(
        f"{location}/handover",
        json={"lead_organisation": lead},
        headers={**headers, "If-Match": etag},
    )
    assert done.status_code == 200, done.text
    return done


async def register(
    client: httpx.AsyncClient,
    realm: Realm,
    person: Mapping[str, Any],
    user: str = "intake.aurora",
) -> dict[str, Any]:
    """``user`` registers ``person``; the created body (asserted 201 with its ``Location``)."""
    created = await client.post(PERSONS, json=person, headers=realm.headers(user))
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{PERSONS}/{created.json()['person']['id']}"
    body: dict[str, Any] = created.json()
    return body
