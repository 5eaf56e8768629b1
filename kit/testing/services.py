"""A service under test: its app with a fresh PostgreSQL database on the session's stack.

A service's tests declare their client once, in ``tests/integration/<service>/conftest.py``::

    from kit.testing.services import service_client
    from services.intake.app import create_app
    from services.intake.settings import IntakeSettings

    intake = service_client(create_app, IntakeSettings)   # the fixture ``intake``, module-scoped

and every test asks for it, with the session's ``realm`` (``deploy.local.realm.Realm``) for
tokens::

    async def test_something(intake: ServiceClient, realm: Realm) -> None:
        created = await intake.post("/v1/intake/referrals", json=..., headers=realm.headers(user))

The fixture needs a fixture ``stack`` (the session's Kafka, Keycloak and PostgreSQL, see
``tests/conftest.py``). Each module (or session, with ``scope=``) gets its own database, its
own consumer groups and the lifespan run for real: migrations, outbox relay, consumers, jobs.
A module that needs other settings declares its own one-liner, which overrides the conftest's::

    intake = service_client(create_app, IntakeSettings, sync_batch_max_items=3)

Isolation, and why it is not a rolled-back transaction per test by default
---------------------------------------------------------------------------
CONVENTIONS asks for a transaction rolled back per test. :func:`rolled_back_per_test` offers it
for tests that only read their effects back through the API: every request's session becomes
a SAVEPOINT on one connection held in a transaction that is rolled back after the test. It
cannot be the default, because most of what a service does after a request reads *committed*
rows from other connections: the outbox relay publishes only committed outbox rows, another
service's consumer acts only on what was published, and jobs run in their own sessions. A test
that checks a published event or another service's effect (a case opened by a hand-over, an
indicator counted) must let the request commit. Those tests share the module's database and
keep apart by their data instead: each creates what it reads (new ids, a cohort of its own),
never counts rows it did not make, and never depends on another test's leftovers.

The cost of a database per module instead of per test (measured on the 2-core test machine,
5 runs each): an empty database, intake migrated to head and its lifespan started take
0.41-0.73 s (median 0.44 s: ``CREATE DATABASE`` about 70 ms, migrations about 250 ms, the rest
the relay, consumers and JWKS client); entering and leaving :func:`rolled_back` costs 0.2 ms,
and a request inside it is cheaper than a committed one (register and read back a person:
median 48 ms against 83 ms). A fresh database per *test* would add about 0.44 s to each of
the 245 integration tests, about 1.8 minutes a run; so: a database per module, unique data per
test, and a rollback where the test allows it (``tests/integration/intake/persons/
test_errors.py`` uses it).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal, Protocol, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import Database
from kit.migrations import upgrade_to_head
from kit.settings import REPO_ROOT, CommonSettings, ServiceSettings
from kit.testing.apps import ServiceClient, serve

__all__ = [
    "StackLike",
    "common_settings",
    "fresh_database_url",
    "migrated_database",
    "rolled_back",
    "rolled_back_per_test",
    "service_client",
    "service_settings",
]

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
Scope = Literal["module", "package", "session"]


class StackLike(Protocol):
    """What the helpers need of the session's stack (``deploy.local.stack.Stack`` has it)."""

    @property
    def kafka_bootstrap(self) -> str: ...

    @property
    def issuer(self) -> str: ...

    def database_url(self, name: str) -> str: ...


def common_settings(stack: StackLike) -> CommonSettings:
    """Settings for an in-process service; its consumer groups are its own, so it never shares
    partitions with the platform's processes or another test's copy of the same service."""
    return CommonSettings(
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        keycloak_issuer=stack.issuer,
        environment="test",
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:8]}",
    )


def fresh_database_url(stack: StackLike, service: str) -> str:
    """A new, empty PostgreSQL database for one in-process service."""
    return stack.database_url(f"{service}_{uuid.uuid4().hex[:8]}")


def service_settings(
    settings_cls: type[SettingsT], stack: StackLike, **overrides: Any
) -> SettingsT:
    """``settings_cls`` on a fresh database and the stack's Kafka and Keycloak."""
    return settings_cls(
        database_url=fresh_database_url(stack, settings_cls.service_name),
        common=common_settings(stack),
        **overrides,
    )


@asynccontextmanager
async def migrated_database(
    stack: StackLike, service: str, **engine_kwargs: Any
) -> AsyncIterator[Database]:
    """A fresh database migrated by ``service``'s real migrations (the kit's tables and
    triggers included), disposed of on exit; ``engine_kwargs`` size its pool."""
    url = fresh_database_url(stack, service)
    await upgrade_to_head(REPO_ROOT / "services" / service / "migrations", url)
    database = Database(url, **engine_kwargs)
    try:
        yield database
    finally:
        await database.dispose()


def service_client(
    create_app: Callable[[SettingsT], FastAPI],
    settings_cls: type[SettingsT],
    *,
    name: str | None = None,
    scope: Scope = "module",
    **overrides: Any,
) -> Any:
    """A pytest fixture (named ``name``, else the settings' ``service_name``) that serves
    ``create_app(settings)`` with :func:`service_settings` (``overrides`` are settings fields)
    and yields its :class:`~kit.testing.apps.ServiceClient`. Assign it in a conftest."""

    async def fixture(stack: StackLike) -> AsyncIterator[ServiceClient]:
        settings = service_settings(settings_cls, stack, **overrides)
        async with serve(create_app(settings), settings=settings) as client:
            yield client

    return pytest.fixture(scope=scope, name=name or settings_cls.service_name)(fixture)


class _OneConnection(Database):
    """The app's database, but every session is a SAVEPOINT on ``connection`` (one at a time:
    a connection runs one statement at a time)."""

    def __init__(self, database: Database, connection: AsyncConnection) -> None:
        self.url = database.url
        self.engine = database.engine
        self.sessionmaker = async_sessionmaker(
            bind=connection,
            class_=AsyncSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def session(self, *, writes: bool = True) -> AsyncIterator[AsyncSession]:
        async with self._turn, super().session(writes=writes) as session:
            yield session


@asynccontextmanager
async def rolled_back(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """While inside, the requests' sessions of ``client``'s app commit into one transaction
    that is rolled back at the end: nothing they wrote is left, nothing is published.

    Only for tests that read their effects back through the API: the outbox relay, consumers
    and jobs use their own connections and never see these rows (see the module docstring).
    """
    if not isinstance(client, ServiceClient):
        raise TypeError("rolled_back needs the ServiceClient of kit.testing.apps.serve")
    app = client.app
    database = app.state.database
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        app.state.database = _OneConnection(database, connection)
        try:
            yield
        finally:
            app.state.database = database
            await transaction.rollback()


def rolled_back_per_test(client_fixture: str) -> Any:
    """An autouse fixture running each test of the module (or conftest) that declares it in
    :func:`rolled_back` around the client fixture ``client_fixture``::

        _rolled_back = rolled_back_per_test("intake")
    """

    async def fixture(request: pytest.FixtureRequest) -> AsyncIterator[None]:
        async with rolled_back(request.getfixturevalue(client_fixture)):
            yield

    return pytest.fixture(autouse=True)(fixture)
