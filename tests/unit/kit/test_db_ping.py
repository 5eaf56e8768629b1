"""Pooled connections are pinged before use only when they were idle for a while, and a dead
one found so is replaced, as ``pool_pre_ping`` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import kit.db
from kit.db import Database


def _count_pings(database: Database, *, fail_once: bool = False) -> list[int]:
    dialect = database.engine.dialect
    ping = dialect.do_ping
    pings = [0]

    def counted(dbapi_connection: Any) -> bool:
        pings[0] += 1
        if fail_once and pings[0] == 1:
            # what pysqlite raises on a closed connection (a disconnect to SQLAlchemy)
            raise dialect.loaded_dbapi.ProgrammingError("Cannot operate on a closed database.")
        return ping(dbapi_connection)

    dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


async def _select_one(database: Database) -> int:
    async with database.session() as session:
        connection = await session.connection()
        return int((await connection.execute(text("SELECT 1"))).scalar_one())


async def test_a_connection_used_a_moment_ago_is_not_pinged(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'ping.db'}")
    try:
        pings = _count_pings(database)
        for _ in range(3):
            assert await _select_one(database) == 1
        assert pings == [0]
    finally:
        await database.dispose()


async def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'ping.db'}")
    try:
        assert await _select_one(database) == 1  # a new connection: not pinged
        monkeypatch.setattr(kit.db, "PING_AFTER_IDLE", 0.0)
        pings = _count_pings(database, fail_once=True)
        assert await _select_one(database) == 1  # pinged, found dead, replaced: still works
        assert pings == [1]
        assert await _select_one(database) == 1  # pinged, alive
        assert pings == [2]
    finally:
        await database.dispose()


async def test_pool_pre_ping_given_explicitly_is_kept(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'ping.db'}", pool_pre_ping=True)
    try:
        pings = _count_pings(database)
        for _ in range(3):
            assert await _select_one(database) == 1
        assert pings[0] >= 2  # every checkout of a pooled connection
    finally:
        await database.dispose()
