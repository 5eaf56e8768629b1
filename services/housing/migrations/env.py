"""Alembic environment of housing: see kit.migrations."""

import services.housing.cases.models
import services.housing.facilities.models
import services.housing.matching.models
import services.housing.placements.models
import services.housing.requests.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.housing.tables import METADATA

run_env(METADATA)
