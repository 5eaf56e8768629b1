"""Base models and field types of the public API contract.

- `ClosedModel` for request bodies: unknown fields are an error, not silently dropped.
- `PublicModel` for responses: built from ORM objects (`from_attributes`).
- Field types: `Id`, `Timestamp` (timezone-aware), `CountryCode` (ISO 3166-1 alpha-2),
  `LanguageCode` (ISO 639-1/-3), and strict scalars (`StrictInt`, `StrictBool`, …) for
  request fields where a JSON ``"12"`` or ``"yes"`` must not pass as a number or a flag.

A request model's JSON Schema states what the model refuses, so that a client generated from
the OpenAPI sends nothing it refuses (`ClosedModel`): text without NUL is a ``pattern`` on every
string that has none, and a `StrictInt`'s description says that ``8.0`` is not an integer here
(JSON Schema counts it as one, so no keyword can).
- Domain field types every service shares: `Municipio` (and `StrictMunicipio` for request
  bodies), `OrganisationAlias`, `TargetGroup`.

Model-wide ``strict=True`` is not used: FastAPI validates the decoded JSON in Python mode,
where strict mode would refuse ISO date strings, UUID strings and enum values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StrictBool,
    StrictFloat,
    StrictStr,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema
from typing_extensions import TypeAliasType

__all__ = [
    "INTEGER_LITERAL",
    "NO_NUL_PATTERN",
    "CalendarDate",
    "ClosedModel",
    "CountryCode",
    "EmailAddress",
    "Id",
    "JsonObject",
    "LanguageCode",
    "Municipio",
    "OrganisationAlias",
    "PublicModel",
    "StrictBool",
    "StrictFloat",
    "StrictInt",
    "StrictMunicipio",
    "StrictStr",
    "Timestamp",
    "TrimmedText",
    "WebAddress",
    "state_request_rules",
]


NO_NUL_PATTERN = "^[^\\u0000]*$"
"""The JSON Schema ``pattern`` of text without NUL (U+0000), which no text column can store:
what `ClosedModel` and `kit.query` refuse, stated on the strings of request bodies and of
query parameters."""

INTEGER_LITERAL = (
    'Written as an integer: 8, not 8.0 nor "8" (JSON Schema counts 8.0 as an integer, this '
    "API does not)."
)
"""What the description of a `StrictInt` in a request body says, since no JSON Schema
keyword can."""

_STRICT_INT_MARK = "x-lgnet-strict-int"


class _IntegerLiteral:
    """Marks `StrictInt`'s schema, for `ClosedModel` to say in the field's description (a
    field's own ``description`` replaces a type's, so the type cannot say it itself)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema[_STRICT_INT_MARK] = True
        return schema


StrictInt = Annotated[int, Strict(), _IntegerLiteral()]
"""An integer in a request body: a JSON ``"8"`` or ``8.0`` is refused (`INTEGER_LITERAL`)."""


def state_request_rules(schema: Any) -> None:
    """Write into `schema` (a JSON Schema, changed in place; ``$ref`` targets are left to
    their own models) the rules every request value is held to that its types do not state:
    no NUL in text (`NO_NUL_PATTERN` on each string with no pattern, format, enum or
    const), and `INTEGER_LITERAL` in the description of each field that takes a `StrictInt`."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN
    if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
        names = schema.setdefault("propertyNames", {})
        names.setdefault("pattern", NO_NUL_PATTERN)
    for child in schema.get("properties", {}).values():
        if isinstance(child, dict) and _takes_a_strict_int(child):
            described = str(child.get("description", "")).rstrip()
            if described and described[-1] not in ".:;!?":
                described += "."
            child["description"] = f"{described} {INTEGER_LITERAL}".strip()
        state_request_rules(child)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for branch in schema.get(key, []):
            state_request_rules(branch)
    for key in ("items", "additionalProperties"):
        state_request_rules(schema.get(key))


def _takes_a_strict_int(schema: dict[str, Any]) -> bool:
    """Whether `schema` is, or holds as a branch or an item, a `StrictInt`; drops the marks."""
    marked = bool(schema.pop(_STRICT_INT_MARK, False))
    inner = [*schema.get("anyOf", []), *schema.get("oneOf", []), schema.get("items")]
    for sub in inner:
        if isinstance(sub, dict) and "properties" not in sub:
            marked = _takes_a_strict_int(sub) or marked
    return marked


class ClosedModel(BaseModel):
    """Base of request schemas: extra fields are rejected (422), and so is text holding NUL
    (U+0000), which PostgreSQL cannot store in a text column; the JSON Schema says both
    (`state_request_rules`)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, str_max_length=100_000)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise ValueError("must not contain NUL (U+0000) characters")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        state_request_rules(handler.resolve_ref_schema(schema))
        return schema


