"""Event type declarations: name, topic, payload model and the JSON Schema it implies.

Each service declares its events in its features' ``events.py``::

    ReferralHandedOver = event_type(
        "lgnet.intake.referral.handed_over", topic="lgnet.intake.referrals",
        payload=ReferralHandedOverData,
    )

The payload models are closed (unknown fields rejected) and must hold no direct identifiers:
persons appear as pseudonymous references, quasi-identifiers coarsened (docs/architecture.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class EventData(BaseModel):
    """Base of every event payload: closed and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def of(cls, source: object, **fields: Any) -> Self:
        """The payload about `source` (an aggregate's row): `fields` as given, every other
        field read from the attribute of `source` with its name::

            InitiativeCreatedData.of(initiative, initiative_id=initiative.id)
        """
        read = {name: getattr(source, name) for name in cls.names() if name not in fields}
        return cls.model_validate({**read, **fields})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The payload's field names (pydantic works ``model_fields`` out on every read: 10 µs,
        a fifth of what recording an event costs)."""
        return _names(cls)


@cache
def _names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


D = TypeVar("D", bound=BaseModel)
P = TypeVar("P", bound=EventData)


@dataclass(frozen=True)
class EventDeclaration(Generic[D]):
    """An event type's name, topic, payload model and contract version: what a publisher
    (`EventType`) and a consumer (`kit.inbox.ConsumedEvent`) both declare."""

    name: str
    topic: str
    payload: type[D]
    version: int = 1

    def __post_init__(self) -> None:
        if not self.name.startswith("lgnet.") or self.name.count(".") < 3:
            raise ValueError(
                f"event type {self.name!r} must read lgnet.<service>.<aggregate>.<event>"
            )

    @property
    def dataschema(self) -> str:
        """The ``dataschema`` URI of the event, also the ``$id`` of its JSON Schema."""
        return f"urn:lgnet:event:{self.name}:v{self.version}"


@dataclass(frozen=True)
class EventType(EventDeclaration[P]):
    """An event type a service publishes (declared with `event_type`)."""

    @property
    def source(self) -> str:
        """``/lgnet/<service>``, from the ``lgnet.<service>.…`` type name."""
        return f"/lgnet/{self.name.split('.')[1]}"

    def json_schema(self) -> dict[str, Any]:
        schema = self.payload.model_json_schema(mode="serialization")
        return {
            "$schema": SCHEMA_DIALECT,
            "$id": self.dataschema,
            "title": self.name,
            "x-topic": self.topic,
            **{k: v for k, v in schema.items() if k != "title"},
        }


_REGISTRY: dict[str, EventType[Any]] = {}


def event_type(name: str, *, topic: str, payload: type[P], version: int = 1) -> EventType[P]:
    """Declare (and register) an event type; names are unique across LGNet."""
    declared = EventType(name, topic, payload, version)
    existing = _REGISTRY.get(name)
    if existing is not None and existing != declared:
        raise ValueError(f"event type {name!r} declared twice")
    _REGISTRY[name] = declared
    return declared


def registered() -> dict[str, EventType[Any]]:
    """Every event type declared by the modules imported so far."""
    return dict(_REGISTRY)
