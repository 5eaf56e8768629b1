"""Service referrals: a case's team refers it to a directory service; the organisation that runs
the service sees the referral alone, and accepting it gives its worker the case as a member."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database
from kit.testing import casework as api
from kit.testing.apps import ServiceClient
from kit.testing.casework import WithdrawConsent
from kit.testing.kafka import events_about
from kit.testing.services import service_client
from services.casework.app import create_app
from services.casework.referrals.jobs import check_referrals
from services.casework.settings import CaseworkSettings

pytestmark = pytest.mark.integration

LEAD, RECEIVING, RECEIVING_SUPERVISOR = "caseworker.ponte", "caseworker.aurora", "supervisor.aurora"
COORDINATOR = "coordinator.comune"
SERVICE_REFERRALS = "/v1/casework/service-referrals"

# the service's own check runs once at start; the tests run it at the moments they choose
casework = service_client(create_app, CaseworkSettings, referral_check_interval_seconds=3600)


async def _service(
    casework: httpx.AsyncClient, realm: Realm, network: str | None = "coop-aurora", **changes: Any
) -> dict[str, Any]:
    return await api.directory_service(casework, realm.headers(COORDINATOR), network, **changes)


async def _referred(
    casework: httpx.AsyncClient, realm: Realm, service_id: str, **body: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case of the lead organisation, referred to `service_id`."""
    case = await api.open_case(casework, realm.headers(LEAD))
    made = await casework.post(
        f"{api.CASES}/{case['id']}/referrals",
        json={
            "service_id": service_id,
            "team_role": "educator",
            "request_text": "Synthetic: needs evening Italian classes and a school place.",
            **body,
        },
        headers=realm.headers(LEAD),
    )
    assert made.status_code == 201, made.text
    return case, made.json()


async def _status(casework: httpx.AsyncClient, realm: Realm, user: str, path: str) -> int:
    return (await casework.get(path, headers=realm.headers(user))).status_code


def _answer_path(referral: dict[str, Any]) -> str:
    return f"{SERVICE_REFERRALS}/{referral['id']}/answer"


