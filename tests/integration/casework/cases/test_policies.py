"""Casework's policies through its API: the review cadences and the closure periods, versioned,
changed by a Comune coordinator only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from deploy.local.realm import Realm
from kit.db import utcnow

pytestmark = pytest.mark.integration

POLICIES = "/v1/casework/policies"


async def test_the_defaults_are_in_force_until_a_coordinator_publishes_a_version(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    coordinator = realm.headers("coordinator.comune")
    reviews = await casework.get(f"{POLICIES}/casework.reviews", headers=coordinator)
    assert reviews.status_code == 200, reviews.text
    assert reviews.json()["document"]["cadence"]["unaccompanied_minor"] == "P60D"
    closure = await casework.get(f"{POLICIES}/casework.closure", headers=coordinator)
    assert closure.status_code == 200, closure.text
    assert set(closure.json()["document"]) == {"reopen_within", "anonymise_after"}


async def test_a_coordinator_publishes_a_new_cadence_with_its_effective_date(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    coordinator = realm.headers("coordinator.comune")
    current = await casework.get(f"{POLICIES}/casework.reviews", headers=coordinator)
    document = current.json()["document"]
    document["cadence"]["unaccompanied_minor"] = "P45D"
    effective_from = (utcnow() + timedelta(days=1)).replace(microsecond=0).isoformat()
    proposed = await casework.post(
        f"{POLICIES}/casework.reviews/versions",
        json={"document": document, "effective_from": effective_from, "why": "co-design 2027"},
        headers=coordinator,
    )
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["document"]["cadence"]["unaccompanied_minor"] == "P45D"


@pytest.mark.parametrize(
    ("kind", "document", "why"),
    [
        ("casework.reviews", {"cadence": {"unaccompanied_minor": "P60D"}}, "missing"),
        (
            "casework.reviews",
            {
                "cadence": {
                    "unaccompanied_minor": "P1D",
                    "young_adult_leaving_care": "P90D",
                    "vulnerable_family": "P90D",
                    "other_vulnerable": "P90D",
                }
            },
            "",
        ),
        ("casework.closure", {"reopen_within": "P400D", "anonymise_after": "P399D"}, "re-opened"),
    ],
)
async def test_an_invalid_policy_document_is_a_422_and_changes_nothing(
    casework: httpx.AsyncClient, realm: Realm, kind: str, document: dict[str, object], why: str
) -> None:
    coordinator = realm.headers("coordinator.comune")
    before = await casework.get(f"{POLICIES}/{kind}", headers=coordinator)
    refused = await casework.post(
        f"{POLICIES}/{kind}/versions",
        json={"document": document, "effective_from": utcnow().isoformat(), "why": "test"},
        headers=coordinator,
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert why in refused.text
    after = await casework.get(f"{POLICIES}/{kind}", headers=coordinator)
    assert after.json() == before.json()


@pytest.mark.parametrize("user", ["caseworker.ponte", "supervisor.aurora"])
async def test_only_a_coordinator_changes_casework_policy(
    casework: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    coordinator = realm.headers("coordinator.comune")
    document = (await casework.get(f"{POLICIES}/casework.closure", headers=coordinator)).json()
    refused = await casework.post(
        f"{POLICIES}/casework.closure/versions",
        json={"document": document["document"], "effective_from": utcnow().isoformat(), "why": "x"},
        headers=realm.headers(user),
    )
    assert refused.status_code == 403, refused.text
