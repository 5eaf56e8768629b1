"""Request schemas are closed; times carry a zone; country and language codes are ISO."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from kit.schemas import (
    INTEGER_LITERAL,
    NO_NUL_PATTERN,
    ClosedModel,
    CountryCode,
    EmailAddress,
    Id,
    JsonObject,
    LanguageCode,
    Municipio,
    OrganisationAlias,
    PublicModel,
    StrictInt,
    StrictMunicipio,
    StrictStr,
    Timestamp,
    TrimmedText,
)


class PersonIn(ClosedModel):
    nationality: CountryCode
    languages: list[LanguageCode]
    seen_at: Timestamp
    household_size: StrictInt = 1


class PersonPublic(PublicModel):
    id: Id
    nationality: str


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as excinfo:
        PersonIn.model_validate(
            {"nationality": "IT", "languages": [], "seen_at": "2025-01-01T10:00:00Z", "x": 1}
        )
    assert excinfo.value.errors()[0]["type"] == "extra_forbidden"


def test_json_values_parse_and_timestamps_normalise_to_utc() -> None:
    person = PersonIn.model_validate(
        {"nationality": "eg", "languages": ["AR", "prs"], "seen_at": "2025-03-01T10:00:00+01:00"}
    )
    assert person.nationality == "EG"
    assert person.languages == ["ar", "prs"]
    assert person.seen_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert person.seen_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {"nationality": "IT", "languages": [], "seen_at": "2025-03-01T10:00:00"}
        )


def test_numbers_are_not_taken_from_strings() -> None:
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {
                "nationality": "IT",
                "languages": [],
                "seen_at": datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=2))),
                "household_size": "3",
            }
        )


@pytest.mark.parametrize("code", ["XX", "ITA", "I", "1T", "", "UK"])
def test_unknown_country_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {"nationality": code, "languages": [], "seen_at": "2025-01-01T00:00:00Z"}
        )


@pytest.mark.parametrize("code", ["english", "e", "en-GB", "12"])
def test_malformed_language_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {"nationality": "IT", "languages": [code], "seen_at": "2025-01-01T00:00:00Z"}
        )


@given(st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2))
def test_country_codes_are_exactly_the_iso_list(code: str) -> None:
    from kit.schemas import _COUNTRIES

    try:
        PersonIn.model_validate(
            {"nationality": code, "languages": [], "seen_at": "2025-01-01T00:00:00Z"}
        )
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (code in _COUNTRIES)


def test_public_models_read_orm_like_objects() -> None:
    class Row:
        id = "0b8f6f5e-8b1e-4a63-9d59-0a3e9c1c7a11"
        nationality = "AF"
        secret_note = "never exposed"

    public = PersonPublic.model_validate(Row())
    assert public.model_dump(mode="json") == {
        "id": "0b8f6f5e-8b1e-4a63-9d59-0a3e9c1c7a11",
        "nationality": "AF",
    }


class PlaceIn(ClosedModel):
    municipio: StrictMunicipio
    organiser: OrganisationAlias


class PlaceQuery(BaseModel):
    municipio: Municipio


@pytest.mark.parametrize("municipio", [1, 9])
def test_a_municipio_is_one_of_milans_nine(municipio: int) -> None:
    assert PlaceIn(municipio=municipio, organiser="assoc-ponte").municipio == municipio


@pytest.mark.parametrize("municipio", [0, 10, "8", 8.0, True])
def test_a_municipio_in_a_body_is_a_strict_integer_from_1_to_9(municipio: object) -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate({"municipio": municipio, "organiser": "assoc-ponte"})


def test_a_municipio_in_a_query_arrives_as_text() -> None:
    assert PlaceQuery.model_validate({"municipio": "8"}).municipio == 8
    with pytest.raises(ValidationError):
        PlaceQuery.model_validate({"municipio": "10"})
    schema = PlaceQuery.model_json_schema()["properties"]["municipio"]
    assert (schema["minimum"], schema["maximum"]) == (1, 9)
    assert "Municipio" in schema["description"]


@pytest.mark.parametrize("alias", ["Assoc-Ponte", "-ponte", "a", "coop aurora", "x" * 64])
def test_an_organisation_alias_is_a_lower_case_slug(alias: str) -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate({"municipio": 2, "organiser": alias})


class NoteIn(ClosedModel):
    text: str
    tags: list[str] = Field(default_factory=list)


@pytest.mark.parametrize("body", [{"text": "a\x00b"}, {"text": "ok", "tags": ["fine", "bad\x00"]}])
def test_text_holding_nul_is_refused_where_it_stands(body: dict[str, object]) -> None:
    """PostgreSQL cannot store NUL in a text column: refused as a field error, not a 500."""
    with pytest.raises(ValidationError) as excinfo:
        NoteIn.model_validate(body)
    (error,) = excinfo.value.errors()
    assert error["loc"][0] in body
    assert "NUL" in error["msg"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_outside_utcs_range_is_a_field_error_not_a_crash(value: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        PersonIn.model_validate({"nationality": "IT", "languages": [], "seen_at": value})
    assert "out of range" in excinfo.value.errors()[0]["msg"]


def test_a_request_schema_says_its_text_holds_no_nul() -> None:
    """A client generated from the OpenAPI sends no NUL: the pattern says what is refused."""
    properties = NoteIn.model_json_schema()["properties"]
    for schema in (properties["text"], properties["tags"]["items"]):
        assert schema["pattern"] == NO_NUL_PATTERN
    assert jsonschema.Draft202012Validator(properties["text"]).is_valid("a b")
    assert not jsonschema.Draft202012Validator(properties["text"]).is_valid("a\x00b")
    # a pattern of its own already says which characters: left as it is
    assert PlaceIn.model_json_schema()["properties"]["organiser"]["pattern"] != NO_NUL_PATTERN


class DocumentIn(ClosedModel):
    document: JsonObject


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({"a": [1, 2.5, True, None, {"b": "text"}]}, True),
        ({"a": [{"b": "te\x00xt"}]}, False),  # text deep inside
        ({"a": {"b\x00": 1}}, False),  # a property name deep inside
        ({"\x00": 1}, False),
    ],
)
def test_a_json_object_field_says_and_holds_that_no_text_in_it_holds_nul(
    document: dict[str, object], valid: bool
) -> None:
    """A policy document is any JSON object: its schema states the NUL rule at every depth, so
    a client generated from it sends nothing the service refuses, and the refusal is one error."""
    schema = DocumentIn.model_json_schema()
    assert jsonschema.Draft202012Validator(schema).is_valid({"document": document}) is valid
    if valid:
        assert DocumentIn.model_validate({"document": document}).document == document
        return
    with pytest.raises(ValidationError) as excinfo:
        DocumentIn.model_validate({"document": document})
    (error,) = excinfo.value.errors()
    assert error["loc"] == ("document",)
    assert "NUL" in error["msg"]


def test_a_strict_integer_says_that_8_0_is_not_one() -> None:
    """JSON Schema counts 8.0 as an integer, the API does not: the description says so."""
    place = PlaceIn.model_json_schema()["properties"]["municipio"]
    assert place["description"].startswith("Municipio of Milan")
    assert INTEGER_LITERAL in place["description"]
    person = PersonIn.model_json_schema()["properties"]["household_size"]
    assert INTEGER_LITERAL in person["description"]
    assert "x-lgnet" not in json.dumps(PersonIn.model_json_schema())
    with pytest.raises(ValidationError):
        PersonIn.model_validate(
            {"nationality": "IT", "languages": [], "seen_at": "2025-01-01T10:00:00Z"}
            | {"household_size": 8.0}
        )


class TitleIn(ClosedModel):
    title: Annotated[StrictStr, TrimmedText(5)]


_SOME_TEXT = st.text(alphabet=st.sampled_from("ab \t\n\u3000\u0085\ufeff\x1c\x00\U0001f600"))


@given(_SOME_TEXT)
def test_trimmed_text_is_valid_by_its_schema_exactly_when_it_is_taken(text: str) -> None:
    """White space is stripped before the length is counted: the pattern says so, and counts
    the white space pydantic strips (Unicode White_Space: U+0085 but not U+FEFF or U+001C)."""
    schema = TitleIn.model_json_schema()
    try:
        TitleIn.model_validate({"title": text})
    except ValidationError:
        taken = False
    else:
        taken = True
    assert jsonschema.Draft202012Validator(schema).is_valid({"title": text}) is taken


def test_trimmed_text_is_stored_stripped() -> None:
    assert TitleIn.model_validate({"title": " \u3000ab c\n"}).title == "ab c"
    assert "stripped" in TitleIn.model_json_schema()["properties"]["title"]["description"]


@pytest.mark.parametrize(
    "value",
    ["info@example.org", "a b@c.it", "x\u0085@y.z", "x\u2003@y.z", "a@b", "a@b.c\x00", "@b.it"],
)
def test_an_email_address_is_judged_alike_by_the_schema_and_the_service(value: str) -> None:
    """Whitespace is spelled out as ranges: a JSON Schema reader's ``\\s`` (ECMA) and the
    service's differ on Unicode spaces, so neither is used."""
    pattern = TypeAdapter(EmailAddress).json_schema()["pattern"]
    try:
        TypeAdapter(EmailAddress).validate_python(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is bool(re.fullmatch(pattern, value))
    assert "\\s" not in pattern
