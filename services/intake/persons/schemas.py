"""The persons API contract."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import ConfigDict, Field, JsonValue, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kit.schemas import (
    CalendarDate,
    ClosedModel,
    CountryCode,
    Id,
    LanguageCode,
    PublicModel,
    StrictBool,
    StrictStr,
)
from services.intake.persons.domain import (
    ContactKind,
    DocumentType,
    ErasureGround,
    PersonStatus,
    Sex,
)

Name = Annotated[StrictStr, Field(min_length=1, max_length=100)]


class DocumentIn(ClosedModel):
    type: DocumentType
    number: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    issuing_country: CountryCode | None = None


class ContactIn(ClosedModel):
    kind: ContactKind
    value: Annotated[StrictStr, Field(min_length=3, max_length=200)]


DATE_IN_FUTURE = "date_in_future"
"""The error code of a date after today: a rule JSON Schema cannot state (it has no "now")."""
DATE_IMPLAUSIBLE = "date_implausible"
"""The error code of a birth date before 1900 (JSON Schema compares no dates)."""
_BIRTH_DATE = "Not in the future, not before 1900 (JSON Schema cannot state either: refused 422)"


def _not_in_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise PydanticCustomError(DATE_IN_FUTURE, "a birth date cannot be in the future")
    if value is not None and value.year < 1900:
        raise PydanticCustomError(DATE_IMPLAUSIBLE, "a birth date before 1900 is not plausible")
    return value


class PersonFields(ClosedModel):
    """What an operator records of a person; every field but one name is optional."""

    given_name: Name | None = None
    family_name: Name | None = None
    alternative_names: Annotated[
        list[Name],
        Field(
            default_factory=list,
            max_length=20,
            description="Other spellings and transliterations, each 'given family'",
        ),
    ]
    sex: Sex | None = None
    birth_date: CalendarDate | None = Field(default=None, description=_BIRTH_DATE)
    birth_date_estimated: StrictBool = Field(
        default=False, description="The birth date is an estimate (e.g. age assessment)"
    )
    nationality: CountryCode | None = None
    languages: Annotated[list[LanguageCode], Field(default_factory=list, max_length=10)]
    documents: Annotated[list[DocumentIn], Field(default_factory=list, max_length=10)]
    contacts: Annotated[list[ContactIn], Field(default_factory=list, max_length=10)]

    _birth_date = field_validator("birth_date")(_not_in_future)


def _one_present(*names: str) -> list[JsonValue]:
    """JSON Schema branches: each requires one of `names`, given and not null."""
    return [{"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in names]


class PersonCreate(PersonFields):
    """A new person: a given or a family name at least (the schema's ``anyOf``)."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": _one_present("given_name", "family_name")}
    )

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.given_name is None and self.family_name is None:
            raise ValueError("a person needs a given or a family name")
        return self


class PersonPatch(ClosedModel):
    """Rectification: only the fields present are changed (null clears an optional field)."""

    given_name: Name | None = None
    family_name: Name | None = None
    alternative_names: Annotated[list[Name], Field(max_length=20)] | None = None
    sex: Sex | None = None
    birth_date: CalendarDate | None = Field(default=None, description=_BIRTH_DATE)
    birth_date_estimated: StrictBool | None = None
    nationality: CountryCode | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=10)] | None = None
    documents: Annotated[list[DocumentIn], Field(max_length=10)] | None = None
    contacts: Annotated[list[ContactIn], Field(max_length=10)] | None = None

    _birth_date = field_validator("birth_date")(_not_in_future)


class DocumentPublic(PublicModel):
    type: DocumentType
    number: str
    issuing_country: str | None = None


class ContactPublic(PublicModel):
    kind: ContactKind
    value: str


class PersonPublic(PublicModel):
    id: Id
    version: int
    status: PersonStatus
    merged_into: Id | None
    given_name: str | None
    family_name: str | None
    alternative_names: list[str]
    sex: Sex | None
    birth_date: date | None
    birth_date_estimated: bool
    nationality: str | None
    languages: list[str]
    documents: list[DocumentPublic]
    contacts: list[ContactPublic]
    registered_by_organisation: str
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class MatchBand(StrEnum):
    LIKELY = "likely"  # at or above the default threshold: proposed as the same person
    POSSIBLE = "possible"  # in the review band: kept for an operator to decide


class ReasonPublic(PublicModel):
    field: str
    how: str
    similarity: float | None


class CandidatePublic(PublicModel):
    person_id: Id
    score: float
    band: MatchBand
    reasons: list[ReasonPublic]
    person: PersonPublic | None = Field(
        description="The candidate's record, when it is visible to you; null otherwise (the "
        "score and reasons still tell a coordinator to look)"
    )


class MatchIn(PersonCreate):
    """The person to search for; nothing is stored."""


class MatchResult(PublicModel):
    candidates: list[CandidatePublic]


class PersonCreated(PublicModel):
    person: PersonPublic
    candidates: list[CandidatePublic] = Field(
        description="Persons who may be the same, best first; kept in the review queue"
    )


class ErasureIn(ClosedModel):
    ground: ErasureGround = Field(description="Why (GDPR art. 17(1)): a code, not free text")


class BirthDatePublic(PublicModel):
    """A person's birth date, for casework's minors' track (its service account only)."""

    person_ref: Id
    status: PersonStatus
    merged_into: Id | None = Field(description="A merged record's survivor")
    birth_date: date | None
    birth_date_estimated: bool
    version: int = Field(description="The person record's version (its ETag)")
