"""Casework in-process on a fresh PostgreSQL database of its own (one per test module), with the
services whose events it consumes, each on its own database; `database` opens that database
for a test that runs casework's jobs itself (at the moments it chooses)."""

from collections.abc import AsyncIterator

import pytest

from kit.db import Database
from kit.testing.apps import ServiceClient
from kit.testing.services import service_client
from services.casework.app import create_app as create_casework
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as create_intake
from services.intake.settings import IntakeSettings

intake = service_client(create_intake, IntakeSettings)
casework = service_client(create_casework, CaseworkSettings)


@pytest.fixture(scope="module")
async def database(casework: ServiceClient) -> AsyncIterator[Database]:
    db = Database(casework.settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()
