"""Casework's own tables share this base (and metadata), apart from other services' tables."""

from sqlmodel import SQLModel

from kit.tables import new_registry

CASEWORK_REGISTRY = new_registry()


class CaseworkTable(SQLModel, registry=CASEWORK_REGISTRY):
    pass


METADATA = CASEWORK_REGISTRY.metadata
