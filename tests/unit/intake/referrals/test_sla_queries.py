"""The SQL of the overdue filter and of the SLA check agrees with the pure rule (sla.py).

Every combination of status, first contact and hand-over times against several `now`s, on
SQLite; the integration tests run the same queries on PostgreSQL.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import services.intake.app  # noqa: F401  (registers every intake table)
from kit.auth import Principal
from kit.db import Database
from kit.pagination import PageParams
from services.intake.referrals import repository
from services.intake.referrals.domain import Urgency
from services.intake.referrals.lifecycle import ReferralStatus
from services.intake.referrals.models import Referral
from services.intake.referrals.sla import (
    DEFAULT_SLA_POLICY,
    BreachKind,
    ReferralFacts,
    breaches,
    deadlines,
    overdue,
)
from services.intake.tables import METADATA

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URGENCY = Urgency.NORMAL
DUE = deadlines(RECEIVED, URGENCY, DEFAULT_SLA_POLICY)
S = timedelta(seconds=1)
TIMES = [
    RECEIVED + S,
    DUE.first_contact,
    DUE.first_contact + S,
    DUE.hand_over,
    DUE.hand_over + S,
    DUE.hand_over + timedelta(days=3),
]
NOWS = [*TIMES, DUE.hand_over + timedelta(days=30)]
COORDINATOR = Principal(
    subject="s",
    username="coordinator",
    client_id="c",
    organisation="comune-milano",
    roles=frozenset({"coordinator"}),
)


def every_referral() -> list[ReferralFacts]:
    found = []
    for status in ReferralStatus:
        handed = TIMES if status is ReferralStatus.HANDED_OVER else [None]
        for first_contact_at, handed_over_at in itertools.product([None, *TIMES], handed):
            found.append(
                ReferralFacts(
                    referral_id=uuid.uuid4(),
                    status=status,
                    received_at=RECEIVED,
                    urgency=URGENCY,
                    first_contact_at=first_contact_at,
                    handed_over_at=handed_over_at,
                )
            )
    return found


@pytest.fixture
async def stored(tmp_path: Path) -> AsyncIterator[tuple[Database, list[ReferralFacts]]]:
    database = Database(f"sqlite:///{tmp_path}/intake.db")
    async with database.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    facts = every_referral()
    async with database.session() as session:
        for fact in facts:
            session.add(
                Referral(
                    id=fact.referral_id,
                    status=fact.status,
                    channel="hotline",
                    urgency=fact.urgency,
                    target_group="other",
                    received_at=fact.received_at,
                    municipio=1,
                    place_name="x",
                    reporting_organisation="coop-aurora",
                    first_contact_at=fact.first_contact_at,
                    handed_over_at=fact.handed_over_at,
                    first_contact_due_at=DUE.first_contact,
                    hand_over_due_at=DUE.hand_over,
                    created_by="u",
                    created_at=RECEIVED,
                    updated_at=RECEIVED,
                )
            )
    try:
        yield database, facts
    finally:
        await database.dispose()


@pytest.mark.parametrize("now", NOWS)
async def test_the_overdue_filter_is_the_pure_overdue_rule(
    stored: tuple[Database, list[ReferralFacts]], now: datetime
) -> None:
    database, facts = stored
    expected = {f.referral_id for f in facts if overdue(breaches(f, now, DEFAULT_SLA_POLICY))}
    listed: dict[bool, set[uuid.UUID]] = {}
    async with database.session() as session:
        for flag in (True, False):
            where = repository.ReferralFilter(overdue=flag, now=now)
            page = await repository.list_visible(
                session, COORDINATOR, PageParams(limit=200), where=where
            )
            assert page.next_cursor is None
            listed[flag] = {r.id for r in page.items}
    assert listed[True] == expected
    assert listed[False] == {f.referral_id for f in facts} - expected


@pytest.mark.parametrize("now", NOWS)
async def test_the_sla_check_finds_exactly_the_breaches_not_raised_yet(
    stored: tuple[Database, list[ReferralFacts]], now: datetime
) -> None:
    database, facts = stored
    by_id = {f.referral_id: breaches(f, now, DEFAULT_SLA_POLICY) for f in facts}
    async with database.session() as session:
        found = await repository.unraised_breaches(session, now, limit=1000)
        assert {r.id for r, raised in found} == {i for i, b in by_id.items() if b}
        assert all(not raised for _, raised in found)
        # once every first-contact breach is raised, only hand-over breaches are left
        for referral_id, found_breaches in by_id.items():
            if any(b.kind is BreachKind.FIRST_CONTACT for b in found_breaches):
                claimed = await repository.claim_breach(
                    session, referral_id, BreachKind.FIRST_CONTACT, now
                )
                assert claimed
                again = await repository.claim_breach(
                    session, referral_id, BreachKind.FIRST_CONTACT, now
                )
                assert not again
        left = await repository.unraised_breaches(session, now, limit=1000)
    assert {r.id for r, _ in left} == {
        i for i, b in by_id.items() if any(x.kind is BreachKind.HAND_OVER for x in b)
    }
    for referral, raised in left:
        kinds = {b.kind for b in by_id[referral.id]}
        assert raised == kinds & {BreachKind.FIRST_CONTACT}