def _holds_nul(value: object) -> bool:
    # nested ClosedModels check their own fields; this walks plain containers
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


# Any JSON value, for the schema of `JsonObject` only (validated as it stands, a recursive union
# would report a NUL once per branch it failed)
_Json = TypeAliasType(  # type: ignore[misc]
    "NulFreeJson", "str | int | float | bool | list[_Json] | dict[str, _Json] | None"
)
_JSON_OBJECT = TypeAdapter(dict[str, _Json]).core_schema  # type: ignore[valid-type]


class _StatedNulFree:
    """The schema of any JSON object, with `state_request_rules` written into it and into the
    JSON value it refers to (which `state_request_rules` leaves, as every ``$ref``)."""

    def __get_pydantic_json_schema__(
        self, _schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        stated = handler(_JSON_OBJECT)
        state_request_rules(stated)
        state_request_rules(handler.resolve_ref_schema(stated["additionalProperties"]))
        return stated


JsonObject = Annotated[dict[str, Any], _StatedNulFree()]
"""Any JSON object in a request (a policy document): in a `ClosedModel` it is refused if any text
or property name in it holds NUL, and its schema says so, recursively."""


class PublicModel(BaseModel):
    """Base of response schemas; validates from ORM objects and dicts alike."""

    model_config = ConfigDict(from_attributes=True)


Id = UUID
"""Ids are UUIDs (any version; services generate UUIDv4 or v7)."""


DATE_OUT_OF_RANGE = "date_out_of_range"
"""The error code of a date-time with no UTC instant (JSON Schema's date-time includes it)."""


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant Python has
        raise PydanticCustomError(DATE_OUT_OF_RANGE, "date-time out of range") from None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    # pydantic's lax `date` would also take a Unix timestamp or a midnight date-time
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


CalendarDate = Annotated[date, BeforeValidator(_iso_date_text)]
"""A calendar date, ISO 8601 ``YYYY-MM-DD`` only (numbers and date-times are refused)."""


def _iso_text(value: object) -> object:
    # pydantic would take 1700000000 or "0.5" as Unix seconds: an API takes ISO 8601 only
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO 8601 date-time with a zone, not a number")
    if isinstance(value, int | float):
        raise ValueError("expected an ISO 8601 date-time string, not a number")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_to_utc)]
"""An ISO 8601 date-time with zone; numbers and naive input are rejected, values in UTC."""


# ISO 3166-1 alpha-2 officially assigned codes, plus XK (Kosovo, user-assigned but in
# common use on EU documents).
_COUNTRY_CODES = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK "
)
_COUNTRIES = frozenset(_COUNTRY_CODES.split())


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _known_country(value: str) -> str:
    if value not in _COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value


CountryCode = Annotated[
    StrictStr,
    BeforeValidator(_upper),
    Field(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_known_country),
    # the schema names the codes taken, not only their shape ("AA" is refused), in either case
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(_COUNTRIES) + sorted(c.lower() for c in _COUNTRIES),
            "description": "ISO 3166-1 alpha-2, answered in upper case",
            "examples": ["IT", "EG", "AF"],
        }
    ),
]
"""ISO 3166-1 alpha-2 country code, upper case (lower-case input is accepted)."""

