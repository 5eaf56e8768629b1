"""What a case shares beyond its lead: read grants reach as far as the lead's supervisor
says and end at once; a legal basis other than consent keeps a foreign member's access
after the person withdraws their network-sharing consent."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api
from kit.testing.casework import WithdrawConsent

pytestmark = pytest.mark.integration

LEAD, LEAD_SUPERVISOR, OTHER = "caseworker.ponte", "supervisor.ponte", "caseworker.aurora"


async def _status(casework: httpx.AsyncClient, realm: Realm, user: str, path: str) -> int:
    return (await casework.get(path, headers=realm.headers(user))).status_code


async def _case_with_notes(casework: httpx.AsyncClient, realm: Realm) -> dict[str, Any]:
    case = await api.open_case(casework, realm.headers(LEAD))
    for level in ("team", "lead_organisation"):
        written = await casework.post(
            f"{api.CASES}/{case['id']}/notes",
            json={"body": f"Synthetic {level} note", "confidentiality": level},
            headers=realm.headers(LEAD),
        )
        assert written.status_code == 201, written.text
    return case


async def test_a_grant_reaches_as_far_as_the_lead_supervisor_says(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _case_with_notes(casework, realm)
    path = f"{api.CASES}/{case['id']}"
    grant = f"{path}/grants/coop-aurora"
    assert await _status(casework, realm, OTHER, path) == 404

    by_worker = await api.change(
        casework, grant, {"reach": "case"}, realm.headers(LEAD), of=path, method="PUT"
    )
    assert by_worker.status_code == 403, by_worker.text
    supervisor = realm.headers(LEAD_SUPERVISOR)
    missing = await casework.put(grant, json={"reach": "case"}, headers=supervisor)
    assert missing.status_code == 428
    bad = await api.change(casework, grant, {"reach": "all"}, supervisor, of=path, method="PUT")
    assert bad.status_code == 422
    to_lead = await api.change(
        casework, f"{path}/grants/assoc-ponte", {"reach": "case"}, supervisor, of=path, method="PUT"
    )
    assert to_lead.status_code == 422

    granted = await api.change(
        casework, grant, {"reach": "case"}, supervisor, of=path, method="PUT"
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["active"] is True
    assert await _status(casework, realm, OTHER, path) == 200
    assert await _status(casework, realm, OTHER, f"{path}/notes") == 404

    widened = await api.change(
        casework, grant, {"reach": "notes"}, supervisor, of=path, method="PUT"
    )
    assert widened.status_code == 200, widened.text
    notes = (await casework.get(f"{path}/notes", headers=realm.headers(OTHER))).json()
    assert [n["confidentiality"] for n in notes["items"]] == ["team"]
    writes = await casework.post(
        f"{path}/notes", json={"body": "Synthetic"}, headers=realm.headers(OTHER)
    )
    assert writes.status_code == 403
    changes = await api.step(casework, case["id"], "assessment", realm.headers(OTHER))
    assert changes.status_code == 403
    exported = await casework.get(
        f"/v1/casework/subjects/{case['person_refs'][0]}/export", headers=realm.headers(OTHER)
    )
    assert exported.status_code == 200
    assert exported.json()["cases"][0]["grants"][0]["organisation"] == "coop-aurora"

    revoked = await api.change(casework, grant, None, supervisor, of=path, method="DELETE")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False
    assert await _status(casework, realm, OTHER, path) == 404  # at once
    again = await api.change(casework, grant, None, supervisor, of=path, method="DELETE")
    assert again.status_code == 404
    listed = (await casework.get(f"{path}/grants", headers=supervisor)).json()
    assert [(g["organisation"], g["active"]) for g in listed] == [("coop-aurora", False)]


async def test_a_legal_basis_keeps_the_network_sharing_a_withdrawn_consent_ends(
    casework: httpx.AsyncClient, realm: Realm, withdraw_consent: WithdrawConsent
) -> None:
    person = str(uuid.uuid4())
    case = await api.open_case(casework, realm.headers(LEAD), person_refs=[person])
    path = f"{api.CASES}/{case['id']}"
    added = await casework.post(
        f"{path}/team",
        json={"user": realm.subject(OTHER), "organisation": "coop-aurora", "role": "educator"},
        headers=realm.headers(LEAD),
    )
    assert added.status_code == 201, added.text
    supervisor = realm.headers(LEAD_SUPERVISOR)
    basis = f"{path}/legal-bases/network_sharing"
    not_covering = await api.change(
        casework,
        f"{path}/legal-bases/health_data",
        {"basis": "public_task", "reference": "L. 328/2000"},
        supervisor,
        of=path,
        method="PUT",
    )
    assert not_covering.status_code == 422, not_covering.text
    unknown_purpose = await api.change(
        casework,
        f"{path}/legal-bases/marketing",
        {"basis": "public_task", "reference": "L. 328/2000"},
        supervisor,
        of=path,
        method="PUT",
    )
    assert unknown_purpose.status_code == 422
    await withdraw_consent(person, "network_sharing", "coop-aurora")
    for _ in range(100):  # the withdrawal consumed: the foreign member's access ends
        if await _status(casework, realm, OTHER, path) == 404:
            break
        await asyncio.sleep(0.1)
    assert await _status(casework, realm, OTHER, path) == 404

    recorded = await api.change(
        casework,
        basis,
        {"basis": "public_task", "reference": "L. 328/2000, art. 22"},
        supervisor,
        of=path,
        method="PUT",
    )
    assert recorded.status_code == 200, recorded.text
    assert await _status(casework, realm, OTHER, path) == 200  # the basis covers the sharing

    removed = await api.change(casework, basis, None, supervisor, of=path, method="DELETE")
    assert removed.status_code == 204, removed.text
    assert await _status(casework, realm, OTHER, path) == 404
    assert (await casework.get(f"{path}/legal-bases", headers=supervisor)).json() == []
    absent = await api.change(casework, basis, None, supervisor, of=path, method="DELETE")
    assert absent.status_code == 404
