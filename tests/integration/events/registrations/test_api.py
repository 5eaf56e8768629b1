"""Registrations through the events service's API, with real Keycloak tokens, PostgreSQL and
Kafka: who registers whom, what is refused and why, cancellations that pass a seat on, offers
confirmed or too late, and what the events tell (never a public registrant as a person)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.events import contracts
from kit.events.envelope import CloudEvent
from kit.testing.apps import ServiceClient
from kit.testing.initiatives import create_initiative, publish_initiative, step_initiative
from kit.testing.kafka import events_about
from kit.testing.registrations import (
    PUBLIC_REGISTRANT,
    beneficiary,
    register,
    registered,
    registrations_of,
    session_at,
    step_registration,
)
from kit.testing.resources import assert_created_once, assert_problem
from kit.testing.sessions import schedule_session
from kit.testing.waiting import eventually
from services.events.initiatives.events import TOPIC
from services.events.registrations import service
from services.events.registrations.jobs import expire_offers

pytestmark = pytest.mark.integration

P = "urn:lgnet:problem:"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def _session(
    events: ServiceClient, realm: Realm, user: str = "organizer.ponte", **changes: Any
) -> tuple[str, str]:
    """A published initiative's new session: (initiative id, session id)."""
    initiative = await publish_initiative(events, realm, user=user)
    scheduled = await schedule_session(events, realm, initiative["id"], user=user, **changes)
    assert scheduled.status_code == 201, scheduled.text
    return initiative["id"], scheduled.json()["id"]


async def _told(stack: Stack, initiative_id: str, count: int) -> list[CloudEvent]:
    """The initiative's registration and seat events, once `count` of them are on Kafka."""
    found: list[CloudEvent] = []

    async def arrived() -> bool:
        told = await events_about(stack.kafka_bootstrap, TOPIC, initiative_id, within=5)
        found[:] = [e for e in told if ".registration." in e.type or "seats_changed" in e.type]
        return len(found) >= count

    await eventually(arrived, 30, f"{count} registration events")
    return found


