"""Fixtures for the kit's web and persistence tests: a SQLite file per test with the kit's tables
and the modules' scratch tables, an HTTP client, an app serving one of the kit's routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from kit.audit import install_append_only_triggers
from kit.db import Database
from kit.migrations import kit_metadata
from kit.testing.apps import ClientFactory, RouterClient, router_app
from kit.testing.tables import SCRATCH_METADATA
from kit.testing.tokens import LocalIssuer


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/test.db")
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def db(database: Database) -> Database:
    """``database`` with the kit's tables as a migrated service has them (the audit log's
    append-only triggers included) and every test module's scratch tables."""
    async with database.engine.begin() as connection:
        await connection.run_sync(kit_metadata().create_all)
        await connection.run_sync(install_append_only_triggers)
        await connection.run_sync(SCRATCH_METADATA.create_all)
    return database


@pytest.fixture
def client() -> ClientFactory:
    """``async with client(app) as http:`` — errors the app re-raises stay responses."""

    @asynccontextmanager
    async def make(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return make


@pytest.fixture
def serve_router(db: Database, local_issuer: LocalIssuer, client: ClientFactory) -> RouterClient:
    """``async with serve_router(audit_router("/v1/test/audit")) as http:`` — ``router`` in an
    app assembled as a service's is (problem handlers, settings, request ids, auth trusting
    ``local_issuer``) on ``db``."""

    @asynccontextmanager
    async def make(router: APIRouter) -> AsyncIterator[httpx.AsyncClient]:
        app = router_app(router, database=db, verifier=local_issuer.verifier())
        async with client(app) as http:
            yield http

    return make
