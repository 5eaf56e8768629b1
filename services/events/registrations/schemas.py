"""The registrations API contract: a beneficiary (intake's ``person_ref``) or a member of the
public (a name, one contact, consent) in a session; the line and the offers of freed seats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from kit.schemas import ClosedModel, EmailAddress, Id, PublicModel, StrictStr, TrimmedText
from services.events.registrations.domain import OfferOutcome, Registrant, RegistrationStatus


class BeneficiaryIn(ClosedModel):
    registrant: Literal["beneficiary"]
    person_ref: Id = Field(description="Intake's pseudonymous reference of the person")


# as `domain.normalised_phone` reads it: + (or 00) and 8 to 15 digits, with separators
PHONE_PATTERN = r"^ *(\+|00)[ ().\-/]*[1-9]([ ().\-/]*[0-9]){7,14}[ ().\-/]*$"
Phone = Annotated[
    StrictStr,
    Field(max_length=40, pattern=PHONE_PATTERN, description="International, e.g. +39 02 1234567"),
]


class PublicContactIn(ClosedModel):
    """A member of the public: a name and exactly one contact (an e-mail address, kept lower
    case, or a phone number in international form, kept as ``+`` and digits), and their
    consent to be kept in touch about the session (it must be true)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
                for name in ("email", "phone")
            ]
        }
    )

    name: Annotated[StrictStr, TrimmedText(200)]
    email: EmailAddress | None = None
    phone: Phone | None = None
    consent: Literal[True] = Field(description="Consent to keep the name and contact")

    @model_validator(mode="after")
    def _one_contact(self) -> Self:
        if (self.email is None) == (self.phone is None):
            raise ValueError("give exactly one contact: email or phone")
        return self


class PublicRegistrantIn(PublicContactIn):
    """`PublicContactIn`, registered by those who run the initiative on their behalf."""

    registrant: Literal["public"]


RegistrationCreate = Annotated[
    BeneficiaryIn | PublicRegistrantIn, Field(discriminator="registrant")
]


class RegistrationPublic(PublicModel):
    """A registration. ``name`` and ``contact`` of a public registrant are shown only to
    those who run the initiative."""

    id: Id
    version: int
    session_id: Id
    registrant: Registrant
    person_ref: Id | None
    name: str | None
    contact: str | None
    contact_kind: str | None
    status: RegistrationStatus
    position: int | None = Field(description="Place in the waiting list, first come first served")
    offer_expires_at: datetime | None
    organisation: str | None = Field(description="The organisation that registered them")
    cancelled_at: datetime | None
    erased_at: datetime | None = Field(
        description="When a public registrant's name and contact were erased"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def shown(cls, row: Any, runs_it: bool) -> Self:
        """A registration as the caller may see it: a public registrant's name and contact
        only for those who run the initiative."""
        shown = row.model_dump()
        if not runs_it:
            shown.update(name=None, contact=None, contact_kind=None)
        return cls.model_validate(shown)


class RegistrationCreated(RegistrationPublic):
    cancellation_token: str | None = Field(
        description=(
            "A public registrant's token to cancel: shown once, in this response only (a "
            "replay under the same Idempotency-Key answers null: only its hash is kept)"
        )
    )


class SeatOfferPublic(PublicModel):
    id: Id
    session_id: Id
    registration_id: Id
    position: int
    outcome: OfferOutcome
    offered_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class SeatsPublic(PublicModel):
    capacity: int
    registered: int
    offered: int = Field(description="Seats held by live offers")
    waitlisted: int
    free: int
