"""The session commits once, before the response leaves; a failed commit is never a 2xx."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import Column, ForeignKey, text
from sqlalchemy.exc import StatementError
from sqlalchemy.pool import QueuePool
from sqlmodel import Field, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Message, Receive, Scope, Send

from kit.db import Database, SessionDep, UtcDateTime, async_url, get_session, on_commit
from kit.errors import PROBLEM_JSON
from kit.problems import install_problem_handlers
from kit.testing.apps import ClientFactory
from kit.testing.tables import ScratchTable


class Shelter(ScratchTable, table=True):
    __tablename__ = "shelters"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str
    opened_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Bed(ScratchTable, table=True):
    __tablename__ = "beds"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Checked at COMMIT, so a bad row makes the commit itself fail.
    shelter_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("shelters.id", deferrable=True, initially="DEFERRED"), nullable=False
        )
    )


def make_app(db: Database) -> FastAPI:
    app = FastAPI()
    app.state.database = db
    install_problem_handlers(app)

    @app.post("/shelters", status_code=201)
    async def create_shelter(session: SessionDep) -> dict[str, str]:
        shelter = Shelter(name="Rifugio Centrale")
        session.add(shelter)
        await session.flush()
        return {"id": str(shelter.id)}

    @app.post("/beds", status_code=201)
    async def create_orphan_bed(session: SessionDep) -> dict[str, str]:
        bed = Bed(shelter_id=uuid.uuid4())  # no such shelter: the commit will fail
        session.add(bed)
        await session.flush()
        return {"id": str(bed.id)}

    @app.post("/late-shelters", status_code=201)
    async def create_with_request_scope(
        session: Annotated[AsyncSession, Depends(get_session)],
    ) -> dict[str, str]:
        shelter = Shelter(name="Late")
        session.add(shelter)
        await session.flush()
        return {"id": str(shelter.id)}

    return app


def count_committed(db: Database, table: str) -> int:
    """Rows another connection can see, i.e. committed ones."""
    assert db.url.database
    with sqlite3.connect(db.url.database) as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


async def call_spied(app: FastAPI, db: Database, path: str, table: str) -> tuple[int, int]:
    """POST `path`; the status, and how many rows were committed when the response started."""
    seen: list[int] = []

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        async def spy(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen.append(count_committed(db, table))
            await send(message)

        await app(scope, receive, spy)

    transport = httpx.ASGITransport(app=wrapper, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post(path)
    return response.status_code, seen[0]


async def test_commit_happens_before_the_response_is_sent(db: Database) -> None:
    status, committed = await call_spied(make_app(db), db, "/shelters", "shelters")
    assert status == 201
    assert committed == 1


async def test_plain_depends_would_commit_after_the_response(db: Database) -> None:
    # Why SessionDep uses Depends(scope="function"): FastAPI's default scope for yield
    # dependencies runs their exit after the response has been sent.
    status, committed = await call_spied(make_app(db), db, "/late-shelters", "shelters")
    assert status == 201
    assert committed == 0
    assert count_committed(db, "shelters") == 1


async def test_a_failing_commit_gives_a_problem_response_not_a_2xx(
    db: Database, client: ClientFactory
) -> None:
    async with client(make_app(db)) as http:
        response = await http.post("/beds")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "FOREIGN KEY" not in response.text
    assert count_committed(db, "beds") == 0


async def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    async with db.session() as session:
        session.add(Shelter(name="kept"))

    async def failing_use_case() -> None:
        async with db.session() as session:
            session.add(Shelter(name="dropped"))
            await session.flush()
            raise RuntimeError("use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    async with db.session() as session:
        names = list(await session.exec(select(Shelter.name)))
    assert names == ["kept"]


async def test_on_commit_runs_after_commit_only(db: Database) -> None:
    calls: list[str] = []

    def failing() -> None:
        raise ValueError("a broken hook must not undo the commit")

    async with db.session() as session:
        session.add(Shelter(name="a"))
        on_commit(session, failing)
        on_commit(session, lambda: calls.append(f"committed:{count_committed(db, 'shelters')}"))

    async def rolled_back() -> None:
        async with db.session() as session:
            on_commit(session, lambda: calls.append("rolled back"))
            session.add(Shelter(name="b"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await rolled_back()
    async with db.session() as session:
        session.add(Shelter(name="c"))
    assert calls == ["committed:1"]


async def test_sqlite_connections_are_configured(db: Database) -> None:
    async with db.engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy is not None
    assert busy >= 5000


async def test_utc_datetime_columns_come_back_aware(db: Database) -> None:
    opened = datetime(2025, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    async with db.session() as session:
        session.add(Shelter(name="tz", opened_at=opened))
    async with db.session() as session:
        (stored,) = await session.exec(select(Shelter.opened_at))
    assert stored == opened
    assert stored is not None
    assert stored.tzinfo == UTC
    with pytest.raises(StatementError, match="naive"):
        async with db.session() as session:
            session.add(Shelter(name="naive", opened_at=datetime(2025, 5, 1, 9, 30)))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/intake.db", "sqlite+aiosqlite:///var/intake.db"),
        (
            "postgresql://lgnet:pw@127.0.0.1:5432/intake",
            "postgresql+psycopg://lgnet:***@127.0.0.1:5432/intake",
        ),
        (
            "postgres://lgnet@/intake?host=/tmp/pg",
            "postgresql+psycopg://lgnet@/intake?host=%2Ftmp%2Fpg",
        ),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_async_urls(url: str, expected: str) -> None:
    assert str(async_url(url)) == expected


def test_unix_socket_host_is_kept() -> None:
    assert async_url("postgresql://lgnet@/intake?host=/tmp/pg").query == {"host": "/tmp/pg"}


def test_postgresql_keeps_its_pool_and_opens_no_overflow_connection() -> None:
    pool = Database("postgresql://u@h/db", pool_size=7).engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.size() == 7
    # a connection beyond the pool was closed as soon as it was returned: bursts churned
    assert pool._max_overflow == 0


def test_unsupported_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        async_url("mysql://u@h/db")


async def test_sqlite_file_directory_is_created(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/var/nested/service.db")
    try:
        await db.ping()
    finally:
        await db.dispose()
    assert (tmp_path / "var" / "nested" / "service.db").exists()
