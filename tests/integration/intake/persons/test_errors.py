"""Every person-data endpoint: another organisation gets 404, a stale or missing If-Match
412 / 428, and nothing changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.services import rolled_back_per_test

pytestmark = pytest.mark.integration
# each test's requests are rolled back at its end: whatever a refused call might have changed
# is gone before the next test (the module's records stay, committed by their fixture)
_rolled_back = rolled_back_per_test("intake")

OWNER, OUTSIDER = "intake.aurora", "intake.ponte"


@pytest.fixture(scope="module")
async def records(intake: httpx.AsyncClient, realm: Realm) -> dict[str, str]:
    """A pair of duplicates (merged), a consent and a household, all coop-aurora's."""
    headers = realm.headers(OWNER)

    async def person(body: dict[str, Any]) -> str:
        created = await intake.post("/v1/intake/persons", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return str(created.json()["person"]["id"])

    first = await person({"given_name": "Tesfaye", "family_name": "Gebrezzq", "sex": "male"})
    second = await person({"given_name": "Tesfay", "family_name": "Gebrezzq", "sex": "male"})
    third = await person({"given_name": "Selam", "family_name": "Gebrezzq", "sex": "female"})
    (review,) = (
        await intake.get(
            "/v1/intake/duplicate-reviews", params={"person_id": second}, headers=headers
        )
    ).json()["items"]
    merge = await intake.post(
        f"/v1/intake/duplicate-reviews/{review['id']}/confirm", json={}, headers=headers
    )
    consent = await intake.post(
        f"/v1/intake/persons/{third}/consents",
        json={
            "purpose": "case_management",
            "legal_basis": "consent",
            "given_by": "data_subject",
            "given_at": "2026-11-01T09:00:00Z",
        },
        headers=headers,
    )
    household = await intake.post(
        "/v1/intake/households",
        json={"members": [{"person_id": third, "relation": "head"}]},
        headers=headers,
    )
    return {
        "person": first,
        "other": third,
        "review": review["id"],
        "merge": merge.json()["id"],
        "consent": consent.json()["id"],
        "household": household.json()["id"],
    }


CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/intake/persons/{person}", None),
    ("PATCH", "/v1/intake/persons/{person}", {"sex": "female"}),
    ("GET", "/v1/intake/persons/{person}/export", None),
    ("POST", "/v1/intake/persons/{person}/erasure", {"ground": "data_subject_request"}),
    ("GET", "/v1/intake/persons/{other}/consents", None),
    (
        "POST",
        "/v1/intake/persons/{other}/consents",
        {
            "purpose": "research",
            "legal_basis": "consent",
            "given_by": "data_subject",
            "given_at": "2026-11-02T09:00:00Z",
        },
    ),
    ("GET", "/v1/intake/persons/{other}/consents/{consent}", None),
    ("POST", "/v1/intake/persons/{other}/consents/{consent}/withdrawal", {}),
    ("GET", "/v1/intake/households/{household}", None),
    ("PUT", "/v1/intake/households/{household}/members", {"members": []}),
    ("GET", "/v1/intake/duplicate-reviews/{review}", None),
    ("POST", "/v1/intake/duplicate-reviews/{review}/dismiss", None),
    ("POST", "/v1/intake/duplicate-reviews/{review}/confirm", {}),
    ("GET", "/v1/intake/person-merges/{merge}", None),
    ("POST", "/v1/intake/person-merges/{merge}/split", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
async def test_another_organisation_gets_404(
    intake: httpx.AsyncClient,
    realm: Realm,
    records: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    headers = {**realm.headers(OUTSIDER), "If-Match": '"1"'}
    if path.endswith("/erasure"):
        headers = {**realm.headers("coordinator.comune"), "If-Match": '"1"'}
        url = path.format(**records).replace(
            records["person"], "00000000-0000-4000-8000-000000000000"
        )
    else:
        url = path.format(**records)
    answer = await intake.request(method, url, json=body, headers=headers)
    if path == "/v1/intake/households/{household}/members":
        assert answer.status_code in (404, 422)  # an empty body is refused before lookup
        answer = await intake.request(
            method,
            url,
            json={"members": [{"person_id": records["other"], "relation": "head"}]},
            headers=headers,
        )
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/intake/persons/{other}", {"sex": "unknown"}),
        ("/v1/intake/households/{household}/members", None),
        ("/v1/intake/persons/{other}/erasure", {"ground": "data_subject_request"}),
    ],
)
async def test_changes_need_the_current_version(
    intake: httpx.AsyncClient,
    realm: Realm,
    records: dict[str, str],
    path: str,
    body: dict[str, Any] | None,
) -> None:
    user = "coordinator.comune" if path.endswith("/erasure") else OWNER
    url = path.format(**records)
    method = "PUT" if "/members" in path else ("PATCH" if body and "sex" in body else "POST")
    body = body or {"members": [{"person_id": records["other"], "relation": "head"}]}
    missing = await intake.request(method, url, json=body, headers=realm.headers(user))
    assert missing.status_code == 428, missing.text
    stale = await intake.request(
        method, url, json=body, headers={**realm.headers(user), "If-Match": '"99"'}
    )
    assert stale.status_code == 412, stale.text
    person = await intake.get(
        f"/v1/intake/persons/{records['other']}", headers=realm.headers(OWNER)
    )
    assert person.json()["status"] == "active"
    assert person.json()["sex"] == "female"


async def test_roles_without_intake_rights_are_refused(
    intake: httpx.AsyncClient, realm: Realm, records: dict[str, str]
) -> None:
    for user in ("analyst.comune", "auditor.comune", "housing.ponte"):
        answer = await intake.get(
            f"/v1/intake/persons/{records['person']}", headers=realm.headers(user)
        )
        assert answer.status_code == 403, user
    reader = await intake.post(
        "/v1/intake/persons",
        json={"given_name": "Nadia"},
        headers=realm.headers("caseworker.aurora"),
    )
    assert reader.status_code == 403
