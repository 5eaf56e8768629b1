"""The events service's own tables share this base (and metadata), apart from other services'."""

from sqlmodel import SQLModel

from kit.tables import new_registry

EVENTS_REGISTRY = new_registry()


class EventsTable(SQLModel, registry=EVENTS_REGISTRY):
    pass


METADATA = EVENTS_REGISTRY.metadata
