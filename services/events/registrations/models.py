"""The registration and offer tables (private to the events service)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Uuid, text
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.events.tables import EventsTable

# a registration that still counts: holding a seat, offered one, or in line
_LIVE = text("status IN ('registered', 'offered', 'waitlisted')")
# a public registrant whose name and contact are still kept: what the retention job looks at
_KEPT = text("registrant = 'public' AND erased_at IS NULL")


class Registration(EventsTable, Versioned, table=True):
    """A beneficiary (intake's `person_ref`, registered by a case worker or an organiser) or a
    member of the public (a name and one contact, kept here only, erased on request or after
    the retention period) in a session: registered, offered a freed seat, in line, or out.
    A public registrant cancels with a token; only its hash is kept."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_session_person",
            "session_id",
            "person_ref",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index(
            "uq_registrations_session_contact",
            "session_id",
            "contact",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index(
            "ix_registrations_public_kept",
            "session_id",
            postgresql_where=_KEPT,
            sqlite_where=_KEPT,
        ),
    )

    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("initiative_sessions.id"), nullable=False, index=True)
    )
    registrant: str = Field(max_length=20)  # beneficiary | public
    person_ref: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid()))
    name: str | None = Field(default=None, max_length=200)  # public only
    contact: str | None = Field(default=None, max_length=200)  # public only, normalised
    contact_kind: str | None = Field(default=None, max_length=10)  # email | phone
    consent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    token_hash: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(max_length=20, index=True)
    position: int | None = None  # in the waiting list, first come first served
    offer_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    organisation: str | None = Field(default=None, max_length=100)  # who registered them
    registered_by: str | None = Field(default=None, max_length=100)  # None: the person online
    checked_in_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    erased_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    erasure_ground: str | None = Field(default=None, max_length=30)  # domain.ErasureGround
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SeatOffer(EventsTable, table=True):
    """A freed seat offered to the first in line, held until `expires_at`: every offer made is
    kept, with how it ended (live, confirmed, expired, declined)."""

    __tablename__ = "seat_offers"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("initiative_sessions.id"), nullable=False, index=True)
    )
    registration_id: uuid.UUID = Field(  # unique: nobody is offered a seat twice
        sa_column=Column(
            Uuid(), ForeignKey("registrations.id"), nullable=False, index=True, unique=True
        )
    )
    position: int
    outcome: str = Field(default="live", max_length=20, index=True)
    offered_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
