"""Versioned policy on the real PostgreSQL: concurrent proposals get consecutive versions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from pydantic import BaseModel
from sqlalchemy import text

from deploy.local.stack import Stack
from kit.auth import Role
from kit.db import Database, utcnow
from kit.policy import PolicyBackdated, PolicyKind, current, history, propose
from kit.testing.principals import principal
from kit.testing.services import migrated_database

pytestmark = pytest.mark.integration


class Weights(BaseModel):
    minor_alone: int = 10
    pregnancy: int = 5


WEIGHTS = PolicyKind("test.triage-weights", Weights, default=Weights())
COORDINATOR = principal("coordinator.comune", "comune-milano", Role.COORDINATOR)


@pytest.fixture
async def db(stack: Stack) -> AsyncIterator[Database]:
    async with migrated_database(stack, "housing", pool_size=20) as database:
        yield database


async def attempt(db: Database, weight: int, effective_from: datetime) -> bool:
    try:
        async with db.session() as session:
            await propose(
                session,
                WEIGHTS,
                {"minor_alone": weight},
                effective_from=effective_from,
                principal=COORDINATOR,
                why=f"round {weight}",
            )
            await asyncio.sleep(0.01)  # hold the lock a while: the others must wait, not fork
    except PolicyBackdated:
        return False
    return True


async def test_concurrent_proposals_get_consecutive_versions_in_time_order(db: Database) -> None:
    start = utcnow() + timedelta(days=1)
    attempts = [(weight, start + timedelta(days=weight)) for weight in range(1, 21)]
    accepted = await asyncio.gather(*(attempt(db, w, when) for w, when in reversed(attempts)))

    async with db.session() as session:
        versions = await history(session, WEIGHTS)
        assert [v.version for v in versions] == list(range(1, sum(accepted) + 1))
        effective = [v.effective_from for v in versions]
        assert effective == sorted(effective)  # history never goes back in time
        latest = versions[-1]
        assert await current(session, WEIGHTS, at=latest.effective_from) == latest.document
        assert await current(session, WEIGHTS) == Weights()  # none in force yet


async def test_documents_and_times_round_trip(db: Database) -> None:
    when = utcnow() - timedelta(hours=1)
    async with db.session() as session:
        await propose(
            session,
            WEIGHTS,
            Weights(minor_alone=30, pregnancy=20),
            effective_from=when,
            principal=COORDINATOR,
            why="2026 co-design: minors alone weigh more",
        )
    async with db.session() as session:
        assert await current(session, WEIGHTS) == Weights(minor_alone=30, pregnancy=20)
        (version,) = await history(session, WEIGHTS)
        assert version.effective_from == when
        assert version.organisation == "comune-milano"
        stored = await session.scalar(text("SELECT document->>'pregnancy' FROM policy_versions"))
        assert stored == "20"
