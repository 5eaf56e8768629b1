"""A member of the public registers for a session and cancels with their token, with no
account: through the events service's public routes, on PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.local.realm import Realm
from kit.testing.initiatives import create_initiative, publish_initiative
from kit.testing.registrations import PUBLIC_REGISTRANT, registrations_of
from kit.testing.resources import assert_problem
from kit.testing.sessions import schedule_session

pytestmark = pytest.mark.integration

P = "urn:lgnet:problem:"
PROGRAMME = "/v1/initiatives/programme"
PERSON = {k: v for k, v in PUBLIC_REGISTRANT.items() if k != "registrant"}


async def _session(events: httpx.AsyncClient, realm: Realm, **changes: Any) -> tuple[str, str]:
    initiative = await publish_initiative(events, realm, user="organizer.ponte")
    scheduled = await schedule_session(events, realm, initiative["id"], **changes)
    assert scheduled.status_code == 201, scheduled.text
    return initiative["id"], scheduled.json()["id"]


def _path(initiative_id: str, session_id: str) -> str:
    return f"{PROGRAMME}/{initiative_id}/sessions/{session_id}/registrations"


async def test_a_member_of_the_public_registers_and_cancels_with_the_token(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    initiative_id, session_id = await _session(events, realm, capacity=1)
    first = await events.post(_path(initiative_id, session_id), json=PERSON)
    assert first.status_code == 201, first.text
    seat = first.json()
    assert (seat["status"], seat["position"]) == ("registered", None)
    assert set(seat) == {"session_id", "status", "position", "cancellation_token"}
    second = await events.post(
        _path(initiative_id, session_id),
        json={**PERSON, "name": "Marco Esempio", "email": "marco@example.org"},
    )
    assert (second.json()["status"], second.json()["position"]) == ("waitlisted", 1)
    twice = await events.post(_path(initiative_id, session_id), json=PERSON)
    assert_problem(twice, 409, f"{P}already-registered")

    cancelled = await events.post(
        f"{PROGRAMME}/registrations/cancellations", json={"token": seat["cancellation_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"session_id": session_id, "status": "cancelled"}
    again = await events.post(
        f"{PROGRAMME}/registrations/cancellations", json={"token": seat["cancellation_token"]}
    )
    assert_problem(again, 409)
    # the freed seat is offered to the first in line
    listed = await events.get(
        registrations_of(initiative_id, session_id), headers=realm.headers("organizer.ponte")
    )
    statuses = sorted(r["status"] for r in listed.json()["items"])
    assert statuses == ["cancelled", "offered"]


@pytest.mark.parametrize(
    "body",
    [
        {**PERSON, "consent": False},
        {k: v for k, v in PERSON.items() if k != "email"},
        {**PERSON, "phone": "+390200000000"},
        {**PERSON, "registrant": "beneficiary"},
        {"person_ref": "00000000-0000-4000-8000-000000000000"},
    ],
)
async def test_a_malformed_self_registration_is_a_422(
    events: httpx.AsyncClient, realm: Realm, body: dict[str, Any]
) -> None:
    initiative_id, session_id = await _session(events, realm)
    assert_problem(await events.post(_path(initiative_id, session_id), json=body), 422)


async def test_no_self_registration_where_the_public_is_not_admitted(
    events: httpx.AsyncClient, realm: Realm
) -> None:
    draft = (await create_initiative(events, realm)).json()["id"]
    scheduled = await schedule_session(events, realm, draft)
    closed = await events.post(_path(draft, scheduled.json()["id"]), json=PERSON)
    assert_problem(closed, 409, f"{P}registration-closed")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(await events.post(_path(unknown, unknown), json=PERSON), 404)
    assert_problem(
        await events.post(f"{PROGRAMME}/registrations/cancellations", json={"token": "x" * 43}), 404
    )
    assert_problem(
        await events.post(f"{PROGRAMME}/registrations/cancellations", json={"token": "short"}), 422
    )
