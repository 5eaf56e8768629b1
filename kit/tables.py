"""Kit-owned tables (outbox, inbox, idempotency keys, audit log) live in every service's database.

They share one SQLAlchemy registry, separate from each service's own registry, so that a
service's Alembic environment targets ``[service metadata, KIT_METADATA]`` and no service
ever sees another service's tables.
"""

from __future__ import annotations

import uuid

from sqlalchemy import MetaData
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

# Stable constraint names, so that Alembic autogenerate produces the same migration every time.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_registry() -> registry:
    """A registry (and metadata) of its own, with the naming convention: one per service."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


KIT_REGISTRY = new_registry()
KIT_METADATA = KIT_REGISTRY.metadata


class KitTable(SQLModel, registry=KIT_REGISTRY):
    """Base of the tables the kit owns."""


class Versioned(SQLModel):
    """The first columns of an aggregate's table: a random UUID ``id`` and the ``version``
    that each change increments and ``If-Match`` is checked against (`kit.etag`)::

        class Facility(HousingTable, Versioned, table=True): ...
    """

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1
