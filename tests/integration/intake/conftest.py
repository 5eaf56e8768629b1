"""Intake in-process on a fresh PostgreSQL database of its own (one per test module)."""

from kit.testing.services import service_client
from services.intake.app import create_app
from services.intake.settings import IntakeSettings

intake = service_client(create_app, IntakeSettings)
