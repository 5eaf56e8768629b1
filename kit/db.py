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

Readers and writers, and why SQLite is not left to its busy handler
--------------------------------------------------------------------
A session either writes (``Database.session()``, the default: consumers, jobs, the relay's
marks, every POST/PUT/PATCH/DELETE) or reads (``Database.session(writes=False)``: the session
of a GET, HEAD or OPTIONS request).  The choice is made when the session opens, by the HTTP
method, because SQLite cannot decide it later: a transaction that began as a reader and then
writes must *upgrade*, and if another writer committed since its first read the upgrade fails
with ``SQLITE_BUSY_SNAPSHOT`` whatever the busy timeout, so the request would fail (or, retried
on a fresh snapshot, act on data it never read).  Taking the lock lazily at the first write
is therefore not an option; deciding up front is, and it costs PostgreSQL nothing.

On SQLite (journal mode WAL):

- a **reader** begins ``BEGIN`` (deferred) and takes no lock: in WAL mode it reads its snapshot
  while a writer writes, and never waits for it;
- a **writer**'s first statement waits for its turn on the process's writer lock (an
  `asyncio.Lock`, one per database file per process, first come first served), and only then
  begins ``BEGIN IMMEDIATE``; the connection gives the turn back when it returns to the pool,
  right after the commit or rollback.  So all a writer reads, it reads under the lock it
  writes under (no lost update), and SQLite's busy handler — which wakes waiters in no order
  and made the readers' p99 1.6 s — never has two writers of this process to arbitrate.
  Writers of *other* processes on the same file still meet in the busy handler
  (``busy_timeout``).  Taking the turn at the first statement rather than when the session
  opens keeps work that needs no database (an ``Idempotency-Key`` already in flight: 409)
  from queueing;
- a **read that writes at commit** — `kit.audit` appends an entry when a session that read
  person data commits — ends its read transaction, then takes a writer's turn for a short
  ``BEGIN IMMEDIATE`` transaction holding just the appended rows (`defer_writes`).  Both
  commit before the response leaves, so a reader never gets data whose audit entry was lost;
- a reader that tries to write anything else is refused (`ReadOnlySession`, on both
  databases, so that the tests on PostgreSQL catch it): a GET that changes state is a bug.

On PostgreSQL a reader is an ordinary transaction (the audit entry is appended in it) and
writers are serialised by the rows and advisory locks they take, as before.  Connections
taken from the engine directly (the outbox relay, migrations) are writers too on SQLite unless
their execution options are `READS_ONLY`.  A writer must not open a second writing
transaction on the same file while it holds its turn: it would wait for itself
(`WriterTurnTimeout` after `SQLITE_BUSY_TIMEOUT_MS`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from sqlalchemy import URL, event, make_url, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for its turn: on the process's writer lock, then (another
process writing) in SQLite's busy handler."""

_TRANSACTION_OPTION = "kit_sqlite_transaction"
READS_ONLY: Mapping[str, str] = {_TRANSACTION_OPTION: "read"}
"""Execution options of a connection that only reads: on SQLite its transactions begin
deferred, without the writer's lock (``await connection.execution_options(**READS_ONLY)``)."""


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


CITY_ZONE = ZoneInfo("Europe/Rome")
"""The time zone of the city the network works in: what its calendar dates are in."""


def city_date(moment: datetime) -> date:
    """The city's calendar date at `moment` (an aware time): a membership's day, a birthday."""
    return moment.astimezone(CITY_ZONE).date()


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


class _UuidLoader(Loader):
    """A ``uuid`` column's text as a `uuid.UUID`, made as `UUID.__init__` makes it at its
    end, without parsing its arguments: a third of the time (reading ten thousand rows of two
    ids took 0.14 s through `UUID(str)`)."""

    def load(self, data: Buffer) -> uuid.UUID:
        value = _new_uuid(uuid.UUID)
        _set(value, "int", int(bytes(data).replace(b"-", b""), 16))
        _set(value, "is_safe", _UNKNOWN_SAFETY)
        return value


_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # read once: an enum member's lookup is a descriptor's
_new_uuid = object.__new__
_set = object.__setattr__  # a UUID refuses attribute assignment; its __init__ goes round it so


