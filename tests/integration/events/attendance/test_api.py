"""Check-in, attendance, its sheet and feedback through the events service's API, with real
Keycloak tokens, PostgreSQL and Kafka: an offline device's batch uploaded twice counts once,
scans for a cancelled registration or another session are refused with their reason."""

from __future__ import annotations

import csv
import io
import uuid
from functools import partial
from typing import Any

import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.apps import ServiceClient
from kit.testing.initiatives import publish_initiative
from kit.testing.kafka import events_about
from kit.testing.registrations import (
    PUBLIC_REGISTRANT,
    registered,
    registrations_of,
    session_at,
    step_registration,
)
from kit.testing.resources import assert_problem
from kit.testing.sessions import schedule_session
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration

P = "urn:lgnet:problem:"
ORGANISER = "organizer.ponte"
SCANNED_AT = "2026-12-05T16:35:00Z"


async def _session(events: ServiceClient, realm: Realm, **changes: Any) -> tuple[str, str]:
    initiative = await publish_initiative(events, realm, user=ORGANISER)
    scheduled = await schedule_session(events, realm, initiative["id"], **changes)
    assert scheduled.status_code == 201, scheduled.text
    return initiative["id"], scheduled.json()["id"]


_registered = partial(registered, user=ORGANISER)


def _scan(registration_id: str | None, nonce: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "nonce": nonce or f"scan-{uuid.uuid4().hex[:12]}",
        "registration_id": registration_id,
        "scanned_at": SCANNED_AT,
        **more,
    }


async def _upload(
    events: ServiceClient,
    realm: Realm,
    initiative_id: str,
    session_id: str,
    scans: list[dict[str, Any]],
    user: str = ORGANISER,
) -> Any:
    return await events.post(
        f"{session_at(initiative_id, session_id)}/check-ins",
        json={"device": "tablet-ingresso", "scans": scans},
        headers=realm.headers(user),
    )


async def test_an_offline_batch_uploaded_twice_counts_once(
    events: ServiceClient, realm: Realm, stack: Stack
) -> None:
    initiative_id, session_id = await _session(events, realm)
    people = [await _registered(events, realm, initiative_id, session_id) for _ in range(3)]
    batch = [_scan(p["id"]) for p in people] + [
        _scan(None),
        _scan(None, person_ref=str(uuid.uuid4())),
    ]

    first = await _upload(events, realm, initiative_id, session_id, batch)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["checked_in"], body["walk_ins"], body["refused"]) == (3, 2, 0)
    assert [r["outcome"] for r in body["results"]] == ["checked_in"] * 3 + ["walk_in"] * 2

    again = (await _upload(events, realm, initiative_id, session_id, batch)).json()
    assert (again["checked_in"], again["walk_ins"], again["refused"]) == (0, 0, 0)
    assert all(r["replayed"] and not r["counted"] for r in again["results"])
    assert [r["outcome"] for r in again["results"]] == [r["outcome"] for r in body["results"]]

    # another device scans the first person again, under its own nonce
    other = (
        await _upload(events, realm, initiative_id, session_id, [_scan(people[0]["id"])])
    ).json()
    assert [r["outcome"] for r in other["results"]] == ["already_checked_in"]
    assert other["checked_in"] == 0

    attendance = await events.get(
        f"{session_at(initiative_id, session_id)}/attendance", headers=realm.headers("intake.ponte")
    )
    assert attendance.json() == {
        "session_id": session_id,
        "registered": 3,
        "checked_in": 3,
        "walk_ins": 2,
        "no_shows": 0,
    }
    told = await events_about(
        stack.kafka_bootstrap, TOPIC, initiative_id, event_type="lgnet.events.attendance.recorded"
    )
    assert len(told) == 1  # the replay and the repeat counted nobody: no event
    contracts.validate(told[0])
    assert sorted(told[0].data["beneficiaries_checked_in"]) == sorted(
        p["person_ref"] for p in people
    )
    assert (told[0].data["total_checked_in"], told[0].data["total_walk_ins"]) == (3, 2)