async def test_an_accepted_referral_puts_the_receiving_worker_on_the_team(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    service = await _service(casework, realm)
    case, referral = await _referred(casework, realm, service["id"])
    assert (referral["status"], referral["receiving_organisation"]) == ("pending", "coop-aurora")
    assert referral["answer_overdue"] is False
    referred_at = datetime.fromisoformat(referral["referred_at"])
    assert datetime.fromisoformat(referral["answer_due_at"]) - referred_at == timedelta(days=5)
    case_path = f"{api.CASES}/{case['id']}"

    # the receiving organisation sees the referral, not the case
    assert await _status(casework, realm, RECEIVING, case_path) == 404
    assert await _status(casework, realm, RECEIVING, f"{case_path}/referrals") == 404
    incoming = await casework.get(
        SERVICE_REFERRALS,
        params={"direction": "incoming", "status": "pending"},
        headers=realm.headers(RECEIVING_SUPERVISOR),
    )
    assert referral["id"] in {r["id"] for r in incoming.json()["items"]}
    one = await casework.get(
        f"{SERVICE_REFERRALS}/{referral['id']}", headers=realm.headers(RECEIVING)
    )
    assert one.status_code == 200
    assert one.json()["request_text"].startswith("Synthetic")
    assert one.json()["target_group"] == "unaccompanied_minor"
    assert "person_refs" not in one.json()
    # the team reads its case's referrals
    team_list = await casework.get(f"{case_path}/referrals", headers=realm.headers(LEAD))
    assert [r["id"] for r in team_list.json()["items"]] == [referral["id"]]

    headers = realm.headers(RECEIVING)
    accept = {"decision": "accept"}
    missing = await casework.post(_answer_path(referral), json=accept, headers=headers)
    assert missing.status_code == 428
    stale = await casework.post(
        _answer_path(referral), json=accept, headers={**headers, "If-Match": '"5"'}
    )
    assert stale.status_code == 412
    not_theirs = await api.change(
        casework, _answer_path(referral), accept, realm.headers("supervisor.ponte")
    )
    assert not_theirs.status_code == 403
    assert not_theirs.json()["type"] == "urn:lgnet:problem:not-receiving-the-referral"
    accepted = await api.change(casework, _answer_path(referral), accept, headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.headers["ETag"] == '"2"'

    # now a member: they see the case, in the role the referral named
    assert await _status(casework, realm, RECEIVING, case_path) == 200
    team = (await casework.get(f"{case_path}/team", headers=headers)).json()
    joined = [m for m in team if m["id"] == accepted.json()["member_id"]]
    assert [(m["organisation"], m["role"], m["active"]) for m in joined] == [
        ("coop-aurora", "educator", True)
    ]
    assert await _status(casework, realm, RECEIVING, f"{case_path}/referrals") == 200
    # the membership is the worker's: a colleague still sees the referral only
    assert await _status(casework, realm, RECEIVING_SUPERVISOR, case_path) == 404

    again = await api.change(casework, _answer_path(referral), accept, headers)
    assert again.status_code == 409
    withdrawn = await api.change(
        casework,
        f"{SERVICE_REFERRALS}/{referral['id']}/withdrawal",
        None,
        realm.headers(LEAD),
    )
    assert withdrawn.status_code == 409


async def test_a_declined_referral_gives_nothing(casework: httpx.AsyncClient, realm: Realm) -> None:
    service = await _service(casework, realm)
    case, referral = await _referred(casework, realm, service["id"])
    headers = realm.headers(RECEIVING)
    no_reason = await api.change(casework, _answer_path(referral), {"decision": "decline"}, headers)
    assert no_reason.status_code == 422
    declined = await api.change(
        casework,
        _answer_path(referral),
        {"decision": "decline", "reason": "Synthetic: no place before spring."},
        headers,
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["member_id"]) == ("declined", None)
    assert declined.json()["decline_reason"] == "Synthetic: no place before spring."
    assert await _status(casework, realm, RECEIVING, f"{api.CASES}/{case['id']}") == 404
    seen_by_team = await casework.get(
        f"{SERVICE_REFERRALS}/{referral['id']}", headers=realm.headers(LEAD)
    )
    assert seen_by_team.json()["status"] == "declined"
    # the person's subject access export holds the case's referrals
    exported = await casework.get(
        f"/v1/casework/subjects/{case['person_refs'][0]}/export", headers=realm.headers(LEAD)
    )
    assert exported.status_code == 200, exported.text
    (held,) = exported.json()["cases"]
    assert [(r["id"], r["status"]) for r in held["referrals"]] == [(referral["id"], "declined")]


async def test_an_organisation_neither_on_the_team_nor_receiving_sees_nothing(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    comune_service = await _service(casework, realm, "comune-milano")
    case, referral = await _referred(casework, realm, comune_service["id"])
    assert referral["receiving_organisation"] == "comune-milano"
    for path in (
        f"{SERVICE_REFERRALS}/{referral['id']}",
        f"{api.CASES}/{case['id']}/referrals",
    ):
        assert await _status(casework, realm, RECEIVING, path) == 404, path
    listed = await casework.get(SERVICE_REFERRALS, headers=realm.headers(RECEIVING))
    assert referral["id"] not in {r["id"] for r in listed.json()["items"]}
    answer = await casework.post(
        _answer_path(referral),
        json={"decision": "accept"},
        headers={**realm.headers(RECEIVING), "If-Match": '"1"'},
    )
    assert answer.status_code == 404
    # coordinators oversee every referral; they answer none
    assert (
        await _status(casework, realm, COORDINATOR, f"{SERVICE_REFERRALS}/{referral['id']}") == 200
    )
    outgoing = await casework.get(
        SERVICE_REFERRALS, params={"direction": "outgoing"}, headers=realm.headers(LEAD)
    )
    assert referral["id"] in {r["id"] for r in outgoing.json()["items"]}


async def test_the_team_withdraws_a_pending_referral(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    service = await _service(casework, realm)
    _, referral = await _referred(casework, realm, service["id"])
    path = f"{SERVICE_REFERRALS}/{referral['id']}/withdrawal"
    by_receiver = await api.change(
        casework, path, None, realm.headers(RECEIVING), of=path.rsplit("/", 1)[0]
    )
    assert by_receiver.status_code == 403
    missing = await casework.post(path, headers=realm.headers(LEAD))
    assert missing.status_code == 428
    withdrawn = await api.change(casework, path, None, realm.headers(LEAD))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    late_accept = await api.change(
        casework, _answer_path(referral), {"decision": "accept"}, realm.headers(RECEIVING)
    )
    assert late_accept.status_code == 409


async def test_a_referral_names_a_service_that_takes_referrals(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await api.open_case(casework, realm.headers(LEAD))
    path = f"{api.CASES}/{case['id']}/referrals"
    closed = await _service(casework, realm, status="temporarily closed")
    unlinked = await _service(casework, realm, None)
    active = await _service(casework, realm)
    for body, problem in (
        ({"service_id": closed["id"]}, "service-not-taking-referrals"),
        ({"service_id": unlinked["id"]}, "service-not-taking-referrals"),
        ({"service_id": "00000000-0000-4000-8000-000000000000"}, "unknown-directory-entry"),
        ({"service_id": active["id"], "team_role": "wizard"}, "validation-failed"),
        ({"service_id": active["id"], "case_id": case["id"]}, "validation-failed"),
        ({"service_id": active["id"], "request_text": " "}, "validation-failed"),
    ):
        answer = await casework.post(
            path, json={"team_role": "educator", **body}, headers=realm.headers(LEAD)
        )
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["type"] == f"urn:lgnet:problem:{problem}"
    # a case outside one's scope is 404; a visible one not managed, 403
    foreign = await casework.post(
        path,
        json={"service_id": active["id"], "team_role": "educator"},
        headers=realm.headers(RECEIVING),
    )
    assert foreign.status_code == 404
    idem = {**realm.headers(LEAD), "Idempotency-Key": f"refer-{case['id']}"}
    body = {"service_id": active["id"], "team_role": "legal_advisor"}
    first = await casework.post(path, json=body, headers=idem)
    replay = await casework.post(path, json=body, headers=idem)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert first.headers["Location"] == f"{SERVICE_REFERRALS}/{first.json()['id']}"
    listed = await casework.get(path, headers=realm.headers(LEAD))
    assert len(listed.json()["items"]) == 1


async def test_a_late_answer_is_raised_once(
    casework: ServiceClient, realm: Realm, database: Database, stack: Stack
) -> None:
    service = await _service(casework, realm)
    case, referral = await _referred(casework, realm, service["id"])
    due = datetime.fromisoformat(referral["answer_due_at"])
    assert referral["id"] not in map(str, await check_referrals(database, now=due))  # on time
    late = due + timedelta(seconds=1)
    first = await check_referrals(database, now=late)
    assert referral["id"] in map(str, first)
    again = await asyncio.gather(*(check_referrals(database, now=late) for _ in range(4)))
    assert all(referral["id"] not in map(str, batch) for batch in again)
    later = await check_referrals(database, now=late + timedelta(days=3))
    assert referral["id"] not in map(str, later)

    deadline = asyncio.get_running_loop().time() + 10
    while True:
        found = await events_about(
            stack.kafka_bootstrap,
            "lgnet.casework.cases",
            case["id"],
            event_type="lgnet.casework.referral.overdue",
        )
        if found:
            break
        assert asyncio.get_running_loop().time() < deadline, "overdue event not published"
        await asyncio.sleep(0.2)
    assert [e.data["referral_id"] for e in found] == [referral["id"]]
    assert "request_text" not in found[0].data

    # an answered referral is never late
    answered = await api.change(
        casework, _answer_path(referral), {"decision": "accept"}, realm.headers(RECEIVING)
    )
    assert answered.status_code == 200
    assert answered.json()["answer_overdue"] is False


async def test_no_organisation_is_brought_in_once_network_sharing_is_refused(
    casework: httpx.AsyncClient, realm: Realm, withdraw_consent: WithdrawConsent
) -> None:
    service = await _service(casework, realm)
    person = str(uuid.uuid4())
    case = await api.open_case(casework, realm.headers(LEAD), person_refs=[person])
    refer = f"{api.CASES}/{case['id']}/referrals"
    body = {"service_id": service["id"], "team_role": "educator", "request_text": "Synthetic."}
    made = await casework.post(refer, json=body, headers=realm.headers(LEAD))
    assert made.status_code == 201, made.text
    referral = made.json()

    await withdraw_consent(person, "network_sharing", "assoc-ponte")
    for _ in range(100):  # the withdrawal consumed: the case is no longer referred
        refused = await casework.post(refer, json=body, headers=realm.headers(LEAD))
        if refused.status_code == 409:
            break
        assert refused.status_code == 201, refused.text
        await asyncio.sleep(0.1)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:lgnet:problem:network-sharing-refused"
    accepting = await api.change(
        casework, _answer_path(referral), {"decision": "accept"}, realm.headers(RECEIVING)
    )
    assert accepting.status_code == 409, accepting.text
    assert accepting.json()["type"] == "urn:lgnet:problem:network-sharing-refused"
    still = await casework.get(
        f"{SERVICE_REFERRALS}/{referral['id']}", headers=realm.headers(RECEIVING)
    )
    assert (still.json()["status"], still.json()["version"]) == ("pending", referral["version"])

    # a legal basis on the case covers the sharing: the referral can be accepted
    case_path = f"{api.CASES}/{case['id']}"
    basis = await api.change(
        casework,
        f"{case_path}/legal-bases/network_sharing",
        {"basis": "public_task", "reference": "L. 328/2000, art. 22"},
        realm.headers("supervisor.ponte"),
        of=case_path,
        method="PUT",
    )
    assert basis.status_code == 200, basis.text
    accepted = await api.change(
        casework, _answer_path(referral), {"decision": "accept"}, realm.headers(RECEIVING)
    )
    assert accepted.status_code == 200, accepted.text
    assert await _status(casework, realm, RECEIVING, case_path) == 200