def _configure_postgres(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.adapters.register_loader("uuid", _UuidLoader)


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
        # A reader begins deferred and never waits (WAL).  Anything else waits for the
        # process's writer turn, then takes SQLite's write lock up front: a deferred
        # transaction that reads and then writes fails with SQLITE_BUSY(_SNAPSHOT) when
        # another writer got in between, busy_timeout or not.
        if connection.get_execution_options().get(_TRANSACTION_OPTION) == "read":
            connection.exec_driver_sql("BEGIN")
            return
        pooled = connection.connection
        if _TURN_KEY not in pooled.info:  # a connection keeps its turn until checked in
            lock = _writer_lock(engine)
            pooled.dbapi_connection.run_async(lambda _driver: _wait_for_turn(lock))
            pooled.info[_TURN_KEY] = lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _end_turn(record.info)

    @event.listens_for(engine.sync_engine, "detach")
    def _on_detach(_dbapi_connection: Any, record: Any) -> None:
        _end_turn(record.info)


# --- the writer's turn (SQLite) ----------------------------------------------------------

_TURN_KEY = "kit.db.writer_turn"
# one lock per database file, per event loop (an asyncio.Lock belongs to one loop)
_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


class WriterTurnTimeout(TimeoutError):
    """A SQLite writer waited longer than `SQLITE_BUSY_TIMEOUT_MS` for its turn."""


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock:
    database = engine.url.database
    if not database or database == ":memory:":
        key = f"memory:{id(engine.sync_engine.pool)}"
    else:
        key = str(Path(database).resolve())
    locks = _writer_locks.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(key, asyncio.Lock())


async def _wait_for_turn(lock: asyncio.Lock) -> None:
    # asyncio.Lock wakes its waiters first come, first served
    try:
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
            await lock.acquire()
    except TimeoutError:
        raise WriterTurnTimeout(
            f"waited {SQLITE_BUSY_TIMEOUT_MS} ms for the SQLite writer's turn"
        ) from None


def _end_turn(info: dict[Any, Any]) -> None:
    lock = info.pop(_TURN_KEY, None)
    if lock is not None:
        lock.release()


# --- pinging pooled connections -------------------------------------------------------

PING_AFTER_IDLE = 1.0
"""Seconds a pooled connection may have been idle and still be used without a ping first."""
_RETURNED_AT = "kit.db.returned_at"


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """``pool_pre_ping`` for connections that were idle in the pool for `PING_AFTER_IDLE`.

    A ping is a round trip (``SELECT 1``) before every checkout: a fifth of a small write's
    round trips, and two of the outbox relay's four per batch. A connection given back a moment
    ago is alive but for a database that went away within that moment, and then its first
    statement fails as a statement on a connection already checked out would, and the pool is
    invalidated (SQLAlchemy does that on any disconnect). One idle longer is pinged, and, if
    the database went away, it is replaced and the pool invalidated, as ``pool_pre_ping`` does.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.pop(_RETURNED_AT, None)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
            return  # a new connection, or one in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise InvalidatePoolError() from err  # the pool retries with a new connection
            raise


POOL_SIZE = 15
"""Connections a PostgreSQL `Database` keeps open, and at most uses at once (see `Database`)."""


class Database:
    """An async engine and its session factory for one database URL.

    Pooled connections are pinged before use when they were idle for `PING_AFTER_IDLE`
    seconds (`_ping_idle_connections`); pass ``pool_pre_ping`` to choose otherwise.

    On PostgreSQL the pool keeps `pool_size` connections (`POOL_SIZE`) and opens no overflow
    ones: a task finding them all in use waits for one, first come first served. Overflow
    connections are closed as soon as they are returned to a full pool, so a burst above the
    pool opened and closed a connection per transaction, each a new server process: 251 in
    15 s at 200 writes/s with SQLAlchemy's 5 + 10, and the CPU they took made the burst last.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        **engine_kwargs: Any,
    ) -> None:
        self.url = async_url(url)
        kwargs: dict[str, Any] = {"echo": echo, **engine_kwargs}
        ping_when_idle = "pool_pre_ping" not in kwargs
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database
            if not database or database == ":memory:":
                kwargs.setdefault("poolclass", StaticPool)
            else:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(self.url, **kwargs)
            _configure_sqlite(self.engine)
        else:
            kwargs.setdefault("max_overflow", 0)
            self.engine = create_async_engine(self.url, pool_size=pool_size, **kwargs)
            _configure_postgres(self.engine)
        if ping_when_idle:
            _ping_idle_connections(self.engine)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self, *, writes: bool = True) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on normal exit and rolled back on error.

        This is the one commit point: code inside only flushes.  Callbacks registered
        with `on_commit` run right after a successful commit.  ``writes=False`` opens a
        reader (see the module docstring): on SQLite it does not wait for writers, and
        a write through it raises `ReadOnlySession`; what `defer_writes` postpones (the
        audit entries of what it read) is committed in a short writing transaction after.
        """
        if not writes:
            async with self._reader() as session:
                yield session
            return
        async with self.sessionmaker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker(execution_options=READS_ONLY) as session:
            info = session.sync_session.info
            info[_READING] = True
            try:
                yield session
                if self.dialect != "sqlite":
                    info.pop(_READING)  # PostgreSQL: at-commit writes join this transaction
                await session.commit()  # SQLite: ends the read; `defer_writes` notes what waits
                info.pop(_READING, None)
                if info.pop(_WRITES_DEFERRED, False):
                    # a writing transaction: its first statement waits for the writer's turn
                    await session.connection(execution_options={_TRANSACTION_OPTION: "write"})
                    await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        """Run ``SELECT 1``; raises if the database cannot be reached (for /readyz)."""
        async with self.engine.connect() as connection:
            await connection.execution_options(**READS_ONLY)
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


# --- readers ---------------------------------------------------------------------------

_READING = "kit.db.reading"
_WRITES_DEFERRED = "kit.db.writes_deferred"


class ReadOnlySession(RuntimeError):
    """A reader's session (a GET's, or ``Database.session(writes=False)``) was asked to write."""


def defer_writes(session: Session) -> bool:
    """Whether `session` is a reader whose writes at commit must wait (SQLite), for a
    ``before_commit`` hook that writes (`kit.audit`'s append).  If True, the hook should
    write nothing now: it runs again in the short writing transaction that follows, once
    the session holds the writer's turn.  False for writers and on PostgreSQL: write now."""
    if not session.info.get(_READING):
        return False
    session.info[_WRITES_DEFERRED] = True
    return True


async def driver_connection(connection: AsyncConnection) -> Any:
    """The driver's own connection under `connection` (on PostgreSQL psycopg's
    ``AsyncConnection``), in the same transaction, for the kit's most frequent small statements
    (an event's outbox row, the relay's reads, the inbox's claims): SQLAlchemy spent more CPU
    executing each of them than the driver and the round trip did."""
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # a connection in use has its driver's
    return driver


def refuse_if_reading(session: Session) -> None:
    """Raise `ReadOnlySession` if `session` is a reader: for writes made on its connection
    without the ORM or Core (which the hooks below check)."""
    if session.info.get(_READING):
        raise ReadOnlySession("this session only reads (a GET, HEAD or OPTIONS request's)")


@event.listens_for(Session, "before_flush")
def _refuse_flushed_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_READING) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise ReadOnlySession(
            "this session only reads (a GET, HEAD or OPTIONS request's): change state in a "
            "POST, PUT, PATCH or DELETE"
        )


@event.listens_for(Session, "do_orm_execute")
def _refuse_executed_writes(state: ORMExecuteState) -> None:
    if state.session.info.get(_READING) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlySession("this session only reads: it cannot run INSERT, UPDATE or DELETE")


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


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session (use through `SessionDep`): committed before the response.
    A reader for GET, HEAD and OPTIONS, a writer for any other method (module docstring)."""
    writes = request.method not in _READ_METHODS
    async with get_database(request).session(writes=writes) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
"""The request's session. Always use this alias: ``Depends(get_session)`` without
``scope="function"`` would commit after the response was sent."""
