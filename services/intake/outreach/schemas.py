"""The offline batch sync API contract.

The envelope is validated as a whole; its items one by one (`SYNC_ITEM`), so that a bad item
is answered ``rejected`` while the good ones are stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, JsonValue, TypeAdapter, model_validator

from kit.schemas import ClosedModel, Id, PublicModel, StrictInt, StrictStr
from services.intake.outreach.domain import ConflictStatus, ItemStatus, Resolution
from services.intake.persons.schemas import PersonCreate, PersonPatch
from services.intake.referrals.schemas import (
    Channel,
    ReferralCreate,
    ReferralFields,
    ReferralPersonIn,
)

DeviceId = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$",
        description="The mobile unit's device identifier (a code, never a person's name)",
        examples=["mu-north-tablet-03"],
    ),
]


class SyncBatchIn(ClosedModel):
    device_id: DeviceId
    items: list[JsonValue] = Field(
        description="Items, each validated on its own: `{client_id, kind: person, person}`, "
        "`{client_id, kind: person_update, person_id, base_version, changes}` or "
        "`{client_id, kind: contact, contact}`. At most the configured number of items "
        "(1,000 by default; more is a 413 problem)."
    )


# --- items -----------------------------------------------------------------------------------


class PersonItem(ClosedModel):
    client_id: uuid.UUID
    kind: Literal["person"]
    person: PersonCreate


class PersonUpdateItem(ClosedModel):
    client_id: uuid.UUID
    kind: Literal["person_update"]
    person_id: uuid.UUID
    base_version: Annotated[StrictInt, Field(ge=1, description="The version the device saw")]
    changes: PersonPatch = Field(
        description="Only the fields the device changed", json_schema_extra={"minProperties": 1}
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.changes.model_fields_set:
            raise ValueError("changes must name at least one field")
        return self


class ContactPersonIn(ClosedModel):
    """A person concerned: an existing one (``person_id``), a new one (``person``), or one
    created by a ``person`` item of this or an earlier sync (``client_ref``, its client_id)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
                for name in ("person_id", "person", "client_ref")
            ]
        }
    )

    person_id: uuid.UUID | None = None
    person: PersonCreate | None = None
    client_ref: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        given = [v for v in (self.person_id, self.person, self.client_ref) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of person_id, person or client_ref")
        return self


class ContactIn(ReferralFields):
    """A street contact: a referral (the channel defaults to mobile_unit, and persons may be
    referenced by client_ref)."""

    channel: Channel = Channel.MOBILE_UNIT
    persons: Annotated[list[ContactPersonIn], Field(default_factory=list, max_length=20)]

    def as_referral(self, person_ids: list[uuid.UUID]) -> ReferralCreate:
        """The referral, its persons all given by id (resolved or registered before)."""
        return ReferralCreate(
            **self.model_dump(exclude={"persons"}),
            persons=[ReferralPersonIn(person_id=p) for p in person_ids],
        )


class ContactItem(ClosedModel):
    client_id: uuid.UUID
    kind: Literal["contact"]
    contact: ContactIn


SyncItemIn = Annotated[PersonItem | PersonUpdateItem | ContactItem, Field(discriminator="kind")]
SYNC_ITEM: TypeAdapter[PersonItem | PersonUpdateItem | ContactItem] = TypeAdapter(SyncItemIn)


# --- answers ---------------------------------------------------------------------------------


class ItemResult(PublicModel):
    client_id: Id | None = Field(description="null when the item had no valid client_id")
    status: ItemStatus
    resource_id: Id | None = Field(
        default=None,
        description="The person (person, person_update, conflict) or referral (contact)",
    )
    duplicate_of: Id | None = Field(
        default=None,
        description="duplicate_of: the existing person this one likely is; the new person is "
        "registered too (resource_id) and the pair waits in the duplicate review queue",
    )
    score: float | None = None
    conflict_id: Id | None = Field(
        default=None, description="conflict: the sync conflict queued for an operator"
    )
    conflicting_fields: list[str] | None = None
    problem: dict[str, Any] | None = Field(
        default=None, description="rejected: an RFC 9457 problem (type, title, errors…)"
    )
    replayed: bool = Field(
        default=False, description="The stored result of an earlier upload of the same item"
    )


class BatchResult(PublicModel):
    results: list[ItemResult] = Field(description="One per item, in item order")
    summary: dict[str, int] = Field(description="Counts per status, and of replayed results")


class SyncConflictPublic(PublicModel):
    id: Id
    device_id: str
    client_id: Id
    person_id: Id
    base_version: int
    server_version: int
    proposed: dict[str, Any] = Field(description="The device's changes (PersonPatch shape)")
    conflicting_fields: list[str]
    status: ConflictStatus
    resolution: str | None = Field(description="applied or discarded, once resolved")
    organisation: str
    created_by: str
    created_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None


class ResolutionIn(ClosedModel):
    resolution: Resolution