async def test_scans_that_cannot_count_are_refused_with_their_reason(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    holder = await _registered(events, realm, initiative_id, session_id)
    waiting = await _registered(events, realm, initiative_id, session_id)  # in line
    assert waiting["status"] == "waitlisted"
    gone = await _registered(events, realm, initiative_id, session_id)
    await step_registration(events, realm, gone, initiative_id, "cancellation", ORGANISER)
    other_initiative, other_session = await _session(events, realm)
    stranger = await _registered(events, realm, other_initiative, other_session)

    nonce = "scan-reused-0001"
    response = await _upload(
        events,
        realm,
        initiative_id,
        session_id,
        [
            _scan(gone["id"]),
            _scan(waiting["id"]),
            _scan(stranger["id"]),
            _scan(str(uuid.uuid4())),
            _scan(holder["id"], nonce),
        ],
    )
    body = response.json()
    assert [r["outcome"] for r in body["results"]] == [
        "registration_cancelled",
        "not_holding_a_seat",
        "wrong_session",
        "unknown_registration",
        "checked_in",
    ]
    assert (body["checked_in"], body["refused"]) == (1, 4)
    reused = await _upload(events, realm, initiative_id, session_id, [_scan(None, nonce)])
    assert [r["outcome"] for r in reused.json()["results"]] == ["nonce_reused"]


async def test_who_may_upload_scans_and_into_what(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm)
    scans = [_scan(None)]
    assert_problem(
        await _upload(events, realm, initiative_id, session_id, scans, "caseworker.ponte"), 403
    )
    unknown = str(uuid.uuid4())
    assert_problem(await _upload(events, realm, initiative_id, unknown, scans), 404)
    assert_problem(await _upload(events, realm, initiative_id, session_id, []), 422)
    assert_problem(
        await _upload(events, realm, initiative_id, session_id, [{**_scan(None), "nonce": "x"}]),
        422,
    )
    location = session_at(initiative_id, session_id)
    headers = realm.headers(ORGANISER)
    cancelled = await events.post(
        f"{location}/cancellation", headers={**headers, "If-Match": '"1"'}
    )
    assert cancelled.status_code == 200, cancelled.text
    refused = await _upload(events, realm, initiative_id, session_id, scans)
    assert_problem(refused, 409, f"{P}session-cancelled")


async def test_the_attendance_sheet_is_for_those_who_run_the_session(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    person = await _registered(events, realm, initiative_id, session_id)
    formula = {**PUBLIC_REGISTRANT, "name": '=HYPERLINK("x")', "email": "a@example.org"}
    public = await _registered(events, realm, initiative_id, session_id, formula)
    await _upload(events, realm, initiative_id, session_id, [_scan(person["id"])])
    path = f"{session_at(initiative_id, session_id)}/attendance.csv"

    assert_problem(await events.get(path, headers=realm.headers("caseworker.ponte")), 403)
    sheet = await events.get(path, headers=realm.headers(ORGANISER))
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    by_id = {row["registration_id"]: row for row in rows}
    assert by_id[person["id"]]["person_ref"] == person["person_ref"]
    assert by_id[person["id"]]["checked_in_at"] == "2026-12-05T17:35:00+01:00"
    assert by_id[public["id"]]["name"] == '\'=HYPERLINK("x")'  # never run as a formula
    assert by_id[public["id"]]["checked_in_at"] == ""


async def test_feedback_once_from_those_who_attended(
    events: ServiceClient, realm: Realm, stack: Stack
) -> None:
    initiative_id, session_id = await _session(events, realm)
    came = await _registered(events, realm, initiative_id, session_id)
    absent = await _registered(events, realm, initiative_id, session_id)
    await _upload(events, realm, initiative_id, session_id, [_scan(came["id"])])
    base = registrations_of(initiative_id, session_id)
    headers = realm.headers(ORGANISER)

    given = await events.post(
        f"{base}/{came['id']}/feedback", json={"usefulness": 5, "comment": "Utile"}, headers=headers
    )
    assert given.status_code == 201, given.text
    assert (given.json()["usefulness"], given.json()["comment"]) == (5, "Utile")
    twice = await events.post(
        f"{base}/{came['id']}/feedback", json={"usefulness": 4}, headers=headers
    )
    assert_problem(twice, 409, f"{P}feedback-given-already")
    not_there = await events.post(
        f"{base}/{absent['id']}/feedback", json={"usefulness": 3}, headers=headers
    )
    assert_problem(not_there, 409, f"{P}not-attended")
    for bad in ({"usefulness": 0}, {"usefulness": 6}, {"usefulness": "5"}, {}):
        assert_problem(
            await events.post(f"{base}/{came['id']}/feedback", json=bad, headers=headers), 422
        )
    unknown = await events.post(
        f"{base}/{uuid.uuid4()}/feedback", json={"usefulness": 3}, headers=headers
    )
    assert_problem(unknown, 404)

    summary = await events.get(
        f"{session_at(initiative_id, session_id)}/feedback", headers=realm.headers("analyst.comune")
    )
    assert summary.json() == {
        "session_id": session_id,
        "answers": 1,
        "mean_usefulness": 5.0,
        "by_usefulness": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
        "found_useful": 1,
    }
    told = await events_about(
        stack.kafka_bootstrap, TOPIC, initiative_id, event_type="lgnet.events.feedback.given"
    )
    assert [e.data["usefulness"] for e in told] == [5]
    contracts.validate(told[0])
    assert "comment" not in told[0].data
