"""Alembic environment of casework: see kit.migrations."""

import services.casework.approvals.models
import services.casework.cases.models
import services.casework.directory.models
import services.casework.minors.models
import services.casework.notes.models
import services.casework.persons.models
import services.casework.plans.models
import services.casework.referrals.models
import services.casework.sharing.models
import services.casework.transfers.models  # noqa: F401  (these register the tables)
from kit.migrations import run_env
from services.casework.tables import METADATA

run_env(METADATA)
