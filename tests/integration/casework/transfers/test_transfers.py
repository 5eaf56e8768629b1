"""Transfers: the lead asks another organisation to lead the case; that organisation's
supervisor accepts (naming the new case manager, choosing what the former lead keeps
reading) or refuses; the lead may withdraw first. One case, its history whole."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing import casework as api

pytestmark = pytest.mark.integration

LEAD, LEAD_SUPERVISOR = "caseworker.ponte", "supervisor.ponte"
RECEIVING_WORKER, RECEIVING_SUPERVISOR = "caseworker.aurora", "supervisor.aurora"
TRANSFERS = "/v1/casework/transfers"


async def _transferring(
    casework: httpx.AsyncClient, realm: Realm
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case of assoc-ponte in assessment, asked of coop-aurora."""
    case = await api.open_case(casework, realm.headers(LEAD))
    assert (await api.step(casework, case["id"], "assessment", realm.headers(LEAD))).is_success
    asked = await casework.post(
        f"{api.CASES}/{case['id']}/transfers",
        json={"to_organisation": "coop-aurora", "reason": "Synthetic: moved to Municipio 8"},
        headers=realm.headers(LEAD),
    )
    assert asked.status_code == 201, asked.text
    return case, asked.json()


async def _status(casework: httpx.AsyncClient, realm: Realm, user: str, path: str) -> int:
    return (await casework.get(path, headers=realm.headers(user))).status_code


def _accept(realm: Realm, **answer: Any) -> dict[str, Any]:
    return {
        "answer": "accept",
        "case_manager": {"user": realm.subject(RECEIVING_WORKER), "role": "social_worker"},
        **answer,
    }


