"""Fixtures for the kit's web and persistence tests: a SQLite file per test, an HTTP client,
a local stand-in for the Keycloak realm (unit tests only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kit.db import Database

ClientFactory = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/test.db")
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def client() -> ClientFactory:
    """``async with client(app) as http:`` — errors the app re-raises stay responses."""

    @asynccontextmanager
    async def make(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return make
