"""A case's life through the API: opened by a case worker, stepped along, closed with a
supervisor's approval, re-opened; every refusal answered with its problem."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.events.envelope import CloudEvent
from kit.testing import casework as api
from kit.testing.kafka import all_events, events_about
from kit.testing.pages import all_pages

pytestmark = pytest.mark.integration

WORKER, LEAD_SUPERVISOR = "caseworker.ponte", "supervisor.ponte"
CLOSURE_REASON = "Synthetic: the plan's goals were reached."


async def _open(casework: httpx.AsyncClient, realm: Realm, **changes: Any) -> dict[str, Any]:
    return await api.open_case(casework, realm.headers(WORKER), **changes)


def _problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if slug is not None:
        assert body["type"] == f"urn:lgnet:problem:{slug}", body
    return body


async def test_a_case_worker_opens_a_case_that_their_organisation_leads_and_they_manage(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    person = str(uuid.uuid4())
    headers = {**realm.headers(WORKER), "Idempotency-Key": f"open-{person}"}
    body = api.case_body(person_refs=[person], target_group="vulnerable_family")
    opened = await casework.post(api.CASES, json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert opened.headers["Location"] == f"{api.CASES}/{case['id']}"
    assert opened.headers["ETag"] == '"1"'
    assert case["status"] == "open"
    assert case["origin"] == "manual"
    assert case["referral_id"] is None
    assert case["lead_organisation"] == case["reporting_organisation"] == "assoc-ponte"
    assert case["person_refs"] == [person]
    assert case["target_group"] == "vulnerable_family"

    team = (await casework.get(f"{api.CASES}/{case['id']}/team", headers=headers)).json()
    assert [(m["user"], m["organisation"], m["case_manager"]) for m in team] == [
        (realm.subject(WORKER), "assoc-ponte", True)
    ]
    assert case["case_manager_id"] == team[0]["id"]

    again = await casework.post(api.CASES, json=body, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == case["id"]  # the same key: the same case, not a second one
    by_person = await casework.get(
        api.CASES, params={"person_ref": person}, headers=realm.headers(WORKER)
    )
    assert [c["id"] for c in by_person.json()["items"]] == [case["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_group": "young_adult"}, "target_group"),  # intake's word, not casework's
        ({"municipio": 10}, "municipio"),
        ({"municipio": "2"}, "municipio"),
        ({"person_refs": []}, "person_refs"),
        ({"person_refs": ["not-an-id"]}, "person_refs"),
        ({"urgency": "soon"}, "urgency"),
        ({"role": "guardian"}, "role"),
        ({"lead_organisation": "coop-aurora"}, "lead_organisation"),
    ],
)
async def test_a_case_opened_with_bad_input_is_refused_field_by_field(
    casework: httpx.AsyncClient, realm: Realm, change: dict[str, Any], field: str
) -> None:
    refused = await casework.post(
        api.CASES, json=api.case_body(**change), headers=realm.headers(WORKER)
    )
    body = _problem(refused, 422, "validation-failed")
    assert any(field in error["pointer"] for error in body["errors"]), body


@pytest.mark.parametrize("user", ["coordinator.comune", "intake.aurora", "analyst.comune"])
async def test_only_case_workers_and_supervisors_open_cases(
    casework: httpx.AsyncClient, realm: Realm, user: str
) -> None:
    refused = await casework.post(api.CASES, json=api.case_body(), headers=realm.headers(user))
    _problem(refused, 403)


async def test_a_case_steps_forward_and_refuses_what_its_status_does_not_allow(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _open(casework, realm)
    headers = realm.headers(WORKER)
    status_path = f"{api.CASES}/{case['id']}/status"

    missing = await casework.post(status_path, json={"status": "assessment"}, headers=headers)
    _problem(missing, 428)
    stale = await casework.post(
        status_path, json={"status": "assessment"}, headers={**headers, "If-Match": '"7"'}
    )
    assert _problem(stale, 412)["current_etag"] == '"1"'

    moved = await api.step(casework, case["id"], "assessment", headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "assessment"
    assert moved.headers["ETag"] == '"2"'

    for target in ("plan_active", "closed", "transferred", "open", "assessment"):
        _problem(await api.step(casework, case["id"], target, headers), 409)
    _problem(await api.step(casework, case["id"], "lost", headers), 422)

    history = await casework.get(f"{api.CASES}/{case['id']}/history", headers=headers)
    assert [(h["from_status"], h["status"]) for h in history.json()] == [
        (None, "open"),
        ("open", "assessment"),
    ]


async def test_a_closure_waits_for_a_supervisor_of_the_lead_organisation(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _open(casework, realm)
    worker = realm.headers(WORKER)
    asked = await api.request_closure(casework, case["id"], worker, outcome="moved_away")
    assert asked.status_code == 201, asked.text
    approval = asked.json()
    assert asked.headers["Location"] == f"{api.APPROVALS}/{approval['id']}"
    assert (approval["subject"], approval["status"]) == ("closure", "pending")
    assert approval["requested_by"] == realm.subject(WORKER)

    # the case is unchanged until someone decides; a second request waits for the first
    assert (await casework.get(f"{api.CASES}/{case['id']}", headers=worker)).json()[
        "status"
    ] == "open"
    _problem(await api.request_closure(casework, case["id"], worker), 409, "approval-pending")

    queue = await all_pages(
        casework,
        api.APPROVALS,
        headers=realm.headers(LEAD_SUPERVISOR),
        limit=50,
        params={"awaiting_me": "true"},
    )
    assert approval["id"] in {a["id"] for a in queue}
    assert all(a["status"] == "pending" for a in queue)
    mine = await casework.get(
        api.APPROVALS, params={"awaiting_me": "true"}, headers=realm.headers(WORKER)
    )
    assert approval["id"] not in {a["id"] for a in mine.json()["items"]}  # they asked

    # the requester never decides; another organisation's supervisor does not see it
    _problem(await api.decide(casework, approval["id"], worker), 403, "not-the-case-supervisor")
    hidden = await casework.get(
        f"{api.APPROVALS}/{approval['id']}", headers=realm.headers("supervisor.aurora")
    )
    _problem(hidden, 404, "approval-not-found")
    sent_back_without_reason = await api.decide(
        casework, approval["id"], realm.headers(LEAD_SUPERVISOR), decision="send_back"
    )
    _problem(sent_back_without_reason, 422)

    decided = await api.decide(casework, approval["id"], realm.headers(LEAD_SUPERVISOR))
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == realm.subject(LEAD_SUPERVISOR)
    closed = (await casework.get(f"{api.CASES}/{case['id']}", headers=worker)).json()
    assert closed["status"] == "closed"
    assert closed["closure_outcome"] == "moved_away"
    assert closed["closure_reason"] == CLOSURE_REASON
    assert closed["closed_at"] is not None
    _problem(
        await api.decide(casework, approval["id"], realm.headers(LEAD_SUPERVISOR)),
        409,
        "approval-already-decided",
    )
    _problem(await api.request_closure(casework, case["id"], worker), 409)
    history = (await casework.get(f"{api.CASES}/{case['id']}/history", headers=worker)).json()
    assert history[-1]["status"] == "closed"
    assert history[-1]["approval_id"] == approval["id"]


async def test_a_sent_back_or_withdrawn_closure_leaves_the_case_running(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _open(casework, realm)
    worker = realm.headers(WORKER)
    first = (await api.request_closure(casework, case["id"], worker)).json()
    sent_back = await api.decide(
        casework,
        first["id"],
        realm.headers(LEAD_SUPERVISOR),
        decision="send_back",
        reason="Synthetic: the housing goal is not reached yet.",
    )
    assert sent_back.status_code == 200, sent_back.text
    assert sent_back.json()["status"] == "sent_back"

    second = (await api.request_closure(casework, case["id"], worker)).json()
    by_other = await api.change(
        casework,
        f"{api.APPROVALS}/{second['id']}/withdrawal",
        None,
        realm.headers(LEAD_SUPERVISOR),
    )
    _problem(by_other, 403)
    withdrawn = await api.change(
        casework, f"{api.APPROVALS}/{second['id']}/withdrawal", None, worker
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    now = (await casework.get(f"{api.CASES}/{case['id']}", headers=worker)).json()
    assert now["status"] == "open"


async def test_a_closed_case_is_reopened_for_a_new_assessment(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _open(casework, realm)
    worker = realm.headers(WORKER)
    reopening = f"{api.CASES}/{case['id']}/reopening"
    reason = {"reason": "Synthetic: the person came back to the one-stop shop."}
    _problem(await api.change(casework, reopening, reason, worker), 409, "case-reopening-refused")

    approval = (await api.request_closure(casework, case["id"], worker)).json()
    assert (await api.decide(casework, approval["id"], realm.headers(LEAD_SUPERVISOR))).is_success
    _problem(await api.change(casework, reopening, {"reason": "  "}, worker), 422)
    reopened = await api.change(casework, reopening, reason, worker)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "assessment"
    assert reopened.json()["reopened_at"] is not None
    assert reopened.json()["closure_outcome"] == "autonomy_reached"  # the closure stays known


async def test_a_case_outside_ones_scope_is_404_and_one_not_managed_is_403(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    case = await _open(casework, realm)
    outsider = realm.headers("caseworker.aurora")
    for path in ("", "/team", "/history"):
        _problem(
            await casework.get(f"{api.CASES}/{case['id']}{path}", headers=outsider),
            404,
            "case-not-found",
        )
    _problem(
        await casework.post(
            f"{api.CASES}/{case['id']}/status",
            json={"status": "assessment"},
            headers={**outsider, "If-Match": '"1"'},
        ),
        404,
    )
    _problem(await api.request_closure(casework, case["id"], outsider), 404)
    # a coordinator oversees every case and changes none
    coordinator = realm.headers("coordinator.comune")
    assert (await casework.get(f"{api.CASES}/{case['id']}", headers=coordinator)).is_success
    _problem(await api.step(casework, case["id"], "assessment", coordinator), 403)


async def test_the_list_filters_by_what_a_coordinator_asks(
    casework: httpx.AsyncClient, realm: Realm
) -> None:
    family = await _open(casework, realm, target_group="vulnerable_family", municipio=9)
    await _open(casework, realm, target_group="unaccompanied_minor", municipio=9)
    coordinator = realm.headers("coordinator.comune")
    found = await all_pages(
        casework,
        api.CASES,
        headers=coordinator,
        limit=50,
        params={
            "status": "open",
            "organisation": "assoc-ponte",
            "target_group": "vulnerable_family",
            "municipio": "9",
            "opened_from": family["opened_at"],
            "case_manager": realm.subject(WORKER),
            "team_member": realm.subject(WORKER),
        },
    )
    assert [c["id"] for c in found] == [family["id"]]
    for bad in ({"municipio": "0"}, {"opened_from": "yesterday"}, {"target_group": "other"}):
        _problem(await casework.get(api.CASES, params=bad, headers=coordinator), 422)


async def test_every_casework_event_keeps_its_schema_and_no_free_text_or_user(
    casework: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    case = await _open(casework, realm)
    worker = realm.headers(WORKER)
    approval = (await api.request_closure(casework, case["id"], worker)).json()
    await api.decide(casework, approval["id"], realm.headers(LEAD_SUPERVISOR))
    closed = await _published(stack, case["id"], "lgnet.casework.case.closed")
    assert closed.data["outcome"] == "autonomy_reached"
    assert closed.organisation == "assoc-ponte"

    secrets = {CLOSURE_REASON, "the person came back", "housing goal"}
    secrets |= {realm.subject(user) for user in (WORKER, LEAD_SUPERVISOR)}
    events = await all_events(stack.kafka_bootstrap, ["lgnet.casework.cases"])
    assert {e.type for e in events} >= {
        "lgnet.casework.case.opened",
        "lgnet.casework.case.closed",
        "lgnet.casework.approval.requested",
        "lgnet.casework.approval.decided",
        "lgnet.casework.team.member_joined",
        "lgnet.casework.case.manager_changed",
    }
    for event in events:
        contracts.validate(event)
        text = json.dumps(event.data) + json.dumps(
            {k: v for k, v in vars(event).items() if k != "data"}, default=str
        )
        leaked = [s for s in secrets if s.lower() in text.lower()]
        assert not leaked, f"{event.type} carries {leaked}"


async def _published(stack: Stack, case_id: str, event_type: str) -> CloudEvent:
    """The `event_type` event about the case, once the relay has published it."""
    deadline = time.monotonic() + 10
    while True:
        found = await events_about(
            stack.kafka_bootstrap, "lgnet.casework.cases", case_id, event_type=event_type
        )
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no {event_type} about case {case_id}"
        await asyncio.sleep(0.2)