async def test_an_accepted_transfer_hands_the_case_over_with_its_history(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, transfer = await _transferring(casework, realm)
    path = f"{api.CASES}/{case['id']}"
    assert transfer["status"] == "pending"
    assert transfer["resumes_status"] == "assessment"
    seen = (await casework.get(path, headers=realm.headers(LEAD))).json()
    assert seen["status"] == "transferred"
    # the organisation asked reads the case while it decides, not its notes
    assert await _status(casework, realm, RECEIVING_SUPERVISOR, path) == 200
    assert await _status(casework, realm, RECEIVING_SUPERVISOR, f"{path}/notes") == 404
    # nothing steps or closes a case being transferred
    assert (
        await api.step(casework, case["id"], "plan_active", realm.headers(LEAD))
    ).status_code == 409
    assert (await api.request_closure(casework, case["id"], realm.headers(LEAD))).status_code == 409
    incoming = await casework.get(
        TRANSFERS,
        params={"direction": "incoming", "status": "pending"},
        headers=realm.headers(RECEIVING_SUPERVISOR),
    )
    assert transfer["id"] in {t["id"] for t in incoming.json()["items"]}

    one = f"{TRANSFERS}/{transfer['id']}"
    answer = f"{one}/answer"
    not_supervisor = await api.change(
        casework, answer, _accept(realm), realm.headers(RECEIVING_WORKER), of=one
    )
    assert not_supervisor.status_code == 403, not_supervisor.text
    not_receiving = await api.change(
        casework, answer, _accept(realm), realm.headers(LEAD_SUPERVISOR), of=one
    )
    assert not_receiving.status_code == 403
    no_manager = await api.change(
        casework, answer, {"answer": "accept"}, realm.headers(RECEIVING_SUPERVISOR), of=one
    )
    assert no_manager.status_code == 422
    supervisor = realm.headers(RECEIVING_SUPERVISOR)
    missing = await casework.post(answer, json=_accept(realm), headers=supervisor)
    assert missing.status_code == 428
    stale = await casework.post(
        answer, json=_accept(realm), headers={**supervisor, "If-Match": '"9"'}
    )
    assert stale.status_code == 412

    accepted = await api.change(
        casework, answer, _accept(realm, former_lead_reach="case"), supervisor, of=one
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    moved = (await casework.get(path, headers=realm.headers(RECEIVING_WORKER))).json()
    assert moved["lead_organisation"] == "coop-aurora"
    assert moved["status"] == "assessment"
    history = (await casework.get(f"{path}/history", headers=supervisor)).json()
    assert [h["status"] for h in history][-3:] == ["assessment", "transferred", "assessment"]
    team = (await casework.get(f"{path}/team", headers=supervisor)).json()
    active = {(m["organisation"], m["case_manager"]) for m in team if m["active"]}
    assert active == {("coop-aurora", True)}  # the former lead's members left

    # the former lead reads the case as granted, and nothing more; it changes nothing
    assert await _status(casework, realm, LEAD, path) == 200
    assert await _status(casework, realm, LEAD, f"{path}/plan") == 404
    assert await _status(casework, realm, LEAD, f"{path}/notes") == 404
    refused = await api.step(casework, case["id"], "plan_active", realm.headers(LEAD))
    assert refused.status_code == 403
    again = await api.change(casework, answer, _accept(realm), supervisor, of=one)
    assert again.status_code == 409
    revoked = await api.change(
        casework, f"{path}/grants/assoc-ponte", None, supervisor, of=path, method="DELETE"
    )
    assert revoked.status_code == 200, revoked.text
    assert await _status(casework, realm, LEAD, path) == 404
    # the former lead still sees the transfer it asked
    assert await _status(casework, realm, LEAD, one) == 200


async def test_a_refused_transfer_gives_the_case_back_as_it_was(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, transfer = await _transferring(casework, realm)
    one = f"{TRANSFERS}/{transfer['id']}"
    supervisor = realm.headers(RECEIVING_SUPERVISOR)
    no_reason = await api.change(casework, f"{one}/answer", {"answer": "refuse"}, supervisor)
    assert no_reason.status_code == 422
    refused = await api.change(
        casework,
        f"{one}/answer",
        {"answer": "refuse", "reason": "Synthetic: no places this month"},
        supervisor,
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["refusal_reason"] == "Synthetic: no places this month"
    path = f"{api.CASES}/{case['id']}"
    back = (await casework.get(path, headers=realm.headers(LEAD))).json()
    assert (back["status"], back["lead_organisation"]) == ("assessment", "assoc-ponte")
    assert await _status(casework, realm, RECEIVING_SUPERVISOR, path) == 404


async def test_the_lead_withdraws_a_pending_transfer_and_no_one_else_does(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, transfer = await _transferring(casework, realm)
    one = f"{TRANSFERS}/{transfer['id']}"
    by_receiver = await api.change(
        casework, f"{one}/withdrawal", None, realm.headers(RECEIVING_SUPERVISOR)
    )
    assert by_receiver.status_code == 403
    withdrawn = await api.change(casework, f"{one}/withdrawal", None, realm.headers(LEAD))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    back = await casework.get(f"{api.CASES}/{case['id']}", headers=realm.headers(LEAD))
    assert back.json()["status"] == "assessment"
    listed = await casework.get(f"{api.CASES}/{case['id']}/transfers", headers=realm.headers(LEAD))
    assert [t["status"] for t in listed.json()] == ["withdrawn"]


async def test_a_transfer_is_asked_once_of_another_organisation_by_the_lead(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case, _ = await _transferring(casework, realm)
    asks = f"{api.CASES}/{case['id']}/transfers"
    body = {"to_organisation": "coop-aurora", "reason": "Synthetic"}
    twice = await casework.post(asks, json=body, headers=realm.headers(LEAD))
    assert twice.status_code == 409, twice.text
    other = await api.open_case(casework, realm.headers(LEAD))
    own = await casework.post(
        f"{api.CASES}/{other['id']}/transfers",
        json={**body, "to_organisation": "assoc-ponte"},
        headers=realm.headers(LEAD),
    )
    assert own.status_code == 422
    bad = await casework.post(
        f"{api.CASES}/{other['id']}/transfers",
        json={"to_organisation": "Not An Alias", "reason": ""},
        headers=realm.headers(LEAD),
    )
    assert bad.status_code == 422
    outsider = await casework.post(
        f"{api.CASES}/{other['id']}/transfers", json=body, headers=realm.headers(RECEIVING_WORKER)
    )
    assert outsider.status_code == 404
    assert (
        await _status(casework, realm, RECEIVING_WORKER, f"{api.CASES}/{other['id']}/transfers")
        == 404
    )
    unknown = f"{TRANSFERS}/00000000-0000-4000-8000-000000000000"
    assert await _status(casework, realm, LEAD, unknown) == 404


async def test_a_grant_the_new_lead_held_ends_when_it_takes_the_case(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await api.open_case(casework, realm.headers(LEAD))
    path = f"{api.CASES}/{case['id']}"
    granted = await api.change(
        casework,
        f"{path}/grants/coop-aurora",
        {"reach": "plan"},
        realm.headers(LEAD_SUPERVISOR),
        of=path,
        method="PUT",
    )
    assert granted.status_code == 200, granted.text
    asked = await casework.post(
        f"{path}/transfers",
        json={"to_organisation": "coop-aurora", "reason": "Synthetic: moved to Municipio 8"},
        headers=realm.headers(LEAD),
    )
    assert asked.status_code == 201, asked.text
    one = f"{TRANSFERS}/{asked.json()['id']}"
    supervisor = realm.headers(RECEIVING_SUPERVISOR)
    accepted = await api.change(casework, f"{one}/answer", _accept(realm), supervisor, of=one)
    assert accepted.status_code == 200, accepted.text
    grants = (await casework.get(f"{path}/grants", headers=supervisor)).json()
    assert [(g["organisation"], g["active"]) for g in grants] == [("coop-aurora", False)]
    assert await _status(casework, realm, RECEIVING_WORKER, f"{path}/notes") == 200  # its lead
