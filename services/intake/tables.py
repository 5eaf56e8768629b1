"""Intake's own tables share this base (and metadata), apart from other services' tables."""

from sqlmodel import SQLModel

from kit.tables import new_registry

INTAKE_REGISTRY = new_registry()


class IntakeTable(SQLModel, registry=INTAKE_REGISTRY):
    pass


METADATA = INTAKE_REGISTRY.metadata
