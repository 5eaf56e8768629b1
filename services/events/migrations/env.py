"""Alembic environment of events: see kit.migrations."""

import services.events.attendance.models
import services.events.initiatives.models
import services.events.registrations.models
import services.events.sessions.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.events.tables import METADATA

run_env(METADATA)