LanguageCode = Annotated[
    StrictStr,
    BeforeValidator(_lower),
    Field(pattern=r"^[a-z]{2,3}$"),
    # the shape as taken: either case, answered in lower case
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Za-z]{2,3}$", "examples": ["it", "ar", "ti", "prs"]}
    ),
]
"""ISO 639-1 (two letters) or ISO 639-3 (three letters, e.g. ``prs`` Dari) language code,
lower case. Only the shape is checked: 639-3 has thousands of codes."""


# What pydantic strips (Unicode White_Space), as a regex class body: not \s, which differs
# (ECMAScript's has U+FEFF and not U+0085)
_SPACE = "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


@dataclass(frozen=True, slots=True)
class TrimmedText:
    """``Annotated[StrictStr, TrimmedText(200)]``: text taken with surrounding white space
    stripped, then 1 to `max_length` characters (``"  "`` is refused, ``" a "`` is ``"a"``).

    Its schema says exactly that, in a ``pattern`` (``minLength``/``maxLength`` would count
    the white space that is stripped), which also excludes NUL."""

    max_length: int

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> CoreSchema:
        return core_schema.str_schema(
            strip_whitespace=True, min_length=1, max_length=self.max_length, strict=True
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        for counted in ("minLength", "maxLength"):
            json_schema.pop(counted, None)
        edge = f"[^{_SPACE}\\u0000]"
        middle = f"([^\\u0000]{{0,{self.max_length - 2}}}{edge})?" if self.max_length > 1 else ""
        json_schema["pattern"] = f"^[{_SPACE}]*{edge}{middle}[{_SPACE}]*$"
        said = f"Surrounding white space is stripped, then 1 to {self.max_length} characters."
        described = str(json_schema.get("description", "")).rstrip()
        json_schema["description"] = f"{described}. {said}" if described else said
        return json_schema


_MUNICIPIO = Field(ge=1, le=9, description="Municipio of Milan, 1–9")

Municipio = Annotated[int, _MUNICIPIO]
"""One of Milan's nine Municipi (1–9), the place LGNet counts and publishes by: for query
parameters (which arrive as text), responses and the payloads of consumed events."""

StrictMunicipio = Annotated[StrictInt, _MUNICIPIO]
"""`Municipio` in a request body: a JSON ``"8"`` or ``8.5`` is refused."""

_VISIBLE = r"[^\x00-\x20\x7f@]"  # spelled out: JSON Schema's \s is not Python's nor Rust's
EmailAddress = Annotated[
    StrictStr,
    Field(
        max_length=200,
        pattern=rf"^{_VISIBLE}{{1,64}}@{_VISIBLE}+\.{_VISIBLE}+$",
        examples=["info@example.org"],
    ),
]
r"""An e-mail address as a request holds it: no space, control character or NUL, one ``@``,
a dot after it. (Whitespace is spelled out as ranges: ECMA's ``\s``, which the published
schema's readers apply, is not the ``\s`` of the service's validators.)"""

WebAddress = Annotated[
    StrictStr,
    Field(
        max_length=500,
        pattern=r"^https?://[^\x00-\x20\x7f]+$",
        examples=["https://example.org/"],
    ),
]
"""An http(s) URL: no space, control character or NUL."""


OrganisationAlias = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="The alias of a network organisation (its Keycloak organisation)",
        examples=["assoc-ponte", "coop-aurora"],
    ),
]
"""An organisation's alias, as the ``organization`` claim of a token names it."""


# Whom a referral concerns (intake) and whom a facility admits (housing): one vocabulary.
# No docstring on the class: it would become the enum's description in every OpenAPI document.
class TargetGroup(StrEnum):
    UNACCOMPANIED_MINOR = "unaccompanied_minor"  # MSNA
    VULNERABLE_FAMILY = "vulnerable_family"
    YOUNG_ADULT = "young_adult"  # neomaggiorenni, just turned 18
    OTHER = "other"


KEPT: Any = Field(default=None, validate_default=False)
"""The default of a patch's field that may be left out — and is then kept as it is — but not
set to null: its type has no null, and a field left out is not in ``model_fields_set``::

    class UnitPatch(ClosedModel):
        beds: Beds = KEPT
"""
