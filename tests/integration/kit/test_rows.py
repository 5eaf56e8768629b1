"""`kit.rows.fetch` answers what the ORM answers, on PostgreSQL (through psycopg, compiled once
per shape) and on SQLite (through SQLAlchemy Core)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import JSON, Select
from sqlalchemy import select as sql_select
from sqlmodel import Field, col, select

from deploy.local.stack import Stack
from kit.db import Database, ReadOnlySession, UtcDateTime
from kit.pagination import CursorCodec, PageParams, paginate, paginate_records
from kit.rows import Record, fetch, insert_many
from kit.testing.tables import SCRATCH_METADATA, ScratchTable

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class Placement(ScratchTable, table=True):
    __tablename__ = "rows_placements"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=20)
    beds: int
    starts_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    note: str | None = None


@pytest.fixture(params=["postgresql", "sqlite"])
async def db(
    request: pytest.FixtureRequest, stack: Stack, tmp_path: Path
) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        database = Database(stack.database_url(f"rows_{uuid.uuid4().hex[:8]}"))
    else:
        database = Database(f"sqlite:///{tmp_path}/rows.db")
    async with database.engine.begin() as connection:
        await connection.run_sync(
            SCRATCH_METADATA.create_all, tables=[SCRATCH_METADATA.tables["rows_placements"]]
        )
    async with database.session() as session:
        for i in range(30):
            session.add(
                Placement(
                    kind=("shelter", "co_housing", "autonomy_apartment")[i % 3],
                    beds=i % 4,
                    starts_at=T0 + timedelta(hours=i // 2),
                    ended_at=None if i % 5 else T0 + timedelta(days=i),
                    note=None if i % 2 else f"note {i}",
                )
            )
    try:
        yield database
    finally:
        await database.dispose()


def placements(kind: str, since: datetime) -> object:
    return (
        select(Placement)
        .where(col(Placement.kind) == kind, col(Placement.starts_at) >= since)
        .order_by(col(Placement.starts_at), col(Placement.id))
    )


async def test_records_hold_what_the_entities_hold(db: Database) -> None:
    for kind, since in (("shelter", T0), ("co_housing", T0 + timedelta(hours=3))):
        stmt = placements(kind, since)
        async with db.session(writes=False) as session:
            records = await fetch(session, stmt)  # type: ignore[arg-type]
            entities = list(await session.exec(stmt))  # type: ignore[call-overload]
        assert records == [e.model_dump() for e in entities]
        assert records
        assert all(isinstance(r, Record) for r in records)
        assert records[0].kind == kind
        assert records[0].starts_at.utcoffset() == timedelta(0)


async def test_one_shape_serves_other_values_and_list_lengths(db: Database) -> None:
    async with db.session(writes=False) as session:
        all_ids = [r.id for r in await fetch(session, sql_select(col(Placement.id)))]
        for count in (1, 3, 7, 3):
            stmt = (
                sql_select(col(Placement.id), col(Placement.beds))
                .where(col(Placement.id).in_(all_ids[:count]), col(Placement.beds) >= 0)
                .order_by(col(Placement.id))
            )
            found = await fetch(session, stmt)
            assert [r.id for r in found] == sorted(all_ids[:count])
            assert set(found[0]) == {"id", "beds"}


async def test_bound_values_go_through_their_column_types(db: Database) -> None:
    rome = T0.astimezone(ZoneInfo("Europe/Rome"))  # the same instant, another zone
    async with db.session(writes=False) as session:
        in_utc = await fetch(session, placements("shelter", T0))  # type: ignore[arg-type]
        in_rome = await fetch(session, placements("shelter", rome))  # type: ignore[arg-type]
        naive = select(Placement).where(col(Placement.starts_at) >= T0.replace(tzinfo=None))
        with pytest.raises(Exception, match="naive datetime"):
            await fetch(session, naive)
    assert in_utc == in_rome


async def test_record_pages_walk_as_entity_pages_do(db: Database) -> None:
    codec = CursorCodec("test-secret")
    order = (Placement.starts_at, Placement.id)
    walked: dict[str, list[uuid.UUID]] = {"entities": [], "records": []}
    for how in walked:
        cursor = None
        while True:
            params = PageParams(limit=4, cursor=cursor, codec=codec)
            async with db.session(writes=False) as session:
                stmt = select(Placement).where(col(Placement.beds) > 0)
                if how == "records":
                    page = await paginate_records(session, stmt, params, order_by=order)
                    walked[how] += [r.id for r in page.items]
                else:
                    entities = await paginate(session, stmt, params, order_by=order)
                    walked[how] += [e.id for e in entities.items]
                    page = entities  # type: ignore[assignment]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert walked["records"] == walked["entities"]
    assert len(walked["records"]) == 22


async def test_columns_sharing_a_key_are_refused(db: Database) -> None:
    async with db.session(writes=False) as session:
        if db.dialect != "postgresql":
            pytest.skip("SQLAlchemy Core keeps the last of two same-named columns")
        twice: Select[*tuple[Any, ...]] = sql_select(
            col(Placement.id), col(Placement.id).label("id")
        )
        with pytest.raises(ValueError, match="distinct"):
            await fetch(session, twice)


class Shade(StrEnum):
    LIGHT = "light"
    DARK = "dark"


class Written(ScratchTable, table=True):
    __tablename__ = "rows_written"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    shade: str = Field(max_length=20)
    score: float | None = None
    whole: bool
    at: datetime = Field(sa_type=UtcDateTime)
    units: list[str] = Field(sa_type=JSON)
    note: str | None = None


async def test_insert_many_writes_what_the_orm_reads(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(
            SCRATCH_METADATA.create_all, tables=[SCRATCH_METADATA.tables["rows_written"]]
        )
    rome = ZoneInfo("Europe/Rome")
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "shade": (Shade.LIGHT, Shade.DARK)[i % 2],
            "score": None if i % 3 == 0 else i / 7,
            "whole": i % 2 == 0,
            "at": (T0 + timedelta(minutes=i)).astimezone(rome),
            "units": [str(uuid.uuid4()) for _ in range(i % 3)] + ['tab\t"quote"\\'],
            "note": None if i % 4 else f"line\nbreak {i}",
        }
        for i in range(250)
    ]
    async with db.session() as session:
        await insert_many(session, Written, rows)
    async with db.session(writes=False) as session:
        found = {w.id: w for w in (await session.exec(select(Written))).all()}
    assert len(found) == len(rows)
    for row in rows:
        written = found[row["id"]]
        assert written.shade == str(row["shade"])
        assert written.score == row["score"]
        assert written.whole is row["whole"]
        assert written.at == row["at"]
        assert written.at.tzinfo == UTC
        assert written.units == row["units"]
        assert written.note == row["note"]


async def test_insert_many_refuses_a_reader(db: Database) -> None:
    async with db.session(writes=False) as session:
        with pytest.raises(ReadOnlySession):
            await insert_many(session, Written, [{"id": uuid.uuid4()}])


async def test_ids_read_back_as_the_uuids_written(db: Database) -> None:
    ids = [uuid.uuid4() for _ in range(40)] + [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
    rows: list[dict[str, Any]] = [
        {"id": i, "shade": "light", "whole": True, "at": T0, "units": [], "note": None} for i in ids
    ]
    async with db.engine.begin() as connection:
        await connection.run_sync(
            SCRATCH_METADATA.create_all, tables=[SCRATCH_METADATA.tables["rows_written"]]
        )
    async with db.session() as session:
        await insert_many(session, Written, rows)
    async with db.session(writes=False) as session:
        records = await fetch(session, sql_select(col(Written.id)).order_by(col(Written.id)))
    found = [r.id for r in records]
    assert found == sorted(ids)
    assert all(type(i) is uuid.UUID for i in found)
    assert {hash(i) for i in found} == {hash(i) for i in ids}
