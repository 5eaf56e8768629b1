"""Async database access: engine, the one commit point, and the request session.

A service creates one `Database` at start-up and stores it on ``app.state.database``::

    database = Database(settings.database_url)
    app.state.database = database            # in the lifespan; `await database.dispose()` after

Routes take a session with `SessionDep`.  The dependency commits when the route returns
and **before the response is sent** (FastAPI ``Depends(scope="function")``), so a commit
that fails becomes an error response, never a 2xx for lost data.  Services and
repositories only ``flush()``; they never commit.

Tables are declared on a per-service registry (`kit.tables.new_registry`, which carries
the shared constraint naming convention); aware datetimes use `UtcDateTime`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import URL, event, make_url, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime column: stored in UTC, always read back aware (SQLite
    forgets zones).  Naive values are refused.  Use ``Field(sa_type=UtcDateTime)``."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def async_url(url: str | URL) -> URL:
    """The async-driver form of a database URL.

    ``sqlite:///path`` → ``sqlite+aiosqlite``; ``postgresql://`` (also ``postgres://`` and
    ``postgresql+psycopg2://``) → ``postgresql+psycopg``.  Query parameters such as a
    unix-socket ``?host=/run/postgresql`` are kept.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername!r}")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (needed for
        # SAVEPOINT and for the BEGIN IMMEDIATE below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes
        # fails with SQLITE_BUSY when another writer got in between, busy_timeout or not.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An async engine and its session factory for one database URL."""

    def __init__(self, url: str | URL, *, echo: bool = False, **engine_kwargs: Any) -> None:
        self.url = async_url(url)
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True, **engine_kwargs}
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database
            if not database or database == ":memory:":
                kwargs.setdefault("poolclass", StaticPool)
            else:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url, **kwargs)
            _configure_sqlite(self.engine)
        else:
            self.engine = create_async_engine(self.url, **kwargs)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on normal exit and rolled back on error.

        This is the one commit point: code inside only flushes.  Callbacks registered
        with `on_commit` run right after a successful commit.
        """
        async with self.sessionmaker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    async def ping(self) -> None:
        """Run ``SELECT 1``; raises if the database cannot be reached (for /readyz)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


# --- after-commit hooks ----------------------------------------------------------------

_HOOKS_KEY = "kit.after_commit"


def on_commit(session: AsyncSession | Session, callback: Callable[[], object]) -> None:
    """Call `callback()` once, right after `session`'s current transaction commits.

    Dropped if the transaction rolls back.  The callback runs inside the commit call, so
    it must be quick and must not touch the database: set an `asyncio.Event`, schedule a
    task.  An exception it raises is logged, not propagated (the data is committed).
    """
    sync_session = session.sync_session if isinstance(session, AsyncSession) else session
    sync_session.info.setdefault(_HOOKS_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_commit_hooks(session: Session) -> None:
    for callback in session.info.pop(_HOOKS_KEY, []):
        try:
            callback()
        except Exception:
            logger.exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_commit_hooks(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_HOOKS_KEY, None)


# --- FastAPI dependency ----------------------------------------------------------------


def get_database(request: Request) -> Database:
    """The `Database` the service stored on ``app.state.database``."""
    database = getattr(request.app.state, "database", None)
    if not isinstance(database, Database):
        raise RuntimeError("app.state.database is not set to a kit.db.Database")
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session (use through `SessionDep`): committed before the response."""
    async with get_database(request).session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
"""The request's session. Always use this alias: ``Depends(get_session)`` without
``scope="function"`` would commit after the response was sent."""
