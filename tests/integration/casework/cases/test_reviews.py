"""Periodic reviews: the next one falls due a cadence after the last, under the policy in force
when the cycle started; a missed review is raised once per cycle, whatever runs the check."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import Database, utcnow
from kit.testing import casework as api
from kit.testing.apps import ServiceClient
from kit.testing.kafka import events_about
from kit.testing.services import service_client
from services.casework.app import create_app
from services.casework.cases.jobs import check_reviews
from services.casework.settings import CaseworkSettings

pytestmark = pytest.mark.integration

OVERDUE = "lgnet.casework.review.overdue"
WORKER = "caseworker.ponte"

# the service's own check runs once at start; the tests run it at the moments they choose
casework = service_client(create_app, CaseworkSettings, review_check_interval_seconds=3600)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _overdue_events(stack: Stack, case_id: str) -> list[int]:
    found = await events_about(
        stack.kafka_bootstrap, "lgnet.casework.cases", case_id, event_type=OVERDUE
    )
    return sorted(event.data["cycle"] for event in found)


async def test_a_missed_review_is_raised_once_per_cycle(
    casework: ServiceClient, realm: Realm, database: Database, stack: Stack
) -> None:
    case = await api.open_case(casework, realm.headers(WORKER))  # a minor: 60 days
    due = at(case["next_review_due_at"])
    assert due - at(case["opened_at"]) == timedelta(days=60)
    assert case["review_overdue"] is False

    assert await check_reviews(database, now=due) == []  # on time at the very instant
    late = due + timedelta(seconds=1)
    first = await check_reviews(database, now=late)
    assert [(str(k.case_id), k.cycle) for k in first] == [(case["id"], 1)]
    again = await asyncio.gather(*(check_reviews(database, now=late) for _ in range(4)))
    assert all(str(k.case_id) != case["id"] for batch in again for k in batch)

    # the review is done late: the next cycle's breach is a new one
    done = await api.change(
        casework,
        f"{api.CASES}/{case['id']}/reviews",
        {"outcome": "plan_confirmed", "summary": "Synthetic: on track."},
        realm.headers(WORKER),
        of=f"{api.CASES}/{case['id']}",
    )
    assert done.status_code == 200, done.text
    next_due = at(done.json()["case"]["next_review_due_at"])
    second = await check_reviews(database, now=next_due + timedelta(seconds=1))
    assert (uuid.UUID(case["id"]), 2) in {(k.case_id, k.cycle) for k in second}
    deadline = asyncio.get_running_loop().time() + 10
    while await _overdue_events(stack, case["id"]) != [1, 2]:
        assert asyncio.get_running_loop().time() < deadline, "overdue events not published"
        await asyncio.sleep(0.2)


async def test_a_review_is_recorded_in_its_cycle_and_moves_the_next_one(
    casework: ServiceClient, realm: Realm
) -> None:
    case = await api.open_case(casework, realm.headers(WORKER), target_group="vulnerable_family")
    path = f"{api.CASES}/{case['id']}/reviews"
    headers = realm.headers(WORKER)
    body = {"outcome": "plan_to_revise", "summary": "Synthetic: new needs at school."}
    assert (await casework.post(path, json=body, headers=headers)).status_code == 428
    stale = await casework.post(path, json=body, headers={**headers, "If-Match": '"9"'})
    assert stale.status_code == 412
    for bad in (
        {**body, "reviewed_at": (utcnow() + timedelta(hours=1)).isoformat()},
        {**body, "reviewed_at": (at(case["opened_at"]) - timedelta(days=1)).isoformat()},
        {**body, "outcome": "fine"},
        {**body, "summary": " "},
    ):
        refused = await casework.post(path, json=bad, headers={**headers, "If-Match": '"1"'})
        assert refused.status_code == 422, (bad, refused.text)

    recorded = await casework.post(path, json=body, headers={**headers, "If-Match": '"1"'})
    assert recorded.status_code == 200, recorded.text
    review, now = recorded.json()["review"], recorded.json()["case"]
    assert (review["cycle"], review["outcome"]) == (1, "plan_to_revise")
    assert recorded.headers["ETag"] == '"2"'
    assert now["reviews_done"] == 1
    assert at(now["next_review_due_at"]) - at(review["reviewed_at"]) == timedelta(days=90)
    listed = await casework.get(path, headers=headers)
    assert [r["id"] for r in listed.json()] == [review["id"]]
    outsider = await casework.get(path, headers=realm.headers("caseworker.aurora"))
    assert outsider.status_code == 404


async def test_a_new_cadence_applies_from_the_next_cycle(
    casework: ServiceClient, realm: Realm
) -> None:
    case = await api.open_case(casework, realm.headers(WORKER), target_group="other_vulnerable")
    assert at(case["next_review_due_at"]) - at(case["opened_at"]) == timedelta(days=120)
    coordinator = realm.headers("coordinator.comune")
    policies = "/v1/casework/policies/casework.reviews"
    document = (await casework.get(policies, headers=coordinator)).json()["document"]
    document["cadence"]["other_vulnerable"] = "P30D"
    published = await casework.post(
        f"{policies}/versions",
        json={
            "document": document,
            "effective_from": (utcnow() + timedelta(seconds=1)).isoformat(),
            "why": "Synthetic: monthly reviews for this group",
        },
        headers=coordinator,
    )
    assert published.status_code == 201, published.text
    await asyncio.sleep(1.5)
    unchanged = await casework.get(f"{api.CASES}/{case['id']}", headers=realm.headers(WORKER))
    assert unchanged.json()["next_review_due_at"] == case["next_review_due_at"]
    reviewed = await api.change(
        casework,
        f"{api.CASES}/{case['id']}/reviews",
        {"outcome": "plan_confirmed", "summary": "Synthetic: on track."},
        realm.headers(WORKER),
        of=f"{api.CASES}/{case['id']}",
    )
    now = reviewed.json()["case"]
    assert at(now["next_review_due_at"]) - at(now["last_review_at"]) == timedelta(days=30)


async def test_the_list_shows_the_cases_whose_review_is_overdue(
    casework: ServiceClient, realm: Realm, database: Database
) -> None:
    late = await api.open_case(casework, realm.headers(WORKER))
    on_time = await api.open_case(casework, realm.headers(WORKER))
    # time passes for one case: its due time is moved into the past
    async with database.session() as session:
        connection = await session.connection()
        await connection.execute(
            text("UPDATE cases SET next_review_due_at = :due WHERE id = :id"),
            {"due": utcnow() - timedelta(days=1), "id": uuid.UUID(late["id"])},
        )
    headers = realm.headers(WORKER)
    overdue = await casework.get(api.CASES, params={"review_overdue": "true"}, headers=headers)
    ids = {c["id"] for c in overdue.json()["items"]}
    assert late["id"] in ids
    assert on_time["id"] not in ids
    assert all(c["review_overdue"] for c in overdue.json()["items"])
    fine = await casework.get(
        api.CASES, params={"review_overdue": "false", "limit": 200}, headers=headers
    )
    assert on_time["id"] in {c["id"] for c in fine.json()["items"]}
    assert late["id"] not in {c["id"] for c in fine.json()["items"]}


async def test_a_closed_case_has_no_review_due(casework: httpx.AsyncClient, realm: Realm) -> None:
    case = await api.open_case(casework, realm.headers(WORKER))
    approval = (await api.request_closure(casework, case["id"], realm.headers(WORKER))).json()
    assert (
        await api.decide(casework, approval["id"], realm.headers("supervisor.ponte"))
    ).is_success
    closed = (await casework.get(f"{api.CASES}/{case['id']}", headers=realm.headers(WORKER))).json()
    assert closed["next_review_due_at"] is None
    assert closed["review_overdue"] is False
