"""The SLA migration backfills due dates of existing referrals under the policy of their time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Connection, text

from kit.db import Database
from kit.migrations import alembic_config

MIGRATIONS = Path(__file__).resolve().parents[4] / "services" / "intake" / "migrations"
BEFORE = "1f24ba70694e"
SLA = "b7c3e9a1d2f4"


async def migrate(url: str, target: str, *, down: bool = False) -> None:
    config = alembic_config(MIGRATIONS, url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)

    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await database.dispose()


def _referral(received_at: str, urgency: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "received_at": received_at,
        "urgency": urgency,
        "now": "2026-11-01 00:00:00.000000",
    }


async def test_due_dates_are_backfilled_under_the_policy_in_force_at_receipt(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    await migrate(url, BEFORE)
    old = _referral("2026-01-10 08:00:00.000000", "normal")  # before any version: defaults
    new = _referral("2026-03-10 08:00:00.000000", "high")  # under version 1
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            for row in (old, new):
                await connection.execute(
                    text(
                        "INSERT INTO referrals (id, version, status, channel, urgency, "
                        "target_group, received_at, municipio, place_name, needs, "
                        "reporting_organisation, created_by, created_at, updated_at) VALUES "
                        "(:id, 1, 'screened', 'hotline', :urgency, 'other', :received_at, 1, "
                        "'x', '[]', 'coop-aurora', 'u', :now, :now)"
                    ),
                    row,
                )
            # a screening references the referral: the migration must not rebuild the table
            await connection.execute(
                text(
                    "INSERT INTO screenings (id, referral_id, indicators, outcome, "
                    "reported_urgency, score, urgency, decided_by, explanation, screened_by, "
                    "screened_at) VALUES (:sid, :id, '[]', 'take_in_charge', 'high', 0, "
                    "'high', 'score', '[]', 'u', :now)"
                ),
                {**new, "sid": uuid.uuid4().hex},
            )
            await connection.execute(
                text(
                    "INSERT INTO policy_versions (policy, version, effective_from, document, "
                    "subject, organisation, why, recorded_at) VALUES ('intake.sla', 1, "
                    "'2026-02-01 00:00:00.000000', :document, 's', 'comune', 'co-design', :now)"
                ),
                {
                    "now": old["now"],
                    "document": '{"deadlines": {"immediate": {"first_contact": "PT1H", '
                    '"hand_over": "PT12H"}, "high": {"first_contact": "PT6H", "hand_over": '
                    '"PT48H"}, "normal": {"first_contact": "P1D", "hand_over": "P5D"}}}',
                },
            )
        await migrate(url, SLA)
        async with database.engine.begin() as connection:
            rows = {
                row.id: row
                for row in (
                    await connection.execute(
                        text("SELECT id, first_contact_due_at, hand_over_due_at FROM referrals")
                    )
                ).all()
            }
    finally:
        await database.dispose()

    def due(row: Any) -> tuple[datetime, datetime]:
        return (
            datetime.fromisoformat(row.first_contact_due_at).replace(tzinfo=UTC),
            datetime.fromisoformat(row.hand_over_due_at).replace(tzinfo=UTC),
        )

    received_old = datetime(2026, 1, 10, 8, tzinfo=UTC)
    assert due(rows[old["id"]]) == (
        received_old + timedelta(hours=72),
        received_old + timedelta(days=10),
    )
    received_new = datetime(2026, 3, 10, 8, tzinfo=UTC)
    assert due(rows[new["id"]]) == (
        received_new + timedelta(hours=6),
        received_new + timedelta(hours=48),
    )

    await migrate(url, BEFORE, down=True)  # and back, with the screening still there