async def test_a_case_worker_registers_a_beneficiary_that_other_organisations_do_not_see(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    person = uuid.uuid4()
    body = await registered(events, realm, initiative_id, session_id, beneficiary(person))
    assert (body["status"], body["person_ref"], body["position"]) == (
        "registered",
        str(person),
        None,
    )
    assert (body["organisation"], body["registrant"]) == ("assoc-ponte", "beneficiary")
    assert body["cancellation_token"] is None
    location = f"{registrations_of(initiative_id, session_id)}/{body['id']}"
    for reader in ("caseworker.ponte", "organizer.ponte", "coordinator.comune"):
        fetched = await events.get(location, headers=realm.headers(reader))
        assert fetched.status_code == 200, reader
        assert (fetched.json()["id"], fetched.headers["ETag"]) == (body["id"], '"1"')
    assert_problem(await events.get(location, headers=realm.headers("caseworker.aurora")), 404)
    listed = await events.get(
        registrations_of(initiative_id, session_id), headers=realm.headers("caseworker.aurora")
    )
    assert listed.json()["items"] == []


async def test_a_retried_registration_registers_once(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm)
    headers = {**realm.headers("caseworker.ponte"), "Idempotency-Key": str(uuid.uuid4())}
    await assert_created_once(
        events,
        registrations_of(initiative_id, session_id),
        beneficiary(),
        headers,
        other={"person_ref": str(uuid.uuid4())},
    )


async def test_a_replayed_public_registration_answers_without_its_token(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    key = str(uuid.uuid4())
    headers = {**realm.headers("organizer.ponte"), "Idempotency-Key": key}
    path = registrations_of(initiative_id, session_id)
    first = await events.post(path, json=PUBLIC_REGISTRANT, headers=headers)
    assert first.status_code == 201, first.text
    token = first.json()["cancellation_token"]
    assert token
    again = await events.post(path, json=PUBLIC_REGISTRANT, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["cancellation_token"] is None
    async with events.app.state.database.session(writes=False) as session:
        connection = await session.connection()
        kept = (
            await connection.execute(
                text("SELECT response_body FROM idempotency_keys WHERE key = :key"), {"key": key}
            )
        ).scalar_one()
    assert token not in kept


async def test_a_person_is_in_a_session_once(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm)
    person = beneficiary()
    first = await registered(events, realm, initiative_id, session_id, person)
    again = await register(events, realm, initiative_id, session_id, person, "caseworker.aurora")
    assert_problem(again, 409, f"{P}already-registered")
    await registered(events, realm, initiative_id, session_id, PUBLIC_REGISTRANT, "organizer.ponte")
    shouted = {**PUBLIC_REGISTRANT, "email": PUBLIC_REGISTRANT["email"].upper()}
    twice = await register(events, realm, initiative_id, session_id, shouted, "organizer.ponte")
    assert_problem(twice, 409, f"{P}already-registered")
    # once cancelled, they may register again
    assert (
        await step_registration(events, realm, first, initiative_id, "cancellation")
    ).status_code == 200
    await registered(events, realm, initiative_id, session_id, person)


async def test_a_member_of_the_public_gets_a_token_once_and_cancels_with_it(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    phoned = {"registrant": "public", "name": " Amal Esempio ", "phone": "0039 333 123 4567"}
    body = await registered(
        events, realm, initiative_id, session_id, {**phoned, "consent": True}, "organizer.ponte"
    )
    token = body["cancellation_token"]
    assert isinstance(token, str)
    assert len(token) >= 43
    assert (body["name"], body["contact"], body["contact_kind"]) == (
        "Amal Esempio",
        "+393331234567",
        "phone",
    )
    location = f"{registrations_of(initiative_id, session_id)}/{body['id']}"
    fetched = (await events.get(location, headers=realm.headers("organizer.ponte"))).json()
    assert "cancellation_token" not in fetched
    assert token not in str(fetched)
    by_email = await registered(
        events, realm, initiative_id, session_id, PUBLIC_REGISTRANT, "organizer.ponte"
    )
    assert by_email["contact"] == "giulia.esempio@example.org"

    async with events.app.state.database.session() as session:  # what the public route calls
        cancelled = await service.cancel_by_token(session=session, token=token)
        assert cancelled.id == uuid.UUID(body["id"])
    fetched = (await events.get(location, headers=realm.headers("organizer.ponte"))).json()
    assert fetched["status"] == "cancelled"
    async with events.app.state.database.session() as session:
        with pytest.raises(service.RegistrationNotFound):
            await service.cancel_by_token(session=session, token=token + "x")


@pytest.mark.parametrize(
    "body",
    [
        {**PUBLIC_REGISTRANT, "consent": False},
        {key: value for key, value in PUBLIC_REGISTRANT.items() if key != "consent"},
        {**PUBLIC_REGISTRANT, "phone": "+390212345678"},  # two contacts
        {key: value for key, value in PUBLIC_REGISTRANT.items() if key != "email"},  # none
        {**PUBLIC_REGISTRANT, "email": "not-an-address"},
        {"registrant": "beneficiary", "person_ref": "mario"},
        {"registrant": "beneficiary"},
        {"registrant": "visitor", "person_ref": str(uuid.uuid4())},
        {**beneficiary(), "name": "Mario Rossi"},  # casework holds no names here
    ],
)
async def test_a_malformed_registration_is_a_422(
    events: ServiceClient, realm: Realm, body: dict[str, Any]
) -> None:
    initiative_id, session_id = await _session(events, realm)
    response = await register(events, realm, initiative_id, session_id, body, "organizer.ponte")
    assert_problem(response, 422)


async def test_a_phone_number_not_in_international_form_is_a_422(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    local = {**PUBLIC_REGISTRANT, "email": None, "phone": "02 1234567"}
    response = await register(events, realm, initiative_id, session_id, local, "organizer.ponte")
    problem = assert_problem(response, 422)  # the schema states the form (PHONE_PATTERN)
    assert [e["pointer"] for e in problem["errors"]] == ["#/phone"]  # not the union's tag
    spaced = {**local, "phone": "0039 (02) 123-4567"}
    accepted = await register(events, realm, initiative_id, session_id, spaced, "organizer.ponte")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["contact"] == "+39021234567"


async def test_who_may_register(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm, user="coordinator.comune")
    refused = await register(events, realm, initiative_id, session_id, user="organizer.ponte")
    assert_problem(refused, 403, f"{P}not-running-the-initiative")
    on_behalf = await register(
        events, realm, initiative_id, session_id, PUBLIC_REGISTRANT, "caseworker.aurora"
    )
    assert_problem(on_behalf, 403, f"{P}not-running-the-initiative")
    await registered(events, realm, initiative_id, session_id, user="caseworker.aurora")
    await registered(events, realm, initiative_id, session_id, user="coordinator.comune")
    for reader in ("intake.ponte", "analyst.osservatorio"):
        assert_problem(await register(events, realm, initiative_id, session_id, user=reader), 403)
    anonymous = await events.post(registrations_of(initiative_id, session_id), json=beneficiary())
    assert_problem(anonymous, 401)


async def test_closed_sessions_and_initiatives_take_no_registrations(
    events: ServiceClient, realm: Realm
) -> None:
    draft = (await create_initiative(events, realm)).json()["id"]
    draft_session = (await schedule_session(events, realm, draft)).json()["id"]
    assert_problem(
        await register(events, realm, draft, draft_session), 409, f"{P}registration-closed"
    )
    initiative_id, session_id = await _session(events, realm)
    headers = {**realm.headers("organizer.ponte"), "If-Match": '"1"'}
    cancelled = await events.post(
        f"{session_at(initiative_id, session_id)}/cancellation", headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert_problem(
        await register(events, realm, initiative_id, session_id), 409, f"{P}registration-closed"
    )
    ended_id, ended_session = await _session(events, realm)
    completed = await step_initiative(events, realm, ended_id, "completion")
    assert completed.status_code == 200, completed.text
    assert_problem(
        await register(events, realm, ended_id, ended_session), 409, f"{P}registration-closed"
    )
    beneficiaries_only = await publish_initiative(events, realm, audience="beneficiaries")
    only = (await schedule_session(events, realm, beneficiaries_only["id"])).json()["id"]
    public = await register(
        events, realm, beneficiaries_only["id"], only, PUBLIC_REGISTRANT, "organizer.ponte"
    )
    assert_problem(public, 409, f"{P}initiative-not-for-the-public")


async def test_unknown_initiatives_sessions_and_registrations_are_404(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    _, other_session = await _session(events, realm)
    headers = realm.headers("organizer.ponte")
    assert_problem(await register(events, realm, UNKNOWN, session_id), 404)
    assert_problem(await register(events, realm, initiative_id, UNKNOWN), 404)
    assert_problem(await register(events, realm, initiative_id, other_session), 404)
    for path in ("registrations", "waitlist", "offers", "seats", f"registrations/{UNKNOWN}"):
        response = await events.get(f"{session_at(initiative_id, UNKNOWN)}/{path}", headers=headers)
        assert_problem(response, 404)
    missing = f"{registrations_of(initiative_id, session_id)}/{UNKNOWN}"
    assert_problem(await events.get(missing, headers=headers), 404)
    step = await events.post(f"{missing}/cancellation", headers={**headers, "If-Match": '"1"'})
    assert_problem(step, 404)


async def test_a_cancellation_passes_the_seat_to_the_first_in_line_who_confirms(
    events: ServiceClient, realm: Realm, stack: Stack
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    holder = await registered(events, realm, initiative_id, session_id)
    first = await registered(events, realm, initiative_id, session_id)
    public = await registered(
        events, realm, initiative_id, session_id, PUBLIC_REGISTRANT, "organizer.ponte"
    )
    assert [(r["status"], r["position"]) for r in (first, public)] == [
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    path = f"{registrations_of(initiative_id, session_id)}/{holder['id']}"
    headers = realm.headers("caseworker.ponte")
    assert_problem(await events.post(f"{path}/cancellation", headers=headers), 428)
    stale = {**headers, "If-Match": '"9"'}
    assert_problem(await events.post(f"{path}/cancellation", headers=stale), 412)
    other = {**realm.headers("caseworker.aurora"), "If-Match": '"1"'}
    assert_problem(await events.post(f"{path}/cancellation", headers=other), 404)
    not_offered = await step_registration(events, realm, first, initiative_id, "confirmation")
    assert_problem(not_offered, 409, f"{P}no-live-offer")

    cancelled = await step_registration(events, realm, holder, initiative_id, "cancellation")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.headers["ETag"]) == ("cancelled", '"2"')
    again = await events.post(f"{path}/cancellation", headers={**headers, "If-Match": '"2"'})
    assert_problem(again, 409, f"{P}registration-not-live")

    organiser = realm.headers("organizer.ponte")
    seats = await events.get(f"{session_at(initiative_id, session_id)}/seats", headers=organiser)
    assert seats.json() == {
        "capacity": 1,
        "registered": 0,
        "offered": 1,
        "waitlisted": 1,
        "free": 0,
    }
    offered = (
        await events.get(
            f"{registrations_of(initiative_id, session_id)}/{first['id']}", headers=headers
        )
    ).json()
    assert offered["status"] == "offered"
    assert datetime.fromisoformat(offered["offer_expires_at"]) > datetime.now(UTC) + timedelta(
        hours=23
    )
    confirmed = await step_registration(events, realm, first, initiative_id, "confirmation")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "registered"
    twice = await step_registration(events, realm, first, initiative_id, "confirmation")
    assert_problem(twice, 409, f"{P}no-live-offer")
    offers = await events.get(f"{session_at(initiative_id, session_id)}/offers", headers=organiser)
    assert [
        (o["registration_id"], o["position"], o["outcome"]) for o in offers.json()["items"]
    ] == [(first["id"], 1, "confirmed")]
    outsider = realm.headers("caseworker.aurora")  # assoc-ponte runs it, coop-aurora does not
    assert_problem(
        await events.get(f"{session_at(initiative_id, session_id)}/offers", headers=outsider), 403
    )
    waiting = await events.get(
        f"{session_at(initiative_id, session_id)}/waitlist", headers=organiser
    )
    assert [(r["id"], r["name"]) for r in waiting.json()["items"]] == [
        (public["id"], "Giulia Esempio")
    ]
    told = await _told(stack, initiative_id, 6)
    for event in told:
        contracts.validate(event)
    kinds = [e.type.removeprefix("lgnet.events.") for e in told]
    assert kinds == [
        "registration.registered",
        "registration.waitlisted",
        "session.seats_changed",
        "registration.cancelled",
        "registration.offered",
        "registration.confirmed",
    ]
    assert told[0].data["person_ref"] == holder["person_ref"]
    assert told[4].data["seats"] == {"capacity": 1, "registered": 0, "offered": 1, "waitlisted": 1}
    seats_changed = told[2].data
    assert "registration_id" not in seats_changed
    assert "person_ref" not in seats_changed
    assert "Giulia" not in str(seats_changed)
    assert "example.org" not in str(seats_changed)


async def test_an_auto_confirming_session_registers_the_first_in_line_straight_away(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1, auto_confirm=True)
    holder = await registered(events, realm, initiative_id, session_id)
    waiting = await registered(events, realm, initiative_id, session_id)
    cancelled = await step_registration(events, realm, holder, initiative_id, "cancellation")
    assert cancelled.status_code == 200, cancelled.text
    path = f"{registrations_of(initiative_id, session_id)}/{waiting['id']}"
    now = (await events.get(path, headers=realm.headers("caseworker.ponte"))).json()
    assert now["status"] == "registered"
    offers = await events.get(
        f"{session_at(initiative_id, session_id)}/offers", headers=realm.headers("organizer.ponte")
    )
    assert offers.json()["items"] == []


async def test_an_offer_confirmed_too_late_is_refused(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    holder = await registered(events, realm, initiative_id, session_id)
    late = await registered(events, realm, initiative_id, session_id)
    await step_registration(events, realm, holder, initiative_id, "cancellation")
    await expire_offers(events.app.state.database, now=datetime.now(UTC) + timedelta(days=2))
    path = f"{registrations_of(initiative_id, session_id)}/{late['id']}"
    expired = (await events.get(path, headers=realm.headers("caseworker.ponte"))).json()
    assert expired["status"] == "offer_expired"
    refused = await step_registration(events, realm, late, initiative_id, "confirmation")
    assert_problem(refused, 409, f"{P}no-live-offer")
    cancel = await step_registration(events, realm, late, initiative_id, "cancellation")
    assert_problem(cancel, 409, f"{P}registration-not-live")


async def test_registrations_are_listed_by_status_page_by_page(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=2)
    made = [await registered(events, realm, initiative_id, session_id) for _ in range(4)]
    headers = realm.headers("organizer.ponte")
    path = registrations_of(initiative_id, session_id)
    waitlisted = await events.get(path, params={"status": "waitlisted"}, headers=headers)
    assert [r["id"] for r in waitlisted.json()["items"]] == [r["id"] for r in made[2:]]
    first = await events.get(path, params={"limit": 3}, headers=headers)
    rest = await events.get(
        path, params={"limit": 3, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    seen = [r["id"] for r in first.json()["items"] + rest.json()["items"]]
    assert seen == [r["id"] for r in made]
    assert_problem(await events.get(path, params={"status": "lost"}, headers=headers), 422)
    assert_problem(await events.get(path, params={"cursor": "forged"}, headers=headers), 400)
    seats = await events.get(
        f"{session_at(initiative_id, session_id)}/seats", headers=realm.headers("intake.ponte")
    )
    assert seats.json() == {
        "capacity": 2,
        "registered": 2,
        "offered": 0,
        "waitlisted": 2,
        "free": 0,
    }


async def test_a_waitlisted_registration_cancelled_just_leaves_the_line(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    await registered(events, realm, initiative_id, session_id)
    leaving = await registered(events, realm, initiative_id, session_id)
    staying = await registered(events, realm, initiative_id, session_id)
    cancelled = await step_registration(events, realm, leaving, initiative_id, "cancellation")
    assert cancelled.status_code == 200, cancelled.text
    headers = realm.headers("organizer.ponte")
    line = await events.get(f"{session_at(initiative_id, session_id)}/waitlist", headers=headers)
    assert [(r["id"], r["position"]) for r in line.json()["items"]] == [(staying["id"], 2)]
    offers = await events.get(f"{session_at(initiative_id, session_id)}/offers", headers=headers)
    assert offers.json()["items"] == []


async def test_a_capacity_change_keeps_the_seats_taken_and_fills_new_ones_from_the_line(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=2)
    people = [await registered(events, realm, initiative_id, session_id) for _ in range(4)]
    assert [p["status"] for p in people] == ["registered"] * 2 + ["waitlisted"] * 2
    location = session_at(initiative_id, session_id)
    headers = realm.headers("organizer.ponte")

    fewer = await events.patch(
        location, json={"capacity": 1}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(fewer, 409, f"{P}capacity-below-seats-taken")
    more = await events.patch(
        location, json={"capacity": 3}, headers={**headers, "If-Match": '"1"'}
    )
    assert more.status_code == 200, more.text
    seats = (await events.get(f"{location}/seats", headers=headers)).json()
    assert (seats["registered"], seats["offered"], seats["waitlisted"]) == (2, 1, 1)
    first_in_line = (
        await events.get(
            f"{registrations_of(initiative_id, session_id)}/{people[2]['id']}", headers=headers
        )
    ).json()
    assert first_in_line["status"] == "offered"
