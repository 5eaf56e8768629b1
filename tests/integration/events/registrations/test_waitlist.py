"""The waiting list on PostgreSQL under load: 50 registrations at once for 10 seats, then
cancellations and expired offers passing seats down the line in order, nobody offered twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deploy.local.realm import Realm
from kit.testing.apps import ServiceClient
from kit.testing.initiatives import publish_initiative
from kit.testing.pages import all_pages
from kit.testing.registrations import register, registrations_of, session_at, step_registration
from kit.testing.sessions import schedule_session
from services.events.registrations.jobs import expire_offers

pytestmark = pytest.mark.integration

REGISTRARS = ("caseworker.ponte", "caseworker.aurora", "organizer.ponte", "coordinator.comune")


async def _statuses(
    events: ServiceClient, realm: Realm, initiative_id: str, session_id: str
) -> dict[str, dict[str, Any]]:
    listed = await all_pages(
        events,
        registrations_of(initiative_id, session_id),
        headers=realm.headers("organizer.ponte"),
        limit=100,
    )
    return {r["id"]: r for r in listed}


async def test_fifty_at_once_for_ten_seats_then_the_line_moves_in_order(
    events: ServiceClient, realm: Realm
) -> None:
    initiative = await publish_initiative(events, realm)
    initiative_id = initiative["id"]
    scheduled = await schedule_session(events, realm, initiative_id, capacity=10)
    session_id = scheduled.json()["id"]
    for user in REGISTRARS:
        realm.headers(user)  # tokens first: the 50 requests race for seats, not for Keycloak

    responses = await asyncio.gather(
        *(
            register(events, realm, initiative_id, session_id, user=REGISTRARS[i % 4])
            for i in range(50)
        )
    )
    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses]
    made = [r.json() for r in responses]
    assert sum(r["status"] == "registered" for r in made) == 10
    waiting = sorted((r for r in made if r["status"] == "waitlisted"), key=lambda r: r["position"])
    assert [r["position"] for r in waiting] == list(range(1, 41))  # no gap, no repeat
    line = await all_pages(
        events,
        f"{session_at(initiative_id, session_id)}/waitlist",
        headers=realm.headers("organizer.ponte"),
        limit=15,
    )
    assert [r["id"] for r in line] == [r["id"] for r in waiting]

    # three cancel: the first three in line are offered, in order
    holders = [r for r in made if r["status"] == "registered"][:3]
    for holder in holders:
        cancelled = await step_registration(
            events, realm, holder, initiative_id, "cancellation", user="coordinator.comune"
        )
        assert cancelled.status_code == 200, cancelled.text
    now = await _statuses(events, realm, initiative_id, session_id)
    assert [now[r["id"]]["status"] for r in waiting[:4]] == ["offered"] * 3 + ["waitlisted"]

    # their offers expire: the seats pass to the next three
    later = datetime.now(UTC) + timedelta(hours=25)
    ended = await expire_offers(events.app.state.database, now=later)
    assert len(ended) == 3
    now = await _statuses(events, realm, initiative_id, session_id)
    assert [now[r["id"]]["status"] for r in waiting[:7]] == ["offer_expired"] * 3 + [
        "offered"
    ] * 3 + ["waitlisted"]
    assert await expire_offers(events.app.state.database, now=later) == []  # nothing more due

    # one of them confirms; the others expire too, and the line moves on again
    confirmed = await step_registration(
        events, realm, waiting[3], initiative_id, "confirmation", user="coordinator.comune"
    )
    assert confirmed.status_code == 200, confirmed.text
    await expire_offers(events.app.state.database, now=later + timedelta(hours=25))
    now = await _statuses(events, realm, initiative_id, session_id)
    assert [now[r["id"]]["status"] for r in waiting[:9]] == (
        ["offer_expired"] * 3 + ["registered"] + ["offer_expired"] * 2 + ["offered"] * 2
    ) + ["waitlisted"]

    offers = await all_pages(
        events,
        f"{session_at(initiative_id, session_id)}/offers",
        headers=realm.headers("organizer.ponte"),
        limit=3,
    )
    offered = [o["registration_id"] for o in offers]
    assert offered == [r["id"] for r in waiting[:8]]  # in the line's order
    assert len(set(offered)) == len(offered)  # nobody offered twice
    assert [o["outcome"] for o in offers] == (
        ["expired"] * 3 + ["confirmed"] + ["expired"] * 2 + ["live"] * 2
    )
    seats = await events.get(
        f"{session_at(initiative_id, session_id)}/seats", headers=realm.headers("intake.ponte")
    )
    assert seats.json() == {
        "capacity": 10,
        "registered": 8,
        "offered": 2,
        "waitlisted": 32,
        "free": 0,
    }
