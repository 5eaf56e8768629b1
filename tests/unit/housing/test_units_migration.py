"""The migration that brought units: a facility registered before keeps its beds as one unit
let by the bed, its "any" sex as "mixed"; and it goes back down the same way."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from kit.db import utcnow
from kit.migrations import _with_connection, alembic_config
from kit.settings import REPO_ROOT

MIGRATIONS = REPO_ROOT / "services" / "housing" / "migrations"
BEFORE_UNITS = "405afc8c2f65"


async def test_facilities_registered_before_units_keep_their_beds(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'housing.db'}"
    config = alembic_config(MIGRATIONS, url)
    facility_id = uuid.uuid4()

    def migrate(target: str, *, down: bool = False) -> object:
        def run(connection: Connection) -> None:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, target)

        return run

    def register_old(connection: Connection) -> None:
        now = utcnow().isoformat()
        connection.execute(
            text(
                "INSERT INTO facilities (id, version, name, kind, operator_organisation,"
                " municipio, capacity_beds, sex, accessible, max_stay_days, created_by,"
                " created_at, updated_at) VALUES (:id, 1, 'Rifugio', 'shelter', 'assoc-ponte',"
                " 8, 12, 'any', 1, 90, 'someone', :now, :now)"
            ),
            {"id": facility_id.hex, "now": now},
        )

    await _with_connection(url, migrate(BEFORE_UNITS))  # type: ignore[arg-type]
    await _with_connection(url, register_old)
    await _with_connection(url, migrate("head"))  # type: ignore[arg-type]

    found: dict[str, object] = {}

    def read(connection: Connection) -> None:
        found["facility"] = connection.execute(
            text("SELECT sex_policy, min_age, max_age, address FROM facilities")
        ).one()
        found["units"] = connection.execute(
            text("SELECT facility_id, beds, letting, accessible, label FROM units")
        ).all()

    await _with_connection(url, read)
    assert tuple(found["facility"]) == ("mixed", 0, None, "(not given)")  # type: ignore[arg-type]
    assert [tuple(u) for u in found["units"]] == [  # type: ignore[attr-defined]
        (facility_id.hex, 12, "by_bed", 1, "all beds")
    ]

    await _with_connection(url, migrate(BEFORE_UNITS, down=True))  # type: ignore[arg-type]

    def read_old(connection: Connection) -> None:
        found["old"] = connection.execute(text("SELECT capacity_beds, sex FROM facilities")).one()

    await _with_connection(url, read_old)
    assert tuple(found["old"]) == (12, "any")  # type: ignore[arg-type]
