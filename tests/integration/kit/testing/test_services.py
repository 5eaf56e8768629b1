"""kit.testing.services' rolled_back: what requests write inside it is gone afterwards, and
what was committed before it stays."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from deploy.local.realm import Realm
from kit.testing.apps import ServiceClient
from kit.testing.housing import FACILITIES, register_facility
from kit.testing.resources import assert_created
from kit.testing.services import rolled_back, service_client
from services.housing.app import create_app
from services.housing.settings import HousingSettings

pytestmark = pytest.mark.integration

# any service will do: housing is the smallest that writes a row and an outbox row per request
housing = service_client(create_app, HousingSettings)


async def _count(client: ServiceClient, table: str, facility_id: str) -> int:
    column = "key" if table == "outbox" else "id"
    async with client.app.state.database.session() as session:
        found = await session.scalar(
            text(f"SELECT count(*) FROM {table} WHERE CAST({column} AS text) = :id"),
            {"id": facility_id},
        )
    return int(found or 0)


async def test_rows_written_inside_rolled_back_are_gone_afterwards(
    housing: ServiceClient, realm: Realm
) -> None:
    reader = realm.headers("housing.ponte")
    before = assert_created(await register_facility(housing, realm), FACILITIES)

    async with rolled_back(housing):
        inside = assert_created(
            await register_facility(housing, realm, name="Rifugio provvisorio"), FACILITIES
        )
        fetched = await housing.get(f"{FACILITIES}/{inside['id']}", headers=reader)
        assert fetched.status_code == 200  # the requests inside see each other's writes
        listed = await housing.get(FACILITIES, headers=reader, params={"limit": 200})
        assert inside["id"] in {item["id"] for item in listed.json()["items"]}

    gone = await housing.get(f"{FACILITIES}/{inside['id']}", headers=reader)
    assert gone.status_code == 404
    assert await _count(housing, "facilities", inside["id"]) == 0
    assert await _count(housing, "outbox", inside["id"]) == 0  # nothing left to publish
    kept = await housing.get(f"{FACILITIES}/{before['id']}", headers=reader)
    assert kept.status_code == 200
    assert await _count(housing, "facilities", before["id"]) == 1
