"""Sessions through the events service's API, with real Keycloak tokens, PostgreSQL and
Kafka: times in Europe/Rome across both clock changes, reschedules and cancellations told by
event."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.testing.initiatives import create_initiative
from kit.testing.kafka import events_about
from kit.testing.resources import assert_created, assert_problem
from kit.testing.sessions import SESSION, schedule_session, sessions_of
from services.events.initiatives.events import TOPIC

pytestmark = pytest.mark.integration

TIME = "urn:lgnet:problem:invalid-session-time"


async def _initiative(events: httpx.AsyncClient, realm: Realm, **changes: Any) -> str:
    created = await create_initiative(events, realm, **changes)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _scheduled(events: httpx.AsyncClient, realm: Realm, **changes: Any) -> dict[str, Any]:
    initiative_id = await _initiative(events, realm)
    body = assert_created(
        await schedule_session(events, realm, initiative_id, **changes), sessions_of(initiative_id)
    )
    return body


def _codes(problem: dict[str, Any]) -> list[str]:
    return [e["code"] for e in problem["errors"]]


async def test_a_scheduled_session_is_read_back_in_its_zone(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    body = await _scheduled(events, realm)
    assert body["starts_at"] == "2026-12-05T17:30:00+01:00"
    assert body["ends_at"] == "2026-12-05T19:30:00+01:00"
    assert body["zone"] == "Europe/Rome"
    assert body["venue"] == SESSION["venue"]
    assert (body["status"], body["capacity"], body["languages"]) == ("scheduled", 20, ["it", "ar"])
    location = f"{sessions_of(body['initiative_id'])}/{body['id']}"
    for reader in ("caseworker.aurora", "intake.aurora", "analyst.osservatorio"):
        fetched = await events.get(location, headers=realm.headers(reader))
        assert fetched.status_code == 200, reader
        assert fetched.headers["ETag"] == '"1"'
        assert fetched.json() == body


async def test_sessions_on_both_clock_change_sundays_are_kept_at_their_local_time(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _initiative(events, realm, starts_on="2026-10-01", ends_on="2027-04-30")
    for day in ("2027-03-28", "2026-10-25"):  # last Sundays of March and October
        response = await schedule_session(
            events, realm, initiative_id, starts_at=f"{day}T10:00:00", ends_at=f"{day}T12:00:00"
        )
        assert response.status_code == 201, response.text
    listed = await events.get(sessions_of(initiative_id), headers=realm.headers("intake.ponte"))
    assert [(s["starts_at"], s["ends_at"]) for s in listed.json()["items"]] == [
        ("2026-10-25T10:00:00+01:00", "2026-10-25T12:00:00+01:00"),  # CET again
        ("2027-03-28T10:00:00+02:00", "2027-03-28T12:00:00+02:00"),  # CEST already
    ]


async def test_times_the_clocks_skip_or_pass_twice_are_refused(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id = await _initiative(events, realm, starts_on="2026-10-01", ends_on="2027-04-30")
    skipped = await schedule_session(
        events, realm, initiative_id, starts_at="2027-03-28T02:30:00", ends_at="2027-03-28T04:00:00"
    )
    assert _codes(assert_problem(skipped, 422, TIME)) == ["nonexistent_local_time"]
    twice = await schedule_session(
        events, realm, initiative_id, starts_at="2026-10-25T02:30:00", ends_at="2026-10-25T04:00:00"
    )
    assert _codes(assert_problem(twice, 422, TIME)) == ["ambiguous_local_time"]
    with_offset = await schedule_session(
        events,
        realm,
        initiative_id,
        starts_at="2026-10-25T02:30:00+01:00",  # the second 02:30
        ends_at="2026-10-25T04:00:00",
    )
    assert with_offset.status_code == 201, with_offset.text
    assert with_offset.json()["starts_at"] == "2026-10-25T02:30:00+01:00"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ends_at": "2026-12-05T17:00:00"}, "ends_before_starts"),
        ({"ends_at": "2026-12-06T19:30:00"}, "too_long"),
        (
            {"starts_at": "2026-12-20T10:00:00", "ends_at": "2026-12-20T11:00:00"},
            "outside_initiative_period",
        ),
        ({"zone": "Europe/Atlantis"}, "unknown_zone"),
        ({"starts_at": "2026-12-05T17:30:00+02:00"}, "offset_not_of_zone"),
    ],
)
async def test_a_session_at_an_impossible_time_is_refused(
    events: httpx.AsyncClient, realm: Realm, changes: dict[str, Any], code: str
) -> None:
    initiative_id = await _initiative(events, realm)
    response = await schedule_session(events, realm, initiative_id, **changes)
    assert _codes(assert_problem(response, 422, TIME)) == [code]


@pytest.mark.parametrize(
    "changes",
    [
        {"capacity": 0},
        {"capacity": "20"},
        {"languages": []},
        {"languages": ["italiano"]},
        {"venue": {**SESSION["venue"], "municipio": 10}},
        {"offer_hold_minutes": 1},
        {"seats": 3},
    ],
)
async def test_a_malformed_session_is_a_422(
    events: httpx.AsyncClient, realm: Realm, changes: dict[str, Any]
) -> None:
    initiative_id = await _initiative(events, realm)
    assert_problem(await schedule_session(events, realm, initiative_id, **changes), 422)


async def test_who_may_schedule_a_session(events: httpx.AsyncClient, realm: Realm) -> None:
    initiative_id = await _initiative(events, realm)
    assert_problem(
        await schedule_session(events, realm, initiative_id, user="caseworker.ponte"), 403
    )
    by_comune = await _initiative(events, realm, user="coordinator.comune")
    refused = await schedule_session(events, realm, by_comune)  # organizer.ponte: not its own
    assert_problem(refused, 403, "urn:lgnet:problem:not-running-the-initiative")
    partnered = await _initiative(
        events, realm, user="coordinator.comune", partner_organisations=["assoc-ponte"]
    )
    assert (await schedule_session(events, realm, partnered)).status_code == 201
    coordinator = await schedule_session(events, realm, initiative_id, user="coordinator.comune")
    assert coordinator.status_code == 201
    anonymous = await events.post(sessions_of(initiative_id), json=SESSION)
    assert_problem(anonymous, 401)


async def test_unknown_initiatives_and_sessions_are_404(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    headers = realm.headers("organizer.ponte")
    assert_problem(await schedule_session(events, realm, unknown), 404)
    assert_problem(await events.get(sessions_of(unknown), headers=headers), 404)
    initiative_id = await _initiative(events, realm)
    assert_problem(
        await events.get(f"{sessions_of(initiative_id)}/{unknown}", headers=headers), 404
    )
    other = await _scheduled(events, realm)  # a session of another initiative
    assert_problem(
        await events.get(f"{sessions_of(initiative_id)}/{other['id']}", headers=headers), 404
    )


async def test_a_reschedule_and_a_change_are_told_apart_by_event(
    events: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    body = await _scheduled(events, realm)
    location = f"{sessions_of(body['initiative_id'])}/{body['id']}"
    headers = realm.headers("organizer.ponte")

    assert_problem(await events.patch(location, json={"capacity": 30}, headers=headers), 428)
    stale = {**headers, "If-Match": '"7"'}
    assert_problem(await events.patch(location, json={"capacity": 30}, headers=stale), 412)

    changed = await events.patch(
        location, json={"capacity": 30}, headers={**headers, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["capacity"], changed.headers["ETag"]) == (30, '"2"')
    moved = await events.patch(
        location,
        json={"starts_at": "2026-12-06T10:00:00", "ends_at": "2026-12-06T12:00:00"},
        headers={**headers, "If-Match": '"2"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["starts_at"] == "2026-12-06T10:00:00+01:00"

    told = await events_about(stack.kafka_bootstrap, TOPIC, body["initiative_id"])
    kinds = [
        e.type.removeprefix("lgnet.events.")
        for e in told
        if e.type.startswith("lgnet.events.session")
    ]
    assert kinds == ["session.scheduled", "session.changed", "session.rescheduled"]
    for event in told:
        contracts.validate(event)
    rescheduled = told[-1].data
    assert rescheduled["previous_starts_at"] == "2026-12-05T16:30:00Z"
    assert rescheduled["starts_at"] == "2026-12-06T09:00:00Z"
    assert "venue_name" not in rescheduled
    assert "venue_address" not in rescheduled


async def test_a_cancelled_session_changes_no_more(
    events: httpx.AsyncClient, realm: Realm, stack: Stack
) -> None:
    body = await _scheduled(events, realm)
    location = f"{sessions_of(body['initiative_id'])}/{body['id']}"
    headers = realm.headers("organizer.ponte")
    cancelled = await events.post(
        f"{location}/cancellation", headers={**headers, "If-Match": '"1"'}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = await events.post(f"{location}/cancellation", headers={**headers, "If-Match": '"2"'})
    assert_problem(again, 409, "urn:lgnet:problem:session-cancelled")
    patched = await events.patch(
        location, json={"capacity": 5}, headers={**headers, "If-Match": '"2"'}
    )
    assert_problem(patched, 409, "urn:lgnet:problem:session-cancelled")
    listed = await events.get(
        sessions_of(body["initiative_id"]), params={"status": "cancelled"}, headers=headers
    )
    assert [s["id"] for s in listed.json()["items"]] == [body["id"]]
    told = await events_about(
        stack.kafka_bootstrap,
        TOPIC,
        body["initiative_id"],
        event_type="lgnet.events.session.cancelled",
    )
    assert [e.data["session_id"] for e in told] == [body["id"]]
