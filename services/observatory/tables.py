"""Observatory's own tables share this base (and metadata), apart from other services' tables."""

from sqlmodel import SQLModel

from kit.tables import new_registry

OBSERVATORY_REGISTRY = new_registry()


class ObservatoryTable(SQLModel, registry=OBSERVATORY_REGISTRY):
    pass


METADATA = OBSERVATORY_REGISTRY.metadata
