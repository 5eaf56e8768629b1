"""Alembic environment of observatory: see kit.migrations."""

import services.observatory.indicators.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.observatory.tables import METADATA

run_env(METADATA)
