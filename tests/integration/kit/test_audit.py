"""The audit log on the real PostgreSQL: one chain under concurrency, append-only, auditors only."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.audit import (
    AuditAction,
    AuditEntry,
    AuditPurpose,
    AuditScope,
    audit_router,
    verify_chain,
)
from kit.auth import JWKSCache, Role, TokenVerifier
from kit.db import Database
from kit.testing.apps import router_app
from kit.testing.principals import principal
from kit.testing.services import migrated_database

pytestmark = pytest.mark.integration

TRANSACTIONS = 50

OPERATOR = principal("desk.aurora", "coop-aurora", Role.INTAKE_OPERATOR)
PERSONS = AuditScope("person", AuditPurpose.CASE_MANAGEMENT)


@pytest.fixture
async def db(stack: Stack) -> AsyncIterator[Database]:
    """A fresh database migrated by a real service's migrations (triggers included)."""
    async with migrated_database(stack, "observatory", pool_size=30, max_overflow=25) as database:
        yield database


async def access(db: Database, index: int, rng: random.Random) -> int:
    """One request's transaction: some reads, a pause, sometimes a failure; entries recorded."""
    count = 1 + index % 3
    fail = index % 7 == 0
    try:
        async with db.session() as session:
            await session.scalar(text("SELECT 1"))
            for _ in range(count):
                await PERSONS.record(session, OPERATOR, AuditAction.READ, uuid.uuid4())
                await asyncio.sleep(rng.random() / 50)
            if fail:
                raise LookupError("the use case failed")
    except LookupError:
        return 0
    return count


async def test_concurrent_transactions_never_fork_the_chain(db: Database) -> None:
    rng = random.Random(7)
    committed = await asyncio.gather(*(access(db, i, rng) for i in range(TRANSACTIONS)))

    async with db.session() as session:
        report = await verify_chain(session)
        sequences = list(
            await session.exec(select(AuditEntry.sequence).order_by(col(AuditEntry.sequence)))
        )
    assert report.ok, report.first_problem
    assert report.entries_checked == sum(committed) > TRANSACTIONS
    assert sequences == list(range(1, sum(committed) + 1))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET purpose = 'erasure'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
async def test_the_database_refuses_to_change_the_log(db: Database, statement: str) -> None:
    await access(db, 1, random.Random(1))
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.engine.begin() as connection:
            await connection.execute(text(statement))
    async with db.session() as session:
        assert (await verify_chain(session)).entries_checked == 2


async def test_only_auditors_read_the_log_with_real_tokens(
    db: Database, realm: Realm, stack: Stack
) -> None:
    await access(db, 2, random.Random(2))
    verifier = TokenVerifier(realm.issuer, "lgnet-api", JWKSCache(issuer=realm.issuer))
    app = router_app(audit_router("/v1/test/audit"), database=db, verifier=verifier)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            listed = await http.get("/v1/test/audit", headers=realm.headers("auditor.comune"))
            assert listed.status_code == 200
            assert [e["sequence"] for e in listed.json()["items"]] == [3, 2, 1]
            verified = await http.get(
                "/v1/test/audit/verify", headers=realm.headers("auditor.comune")
            )
            assert verified.json()["ok"] is True
            for user in ("coordinator.comune", "intake.aurora"):
                denied = await http.get("/v1/test/audit", headers=realm.headers(user))
                assert denied.status_code == 403
    finally:
        await verifier.jwks.aclose()
