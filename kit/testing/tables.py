"""Throw-away tables for tests of the kit itself (a table a consumer's effect writes, rows to
paginate, a commit that fails): one registry of their own, kept out of the kit's metadata and
every service's, so no migration or service database ever holds them.

A test module declares its table on :class:`ScratchTable` and creates :data:`SCRATCH_METADATA`::

    class Shelter(ScratchTable, table=True):
        __tablename__ = "shelters"
        id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)

Every module's tables share the one metadata, so their ``__tablename__`` must differ.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from kit.tables import new_registry

_registry = new_registry()
SCRATCH_METADATA = _registry.metadata


class ScratchTable(SQLModel, registry=_registry):
    """The base of a test's own tables."""
