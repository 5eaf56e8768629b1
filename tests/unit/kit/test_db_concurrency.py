"""SQLite under concurrency: readers never wait for a writer, writers take turns in order."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert
from sqlmodel import Field, SQLModel, col, select

import kit.db
from kit.audit import (
    AuditAction,
    AuditEntry,
    AuditPurpose,
    AuditScope,
    install_append_only_triggers,
    verify_chain,
)
from kit.auth import Role
from kit.db import Database, ReadOnlySession, SessionDep, WriterTurnTimeout
from kit.migrations import kit_metadata
from kit.outbox import record_event
from kit.problems import install_problem_handlers
from kit.tables import new_registry
from kit.testing import things
from kit.testing.apps import ClientFactory
from kit.testing.principals import principal
from kit.testing.things import ThingChangedData

_registry = new_registry()
OPERATOR = principal("desk.aurora", "coop-aurora", Role.INTAKE_OPERATOR)
PERSONS = AuditScope("person", AuditPurpose.CASE_MANAGEMENT)


class _Table(SQLModel, registry=_registry):
    pass


class Visit(_Table, table=True):
    __tablename__ = "visits"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    writer: int


@pytest.fixture
async def db(database: Database) -> Database:
    async with database.engine.begin() as connection:
        await connection.run_sync(_registry.metadata.create_all)
        await connection.run_sync(kit_metadata().create_all)
        await connection.run_sync(install_append_only_triggers)
    return database


async def visits(db: Database) -> int:
    async with db.session(writes=False) as session:
        return (await session.exec(select(func.count()).select_from(Visit))).one()


def queued(db: Database) -> int:
    """How many writers wait for their turn on `db`'s file (a peek at the lock's queue)."""
    lock = kit.db._writer_lock(db.engine)
    return len(lock._waiters or ())


async def test_writers_take_their_turn_in_the_order_they_asked(db: Database) -> None:
    order: list[int] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer(number: int) -> None:
        async with db.session() as session:
            session.add(Visit(writer=number))
            await session.flush()  # the first statement: it waits here for its turn
            order.append(number)
            if number == 0:
                holding.set()
                await release.wait()

    tasks = [asyncio.create_task(writer(0))]
    await holding.wait()
    for number in range(1, 8):
        tasks.append(asyncio.create_task(writer(number)))
        for _ in range(5000):  # the next one asks only once this one is queued
            if queued(db) >= number:
                break
            await asyncio.sleep(0.001)
    release.set()
    await asyncio.gather(*tasks)
    assert order == list(range(8))
    assert await visits(db) == 8


async def test_a_reader_reads_while_a_writer_holds_the_write_lock(db: Database) -> None:
    async with db.session() as session:
        session.add(Visit(writer=0))
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.session() as session:
            session.add(Visit(writer=1))
            await session.flush()  # SQLite's write lock and the writer's turn are held
            holding.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await holding.wait()
    async with asyncio.timeout(2):  # a reader queued behind the writer would never get here
        seen = await asyncio.gather(*(visits(db) for _ in range(8)))
    assert seen == [1] * 8  # the committed row, not the writer's uncommitted one
    release.set()
    await task
    assert await visits(db) == 2


async def write(db: Database, writer: int, *, writes: bool = True, fail: bool = False) -> None:
    """One visit written in a session of its own (a reader's if not `writes`)."""
    async with db.session(writes=writes) as session:
        session.add(Visit(writer=writer))
        await session.flush()
        if fail:
            raise RuntimeError("use case failed")


async def test_a_failed_writer_gives_its_turn_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        await write(db, 1, fail=True)
    async with asyncio.timeout(2), db.session() as session:
        session.add(Visit(writer=2))
    assert await visits(db) == 1


async def test_a_writer_waiting_too_long_for_its_turn_fails_cleanly(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kit.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    async with db.session() as holder:
        holder.add(Visit(writer=1))
        await holder.flush()
        with pytest.raises(WriterTurnTimeout):
            await write(db, 2)  # the same task: it would wait for itself
    assert await visits(db) == 1


async def test_a_writer_in_another_process_is_waited_for_in_the_busy_handler(
    db: Database,
) -> None:
    path = db.url.database
    assert path
    locked, release = threading.Event(), threading.Event()

    def other_process() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO visits (id, writer) VALUES (?, 9)", (uuid.uuid4().hex,))
        locked.set()
        release.wait(5)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    await asyncio.to_thread(locked.wait, 5)
    asyncio.get_running_loop().call_later(0.3, release.set)
    async with db.session() as session:
        session.add(Visit(writer=1))
    thread.join(5)
    assert await visits(db) == 2


async def test_a_reader_refuses_to_write(db: Database) -> None:
    async def insert_in_a_reader() -> None:
        async with db.session(writes=False) as session:
            await session.exec(insert(Visit).values(id=uuid.uuid4(), writer=2))

    async def record_in_a_reader() -> None:  # the outbox row is written on the connection
        async with db.session(writes=False) as session:
            await record_event(
                session,
                things.thing_changed("lgnet.testkit.things"),
                ThingChangedData(sequence=1),
                subject="a",
            )

    with pytest.raises(ReadOnlySession):
        await write(db, 1, writes=False)
    with pytest.raises(ReadOnlySession):
        await insert_in_a_reader()
    with pytest.raises(ReadOnlySession):
        await record_in_a_reader()
    assert await visits(db) == 0


async def test_the_reads_of_readers_and_writers_are_audited_in_one_intact_chain(
    db: Database,
) -> None:
    people = [uuid.uuid4() for _ in range(24)]

    async def read(person: uuid.UUID) -> None:
        async with db.session(writes=False) as session:
            await session.exec(select(Visit))
            await PERSONS.record(session, OPERATOR, AuditAction.READ, person)

    async def change(person: uuid.UUID) -> None:
        async with db.session() as session:
            session.add(Visit(writer=1))
            await PERSONS.record(session, OPERATOR, AuditAction.UPDATE, person)

    await asyncio.gather(*(read(p) if i % 3 else change(p) for i, p in enumerate(people)))
    async with db.session(writes=False) as session:
        report = await verify_chain(session)
        audited = list(await session.exec(select(AuditEntry.resource_id)))
    assert report.ok
    assert report.entries_checked == len(people)
    assert sorted(audited) == sorted(people)


async def test_a_reader_whose_read_rolls_back_records_no_entry(db: Database) -> None:
    async def failed_read() -> None:
        async with db.session(writes=False) as session:
            await PERSONS.record(session, OPERATOR, AuditAction.READ, uuid.uuid4())
            raise RuntimeError("the read failed")

    with pytest.raises(RuntimeError):
        await failed_read()
    async with db.session(writes=False) as session:
        assert (await session.exec(select(func.count(col(AuditEntry.sequence))))).one() == 0


def make_app(db: Database, holding: asyncio.Event, release: asyncio.Event) -> FastAPI:
    app = FastAPI()
    app.state.database = db
    install_problem_handlers(app)

    @app.post("/visits", status_code=201)
    async def slow_write(session: SessionDep) -> dict[str, str]:
        session.add(Visit(writer=1))
        await session.flush()
        holding.set()
        await release.wait()
        return {"status": "written"}

    @app.get("/visits")
    async def count(session: SessionDep) -> dict[str, int]:
        return {"visits": (await session.exec(select(func.count()).select_from(Visit))).one()}

    @app.get("/visits/new")
    async def write_in_a_get(session: SessionDep) -> dict[str, str]:
        session.add(Visit(writer=2))
        await session.flush()
        return {"status": "written"}

    return app


async def test_a_get_is_served_while_a_post_holds_the_write_lock(
    db: Database, client: ClientFactory
) -> None:
    holding, release = asyncio.Event(), asyncio.Event()
    async with client(make_app(db, holding, release)) as http:
        post = asyncio.create_task(http.post("/visits"))
        await holding.wait()
        async with asyncio.timeout(2):
            got = await http.get("/visits")
        release.set()
        posted = await post
        refused = await http.get("/visits/new")
    assert got.status_code == 200
    assert got.json() == {"visits": 0}
    assert posted.status_code == 201
    assert refused.status_code == 500  # a GET that writes is a bug, on either database
    assert await visits(db) == 1
