"""Erasure of public registrants through the events service's API, with real Keycloak tokens
PostgreSQL and Kafka: on request by those who run the initiative (audited) or by the
registrant's own token, by the retention job once the period after their session ends, and a
beneficiary's comment when intake erases them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.testing.apps import ServiceClient
from kit.testing.initiatives import publish_initiative
from kit.testing.kafka import publish
from kit.testing.registrations import (
    PUBLIC_REGISTRANT,
    beneficiary,
    registered,
    registrations_of,
)
from kit.testing.resources import assert_problem
from kit.testing.sessions import schedule_session
from kit.testing.waiting import eventually
from services.events.erasure.jobs import erase_expired
from services.intake.persons.events import PersonErased

pytestmark = pytest.mark.integration

P = "urn:lgnet:problem:"
ORGANISER = "organizer.ponte"
PERIOD = {"starts_on": "2027-01-01", "ends_on": "2027-06-30"}
SELF_ERASURE = "/v1/initiatives/programme/registrations/erasures"
RETENTION = timedelta(days=30)


async def _session(events: ServiceClient, realm: Realm, **changes: Any) -> tuple[str, str]:
    initiative = await publish_initiative(events, realm, **PERIOD)
    scheduled = await schedule_session(
        events,
        realm,
        initiative["id"],
        starts_at="2027-02-10T17:30:00",
        ends_at="2027-02-10T19:30:00",
        **changes,
    )
    assert scheduled.status_code == 201, scheduled.text
    return initiative["id"], scheduled.json()["id"]


_registered = partial(registered, user=ORGANISER)


def _public(n: int) -> dict[str, Any]:
    return {**PUBLIC_REGISTRANT, "email": f"persona.{n}.{uuid.uuid4().hex[:6]}@example.org"}


async def _erase(
    events: ServiceClient,
    realm: Realm,
    initiative_id: str,
    registration: dict[str, Any],
    body: Any = None,
    user: str = ORGANISER,
) -> Any:
    path = f"{registrations_of(initiative_id, registration['session_id'])}/{registration['id']}"
    headers = realm.headers(user)
    etag = (await events.get(path, headers=realm.headers(ORGANISER))).headers["ETag"]
    return await events.post(
        f"{path}/erasure",
        json=body or {"ground": "data_subject_request"},
        headers={**headers, "If-Match": etag},
    )


async def _audited(events: ServiceClient, registration_id: str) -> list[str]:
    async with events.app.state.database.session(writes=False) as session:
        connection = await session.connection()
        found = await connection.execute(
            text(
                "SELECT action FROM audit_log WHERE resource_type = 'public_registrant' "
                "AND resource_id = :id ORDER BY sequence"
            ),
            {"id": registration_id},
        )
        return [str(action) for action in found.scalars()]


async def test_an_organiser_erases_a_registrant_on_request_and_the_seat_moves_on(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    public = await _registered(events, realm, initiative_id, session_id, _public(1))
    waiting = await _registered(events, realm, initiative_id, session_id, beneficiary())
    assert (public["status"], waiting["status"]) == ("registered", "waitlisted")
    token = public["cancellation_token"]

    erased = await _erase(events, realm, initiative_id, public, {"ground": "consent_withdrawn"})
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert (body["name"], body["contact"], body["contact_kind"]) == (None, None, None)
    assert body["erased_at"] is not None
    assert body["status"] == "cancelled"  # the session is still to come
    assert PUBLIC_REGISTRANT["name"] not in erased.text
    path = registrations_of(initiative_id, session_id)
    offered = (await events.get(f"{path}/{waiting['id']}", headers=realm.headers(ORGANISER))).json()
    assert offered["status"] == "offered"

    async with events.app.state.database.session(writes=False) as session:
        connection = await session.connection()
        kept = (
            await connection.execute(
                text(
                    "SELECT name, contact, contact_kind, token_hash, erasure_ground "
                    "FROM registrations WHERE id = :id"
                ),
                {"id": public["id"]},
            )
        ).one()
    assert tuple(kept) == (None, None, None, None, "consent_withdrawn")
    assert "erase" in await _audited(events, public["id"])
    # the token went with the data
    gone = await events.post(SELF_ERASURE, json={"token": token})
    assert_problem(gone, 404, f"{P}registration-not-found")
    assert_problem(await _erase(events, realm, initiative_id, public), 409, f"{P}already-erased")


async def test_what_an_erasure_on_request_refuses(events: ServiceClient, realm: Realm) -> None:
    initiative_id, session_id = await _session(events, realm)
    public = await _registered(events, realm, initiative_id, session_id, _public(2))
    person = await _registered(events, realm, initiative_id, session_id, beneficiary())
    assert_problem(
        await _erase(events, realm, initiative_id, person), 409, f"{P}not-a-public-registrant"
    )
    for bad in ({"ground": "because"}, {"ground": "retention_expired"}, {"reason": "x"}):
        assert_problem(await _erase(events, realm, initiative_id, public, bad), 422)
    # a case worker registers, but does not erase
    assert_problem(await _erase(events, realm, initiative_id, public, user="caseworker.ponte"), 403)
    path = f"{registrations_of(initiative_id, session_id)}/{public['id']}/erasure"
    headers = realm.headers(ORGANISER)
    no_etag = await events.post(path, json={"ground": "data_subject_request"}, headers=headers)
    assert_problem(no_etag, 428)
    stale = await events.post(
        path, json={"ground": "data_subject_request"}, headers={**headers, "If-Match": '"9"'}
    )
    assert_problem(stale, 412)
    unknown = f"{registrations_of(initiative_id, session_id)}/{uuid.uuid4()}/erasure"
    missing = await events.post(
        unknown, json={"ground": "data_subject_request"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(missing, 404)


async def test_a_registrant_erases_themselves_with_their_token_once(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    public = await _registered(events, realm, initiative_id, session_id, _public(3))
    erased = await events.post(SELF_ERASURE, json={"token": public["cancellation_token"]})
    assert erased.status_code == 200, erased.text
    assert erased.json()["session_id"] == session_id
    assert erased.json()["status"] == "cancelled"
    assert erased.json()["erased_at"]
    again = await events.post(SELF_ERASURE, json={"token": public["cancellation_token"]})
    assert_problem(again, 404)
    assert_problem(await events.post(SELF_ERASURE, json={"token": "short"}), 422)
    assert_problem(await events.post(SELF_ERASURE, json={}), 422)
    shown = await events.get(
        f"{registrations_of(initiative_id, session_id)}/{public['id']}",
        headers=realm.headers(ORGANISER),
    )
    assert (shown.json()["name"], shown.json()["contact"]) == (None, None)


async def test_reads_of_a_public_registrants_name_are_audited(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    public = await _registered(events, realm, initiative_id, session_id, _public(4))
    person = await _registered(events, realm, initiative_id, session_id, beneficiary())
    path = registrations_of(initiative_id, session_id)
    assert (await events.get(f"{path}/{public['id']}", headers=realm.headers(ORGANISER))).is_success
    assert (await events.get(path, headers=realm.headers(ORGANISER))).is_success
    assert await _audited(events, public["id"]) == ["read", "list"]
    assert await _audited(events, person["id"]) == []  # a beneficiary here is a reference


async def test_retention_erases_registrants_once_their_session_or_registration_ended(
    events: ServiceClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm)
    attended = await _registered(events, realm, initiative_id, session_id, _public(5))
    left = await _registered(events, realm, initiative_id, session_id, _public(6))
    person = await _registered(events, realm, initiative_id, session_id, beneficiary())
    path = registrations_of(initiative_id, session_id)
    headers = realm.headers(ORGANISER)
    scanned = await events.post(
        f"/v1/initiatives/{initiative_id}/sessions/{session_id}/check-ins",
        json={
            "device": "tablet-ingresso",
            "scans": [
                {"nonce": uuid.uuid4().hex, "registration_id": attended["id"],
                 "scanned_at": "2027-02-10T16:35:00Z"},
            ],
        },
        headers=headers,
    )  # fmt: skip
    assert scanned.status_code == 200, scanned.text
    feedback = await events.post(
        f"{path}/{attended['id']}/feedback",
        json={"usefulness": 5, "comment": "Mi ha aiutato"},
        headers=headers,
    )
    assert feedback.status_code == 201, feedback.text
    cancelled = await events.post(SELF_ERASURE.replace("erasures", "cancellations"),
                                  json={"token": left["cancellation_token"]})  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    database = events.app.state.database
    cancelled_at = datetime.fromisoformat(
        (await events.get(f"{path}/{left['id']}", headers=headers)).json()["cancelled_at"]
    )
    session_ended = datetime.fromisoformat("2027-02-10T19:30:00+01:00")

    ours = {uuid.UUID(r["id"]) for r in (attended, left, person)}  # the module shares a db

    async def erased_at(now: datetime) -> set[uuid.UUID]:
        return ours & set(await erase_expired(database, retention=RETENTION, now=now))

    # within the period after the cancellation: nobody is erased yet
    assert await erased_at(cancelled_at) == set()
    # the period after the cancellation has passed: the registrant who left is erased
    later = cancelled_at + RETENTION + timedelta(minutes=1)
    assert later < session_ended + RETENTION
    assert await erased_at(later) == {uuid.UUID(left["id"])}
    # the period after the session has passed: the one who came too, and nobody twice
    after = session_ended + RETENTION + timedelta(minutes=1)
    assert await erased_at(after) == {uuid.UUID(attended["id"])}
    assert await erased_at(after) == set()

    came = (await events.get(f"{path}/{attended['id']}", headers=headers)).json()
    assert (came["name"], came["contact"], came["status"]) == (None, None, "registered")
    assert came["erased_at"] is not None
    summary = await events.get(
        f"/v1/initiatives/{initiative_id}/sessions/{session_id}/feedback", headers=headers
    )
    assert summary.status_code == 200, summary.text
    async with database.session(writes=False) as session:
        connection = await session.connection()
        kept = (
            await connection.execute(
                text("SELECT usefulness, comment FROM feedback WHERE registration_id = :id"),
                {"id": attended["id"]},
            )
        ).one()
    assert tuple(kept) == (5, None)  # the score stays for the Observatory, the words go
    untouched = (await events.get(f"{path}/{person['id']}", headers=headers)).json()
    assert untouched["erased_at"] is None  # a beneficiary is intake's to erase


async def test_a_beneficiary_erased_in_intake_loses_their_feedback_comment(
    events: ServiceClient, realm: Realm, stack: Stack
) -> None:
    initiative_id, session_id = await _session(events, realm)
    person = uuid.uuid4()
    came = await _registered(events, realm, initiative_id, session_id, beneficiary(person))
    headers = realm.headers(ORGANISER)
    scan = {"nonce": uuid.uuid4().hex, "registration_id": came["id"],
            "scanned_at": "2027-02-10T16:35:00Z"}  # fmt: skip
    scanned = await events.post(
        f"/v1/initiatives/{initiative_id}/sessions/{session_id}/check-ins",
        json={"device": "tablet-ingresso", "scans": [scan]},
        headers=headers,
    )
    assert scanned.status_code == 200, scanned.text
    given = await events.post(
        f"{registrations_of(initiative_id, session_id)}/{came['id']}/feedback",
        json={"usefulness": 4, "comment": "Ho trovato lavoro grazie al corso"},
        headers=headers,
    )
    assert given.status_code == 201, given.text
    erased = {"person_ref": str(person), "merged_refs": [], "ground": "data_subject_request",
              "erased_at": datetime.now(UTC).isoformat()}  # fmt: skip
    await publish(
        stack.kafka_bootstrap, [(PersonErased, erased)], subject=str(person),
        organisation="assoc-ponte",
    )  # fmt: skip

    async def comment_gone() -> bool:
        async with events.app.state.database.session(writes=False) as session:
            connection = await session.connection()
            kept = await connection.execute(
                text("SELECT usefulness, comment FROM feedback WHERE registration_id = :id"),
                {"id": came["id"]},
            )
            return tuple(kept.one()) == (4, None)

    await eventually(comment_gone, 30, "the erased person's comment went")
