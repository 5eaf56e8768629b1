"""Housing's own tables share this base (and metadata), apart from other services' tables."""

from sqlmodel import SQLModel

from kit.tables import new_registry

HOUSING_REGISTRY = new_registry()


class HousingTable(SQLModel, registry=HOUSING_REGISTRY):
    pass


METADATA = HOUSING_REGISTRY.metadata
