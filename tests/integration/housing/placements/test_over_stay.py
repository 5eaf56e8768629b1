"""The maximum-stay alert through housing's API and its stay check: a household still there
after its facility's maximum stay is alerted once (``placement.over_stay``, read back from
Kafka and checked against its contract, no household member in it), one moved out never is,
two checks at once alert each once, and ``?over_stay=`` lists them."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.db import utcnow
from kit.events import contracts
from kit.testing.apps import ServiceClient
from kit.testing.housing import register_facility, units_of
from kit.testing.kafka import events_about
from kit.testing.services import service_client
from kit.testing.waiting import eventually
from services.housing.app import create_app
from services.housing.placements.events import TOPIC
from services.housing.placements.jobs import check_stays
from services.housing.settings import HousingSettings
from tests.integration.housing.conftest import Cases
from tests.integration.housing.requests.test_api import filed

pytestmark = pytest.mark.integration

# the stay check runs by itself only at start-up here: each test runs it at the time it chooses
housing = service_client(create_app, HousingSettings, stay_check_interval_seconds=86_400)

PLACEMENTS = "/v1/housing/placements"
OVER_STAY = "lgnet.housing.placement.over_stay"
COORDINATOR = "housing.ponte"
MAX_STAY = 3
AGE = 61  # women of this age: no other module's facility admits them, nor its runs


async def _facility(housing: httpx.AsyncClient, realm: Realm) -> tuple[str, str]:
    """A co-housing of one room of three beds whose stays last `MAX_STAY` days."""
    women: dict[str, Any] = {
        "target_groups": ["other"], "sex_policy": "female", "min_age": AGE, "max_age": AGE
    }  # fmt: skip
    registered = await register_facility(
        housing, realm, kind="co_housing", max_stay_days=MAX_STAY, **women
    )
    assert registered.status_code == 201, registered.text
    facility = registered.json()
    unit = await housing.post(
        units_of(facility),
        json={"label": "Room", "beds": 3, "letting": "by_bed", "accessible": True},
        headers=realm.headers(COORDINATOR),
    )
    assert unit.status_code == 201, unit.text
    return str(facility["id"]), str(unit.json()["id"])


async def _placed(
    housing: httpx.AsyncClient, realm: Realm, cases: Cases, unit: str, moved_in_on: date
) -> dict[str, Any]:
    case_id = await cases.open(target_group="other_vulnerable")
    request = await filed(housing, realm, case_id, members=[{"sex": "female", "age": AGE}])
    placed = await housing.post(
        PLACEMENTS,
        json={"request_id": request["id"], "unit_id": unit, "moved_in_on": moved_in_on.isoformat()},
        headers=realm.headers(COORDINATOR),
    )
    assert placed.status_code == 201, placed.text
    placement: dict[str, Any] = placed.json()
    return placement


async def _listed(
    housing: httpx.AsyncClient, realm: Realm, facility: str, over_stay: bool
) -> set[str]:
    found = await housing.get(
        PLACEMENTS,
        params={"facility_id": facility, "over_stay": str(over_stay).lower()},
        headers=realm.headers(COORDINATOR),
    )
    assert found.status_code == 200, found.text
    return {p["id"] for p in found.json()["items"]}


async def _alerts_in_outbox(housing: ServiceClient, placement_id: str) -> int:
    async with housing.app.state.database.engine.connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM outbox WHERE key = :k AND event_type = :t"),
            {"k": placement_id, "t": OVER_STAY},
        )
    return int(count or 0)


async def _published(housing: ServiceClient, placement_id: str) -> bool:
    async with housing.app.state.database.engine.connect() as connection:
        pending = await connection.scalar(
            text("SELECT count(*) FROM outbox WHERE key = :k AND published_at IS NULL"),
            {"k": placement_id},
        )
    return int(pending or 0) == 0


async def test_a_household_past_the_maximum_stay_is_alerted_once_and_one_moved_out_never(
    housing: ServiceClient, realm: Realm, cases: Cases, stack: Stack
) -> None:
    today = utcnow().date()
    facility, unit = await _facility(housing, realm)
    over = await _placed(housing, realm, cases, unit, today - timedelta(days=10))
    staying = await _placed(housing, realm, cases, unit, today)
    left = await _placed(housing, realm, cases, unit, today - timedelta(days=10))
    moved = await housing.post(
        f"{PLACEMENTS}/{left['id']}/move-out",
        json={"outcome": "other_facility"},
        headers={**realm.headers(COORDINATOR), "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert over["stay_ends_on"] == (today - timedelta(days=10 - MAX_STAY)).isoformat()
    assert [p["over_stay"] for p in (over, staying, moved.json())] == [True, False, False]
    assert await _listed(housing, realm, facility, True) == {over["id"]}
    assert await _listed(housing, realm, facility, False) == {staying["id"], left["id"]}

    database, ours = housing.app.state.database, [over["id"], staying["id"], left["id"]]
    later = utcnow() + timedelta(days=MAX_STAY + 2)  # the newcomer's stay has ended too
    alerted = {str(i) for i in await check_stays(database, now=later)}
    assert alerted & set(ours) == {over["id"], staying["id"]}
    again = {str(i) for i in await check_stays(database, now=later)}
    next_day = {str(i) for i in await check_stays(database, now=later + timedelta(days=1))}
    assert again & set(ours) == next_day & set(ours) == set()
    assert [await _alerts_in_outbox(housing, p) for p in ours] == [1, 1, 0]

    await eventually(lambda: _published(housing, over["id"]), 30, "the relay published it")
    [event] = await events_about(stack.kafka_bootstrap, TOPIC, over["id"], event_type=OVER_STAY)
    contracts.validate(event)
    assert (event.source, event.organisation) == ("/lgnet/housing", "assoc-ponte")
    assert event.data == {  # ids, the household's size and days: nobody's name, age or sex
        "placement_id": over["id"],
        "request_id": over["request_id"],
        "unit_id": unit,
        "facility_id": facility,
        "household_size": 1,
        "moved_in_on": over["moved_in_on"],
        "stay_ends_on": over["stay_ends_on"],
        "days_over": (later.date() - date.fromisoformat(over["stay_ends_on"])).days,
    }

    # the API shows the same placement: the alert changed no version, an If-Match stays good
    found = await housing.get(f"{PLACEMENTS}/{over['id']}", headers=realm.headers(COORDINATOR))
    assert (found.headers["ETag"], found.json()["over_stay"]) == ('"1"', True)
    ended = await housing.post(
        f"{PLACEMENTS}/{over['id']}/move-out",
        json={"outcome": "autonomous_housing"},
        headers={**realm.headers(COORDINATOR), "If-Match": '"1"'},
    )
    assert ended.status_code == 200, ended.text
    assert await _listed(housing, realm, facility, True) == set()


async def test_two_stay_checks_at_once_alert_each_household_once(
    housing: ServiceClient, realm: Realm, cases: Cases
) -> None:
    _, unit = await _facility(housing, realm)
    long_ago = utcnow().date() - timedelta(days=MAX_STAY + 5)
    ours = [(await _placed(housing, realm, cases, unit, long_ago))["id"] for _ in range(3)]
    database = housing.app.state.database
    first, second = await asyncio.gather(check_stays(database), check_stays(database))
    mine = [{str(i) for i in run} & set(ours) for run in (first, second)]
    assert mine[0] | mine[1] == set(ours)
    assert mine[0] & mine[1] == set()
    assert [await _alerts_in_outbox(housing, p) for p in ours] == [1, 1, 1]
