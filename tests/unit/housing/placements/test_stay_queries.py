"""The SQL of the ``over_stay`` filter and of the stay check agrees with the pure rule
(placements/domain.py), and the check alerts each placement once.

Every combination of maximum stay, move-out and earlier alert against several days, on
SQLite; the integration tests run the same queries on PostgreSQL.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

import services.housing.app  # noqa: F401  (registers every housing table)
from kit.auth import Principal
from kit.db import Database
from kit.migrations import kit_metadata
from kit.outbox import OutboxMessage
from kit.pagination import PageParams
from services.housing.placements import repository, service
from services.housing.placements.domain import over_stay, stay_alert_due
from services.housing.placements.models import Placement
from services.housing.tables import METADATA

MOVED_IN = date(2026, 11, 1)
ENDS = date(2026, 11, 4)
ENDINGS = [None, ENDS - timedelta(days=1), ENDS, ENDS + timedelta(days=1)]
MOVE_OUTS = [None, ENDS - timedelta(days=1), ENDS, ENDS + timedelta(days=2)]
TODAYS = [ENDS - timedelta(days=2), ENDS, ENDS + timedelta(days=1), ENDS + timedelta(days=3)]
EARLIER = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
COORDINATOR = Principal(
    subject="s",
    username="coordinator",
    client_id="c",
    organisation="comune-milano",
    roles=frozenset({"coordinator"}),
)


@dataclass(frozen=True)
class Stay:
    placement_id: uuid.UUID
    stay_ends_on: date | None
    moved_out_on: date | None
    alerted_at: datetime | None


def every_stay() -> list[Stay]:
    return [
        Stay(uuid.uuid4(), ends, moved_out, alerted)
        for ends, moved_out, alerted in itertools.product(ENDINGS, MOVE_OUTS, [None, EARLIER])
    ]


@pytest.fixture
async def stored(tmp_path: Path) -> AsyncIterator[tuple[Database, list[Stay]]]:
    database = Database(f"sqlite:///{tmp_path}/housing.db")
    async with database.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
        await connection.run_sync(kit_metadata().create_all)
    stays = every_stay()
    async with database.session() as session:
        for stay in stays:
            session.add(
                Placement(
                    id=stay.placement_id,
                    request_id=uuid.uuid4(),
                    case_id=uuid.uuid4(),
                    unit_id=uuid.uuid4(),
                    facility_id=uuid.uuid4(),
                    beds=2,
                    household_size=2,
                    moved_in_on=MOVED_IN,
                    stay_ends_on=stay.stay_ends_on,
                    moved_out_on=stay.moved_out_on,
                    outcome=None if stay.moved_out_on is None else "other",
                    stay_alerted_at=stay.alerted_at,
                    organisation="assoc-ponte",
                    created_by="u",
                    created_at=EARLIER,
                    updated_at=EARLIER,
                )
            )
    try:
        yield database, stays
    finally:
        await database.dispose()


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


@pytest.mark.parametrize("today", TODAYS)
async def test_the_over_stay_filter_is_the_pure_over_stay_rule(
    stored: tuple[Database, list[Stay]], today: date
) -> None:
    database, stays = stored
    expected = {s.placement_id for s in stays if over_stay(s.stay_ends_on, today, s.moved_out_on)}
    listed: dict[bool, set[uuid.UUID]] = {}
    async with database.session(writes=False) as session:
        for flag in (True, False):
            page = await repository.list_placements(
                session,
                COORDINATOR,
                PageParams(limit=200),
                today=today,
                facility_id=None,
                request_id=None,
                current=None,
                over_stay=flag,
            )
            assert page.next_cursor is None
            listed[flag] = {p.id for p in page.items}
    assert listed[True] == expected
    assert listed[False] == {s.placement_id for s in stays} - expected


@pytest.mark.parametrize("today", TODAYS)
async def test_the_stay_check_finds_exactly_the_alerts_due(
    stored: tuple[Database, list[Stay]], today: date
) -> None:
    database, stays = stored
    expected = {
        s.placement_id
        for s in stays
        if stay_alert_due(s.stay_ends_on, today, s.moved_out_on, alerted=s.alerted_at is not None)
    }
    async with database.session(writes=False) as session:
        found = await repository.unalerted_over_stays(session, today, limit=1000)
    assert {p.id for p in found} == expected
    ends = [p.stay_ends_on for p in found if p.stay_ends_on is not None]
    assert ends == sorted(ends)  # the longest over first


async def test_a_second_check_alerts_nothing_and_the_stamp_is_the_checks_time(
    stored: tuple[Database, list[Stay]],
) -> None:
    database, stays = stored
    now = _noon(ENDS + timedelta(days=3))
    due = {
        s.placement_id
        for s in stays
        if stay_alert_due(
            s.stay_ends_on, now.date(), s.moved_out_on, alerted=s.alerted_at is not None
        )
    }
    async with database.session() as session:
        first = await service.alert_over_stays(session, now=now, limit=1000)
    async with database.session() as session:
        second = await service.alert_over_stays(session, now=now + timedelta(days=1), limit=1000)
    assert set(first.alerted) == due
    assert first.seen == len(due)
    assert (second.alerted, second.seen) == ([], 0)
    async with database.session(writes=False) as session:
        rows = (await session.exec(select(Placement).where(col(Placement.id).in_(due)))).all()
        events = (await session.exec(select(OutboxMessage))).all()
    assert {p.stay_alerted_at for p in rows} == {now}
    assert {p.version for p in rows} == {1}  # an If-Match a client holds stays good
    assert sorted(e.key for e in events) == sorted(str(i) for i in due)
    assert {e.event_type for e in events} == {"lgnet.housing.placement.over_stay"}
