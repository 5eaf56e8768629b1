"""Alembic environment of intake: see kit.migrations."""

import services.intake.households.models
import services.intake.outreach.models
import services.intake.persons.consents.models
import services.intake.persons.merges.models
import services.intake.persons.models
import services.intake.persons.reviews.models
import services.intake.referrals.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.intake.tables import METADATA

run_env(METADATA)
