"""Casework in-process on a fresh PostgreSQL database of its own (one per test module), with the
services whose events it consumes, each on its own database; `database` opens that database
for a test that runs casework's jobs itself (at the moments it chooses); `withdraw_consent`
publishes intake's consent withdrawal for a person, as intake's relay would."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from deploy.local.stack import Stack
from kit.db import Database
from kit.testing.apps import ServiceClient
from kit.testing.casework import WithdrawConsent
from kit.testing.kafka import publish
from kit.testing.services import service_client
from services.casework.app import create_app as create_casework
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as create_intake
from services.intake.persons.events import ConsentWithdrawn
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


@pytest.fixture
def withdraw_consent(stack: Stack) -> WithdrawConsent:
    async def withdraw(person: str, purpose: str, organisation: str) -> None:
        data = {
            "consent_id": str(uuid.uuid4()),
            "person_ref": person,
            "purpose": purpose,
            "legal_basis": "consent",
            "withdrawn_at": datetime.now(UTC).isoformat(),
        }
        await publish(
            stack.kafka_bootstrap,
            [(ConsentWithdrawn, data)],
            subject=person,
            organisation=organisation,
        )

    return withdraw
