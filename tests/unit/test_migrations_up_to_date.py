"""Each service's migrations, applied to an empty database, give exactly its models' schema."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from kit.migrations import kit_metadata, upgrade_to_head

SERVICES = ("intake", "casework", "housing", "events", "observatory")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models(tmp_path: Path, service: str) -> None:
    importlib.import_module(f"services.{service}.app")  # registers every table of the service
    metadata = importlib.import_module(f"services.{service}.tables").METADATA
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await upgrade_to_head(ROOT / "services" / service / "migrations", url)

    both = MetaData()
    for table in [*metadata.tables.values(), *kit_metadata().tables.values()]:
        table.to_metadata(both)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, both))

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == [], f"run `make migration SERVICE={service} MSG=...`: {diff}"
