"""The erasure API contract: why a registrant is erased, and what they are told."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel
from services.events.programme.schemas import CancellationIn


class RegistrantErasureIn(ClosedModel):
    ground: Literal["data_subject_request", "consent_withdrawn"] = Field(
        description="Why (GDPR art. 17(1)): the registrant asked, or withdrew their consent"
    )


class SelfErasureIn(CancellationIn):
    """The token given at registration: it cancels, and it erases."""


class SelfErased(PublicModel):
    session_id: Id
    status: str = Field(description="cancelled if the session was still to come")
    erased_at: datetime
