"""Casework's own tables share this base (and metadata), apart from other services' tables."""

import uuid

from sqlmodel import Field, SQLModel

from kit.tables import new_registry

CASEWORK_REGISTRY = new_registry()


class CaseworkTable(SQLModel, registry=CASEWORK_REGISTRY):
    pass


class VersionedTable(CaseworkTable):
    """A resource clients change under ``If-Match``: a random id, and a version that every
    change raises (the resource's ETag, kit.etag)."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1


METADATA = CASEWORK_REGISTRY.metadata
