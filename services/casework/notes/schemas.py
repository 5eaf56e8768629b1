"""The notes API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, StrictBool, StrictStr, model_validator

from kit.schemas import ClosedModel, Id, PublicModel, TrimmedText
from services.casework.notes.domain import Confidentiality


class NoteCreate(ClosedModel):
    body: Annotated[StrictStr, TrimmedText(10_000)]
    confidentiality: Confidentiality = Confidentiality.TEAM
    health: StrictBool = Field(
        default=False,
        description="Holds health information (GDPR art. 9): read only by team members whose "
        "role needs it; names the person it concerns",
    )
    person_ref: Id | None = Field(
        default=None, description="The person of the case the note is about (intake's id)"
    )

    @model_validator(mode="after")
    def _health_names_its_person(self) -> Self:
        if self.health and self.person_ref is None:
            raise ValueError("a health note names the person it concerns (person_ref)")
        return self


class NotePublic(PublicModel):
    id: Id
    case_id: Id
    person_ref: Id | None
    confidentiality: Confidentiality
    health: bool
    body: str
    author: str
    author_organisation: str
    written_at: datetime
