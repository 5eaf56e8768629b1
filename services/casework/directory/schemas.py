"""The service directory's API contract: what its keepers send (LGNet's write API), and what
every reader gets back — HSDS 3.0's objects and paginated envelope, with HSDS's field names, so
that any HSDS tool reads the network's directory.

An HSDS answer leaves out a field that has no value (HSDS's types take no ``null``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    StrictFloat,
    StrictStr,
    WithJsonSchema,
    model_serializer,
)

from kit.schemas import (
    CalendarDate,
    ClosedModel,
    CountryCode,
    EmailAddress,
    Id,
    OrganisationAlias,
    StrictInt,
    StrictMunicipio,
    TrimmedText,
    WebAddress,
)
from services.casework.directory.domain import (
    BYDAY_PATTERN,
    BYMONTHDAY_PATTERN,
    ISO_639_1,
    WEEKDAYS,
    Frequency,
    PhoneType,
    ServiceStatus,
)

HSDS_VERSION = "3.0"
"""The HSDS version the directory answers in (its schemas: contracts/hsds/3.0)."""


Name = Annotated[StrictStr, TrimmedText(200)]
ShortText = Annotated[StrictStr, TrimmedText(500)]
LongText = Annotated[StrictStr, TrimmedText(4000)]
Email = EmailAddress
Url = WebAddress
PhoneNumber = Annotated[
    StrictStr,
    Field(pattern=r"^\+?[0-9][0-9 ()./-]{3,30}$", examples=["+39 02 1234 5678"]),
]
Age = Annotated[StrictInt, Field(ge=0, le=120, description="In years")]


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _iso_639(value: str) -> str:
    if len(value) == 2 and value not in ISO_639_1:
        raise ValueError("not an ISO 639-1 language code")
    return value


Iso639 = Annotated[
    StrictStr,
    BeforeValidator(_lower),
    Field(pattern=r"^[a-z]{2,3}$"),
    AfterValidator(_iso_639),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "enum": sorted(ISO_639_1) + sorted(c.upper() for c in ISO_639_1),
                },
                {"type": "string", "pattern": "^[A-Za-z]{3}$"},
            ],
            "description": "ISO 639-1 (two letters) or ISO 639-3 (three letters), answered "
            "in lower case",
            "examples": ["it", "ar", "ti", "prs"],
        }
    ),
]
"""A language: an ISO 639-1 code (checked against the standard's list) or an ISO 639-3 code
(three letters: its shape only, 639-3 has thousands)."""


# --- what keepers send ------------------------------------------------------------------


class PhoneIn(ClosedModel):
    number: PhoneNumber
    extension: Annotated[StrictInt, Field(ge=0, le=99_999)] | None = None
    type: PhoneType | None = None
    description: ShortText | None = None


class ContactIn(ClosedModel):
    """A desk of the organisation or service (the organisation's data, not a beneficiary's)."""

    name: Name | None = None
    title: Name | None = None
    department: Name | None = None
    email: Email | None = None
    phones: Annotated[list[PhoneIn], Field(default_factory=list, max_length=10)]


class LanguageIn(ClosedModel):
    code: Iso639
    name: Annotated[StrictStr, TrimmedText(100)] | None = Field(
        default=None, description="The language's name, as readers should see it"
    )
    note: ShortText | None = None


class ScheduleIn(ClosedModel):
    """When a service is open, as HSDS's iCal RRULE fields (RFC 5545): ``freq`` with its
    ``interval``, ``byday`` (``MO,WE`` or, monthly, ``1SA``), ``bymonthday``, and ``count`` or
    ``until``; ``opens_at``–``closes_at`` the hours; ``valid_from``–``valid_to`` the days the
    entry holds for. The parts of a rule need a ``freq``; ``byday`` takes ordinals and
    ``bymonthday`` is allowed only with a ``MONTHLY`` one; ``count`` and ``until`` are not both
    given; ``opens_at`` and ``closes_at`` go together, the one before the other; ``until`` is
    not before ``dtstart`` nor ``valid_to`` before ``valid_from`` (a 422 ``invalid-schedule``
    otherwise)."""

    freq: Frequency | None = None
    interval: Annotated[StrictInt, Field(ge=1, le=52)] | None = None
    byday: Annotated[StrictStr, Field(pattern=BYDAY_PATTERN, max_length=100)] | None = None
    bymonthday: Annotated[StrictStr, Field(pattern=BYMONTHDAY_PATTERN, max_length=200)] | None = (
        None
    )
    wkst: Literal[WEEKDAYS] | None = None  # type: ignore[valid-type]
    count: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    dtstart: CalendarDate | None = None
    until: CalendarDate | None = None
    valid_from: CalendarDate | None = None
    valid_to: CalendarDate | None = None
    opens_at: time | None = Field(default=None, examples=["09:00"])
    closes_at: time | None = Field(default=None, examples=["17:30"])
    description: ShortText | None = Field(
        default=None, description="The hours in words (no more than the fields say)"
    )
    attending_type: Annotated[StrictStr, TrimmedText(100)] | None = Field(
        default=None, description="How to attend: in person, online, by phone…"
    )
    notes: ShortText | None = None


Contacts = Annotated[list[ContactIn], Field(default_factory=list, max_length=20)]
Phones = Annotated[list[PhoneIn], Field(default_factory=list, max_length=10)]
Languages = Annotated[list[LanguageIn], Field(default_factory=list, max_length=30)]
Schedules = Annotated[list[ScheduleIn], Field(default_factory=list, max_length=30)]


class OrganizationIn(ClosedModel):
    """A directory organisation; a case supervisor creates only their own organisation's."""

    name: Name
    alternate_name: Name | None = None
    description: LongText
    email: Email | None = None
    website: Url | None = None
    legal_status: Name | None = None
    year_incorporated: Annotated[StrictInt, Field(ge=1800, le=2100)] | None = None
    network_organisation: OrganisationAlias | None = Field(
        default=None,
        description="The network organisation that runs it: its case supervisors keep the "
        "entry and its workers answer referrals to its services (HSDS: an "
        "`organization_identifiers` entry of scheme `LGNET`)",
    )
    contacts: Contacts
    phones: Phones


class ServiceIn(ClosedModel):
    """A service of a directory organisation. Eligibility is ``eligibility_description`` and
    the ages it admits (HSDS 3.0 has no eligibility table); ``maximum_age`` is not below
    ``minimum_age`` (422 ``invalid-age-range``). ``organization_id`` names an organisation of
    the directory (422 ``unknown-directory-entry`` otherwise)."""

    organization_id: Id
    name: Name
    alternate_name: Name | None = None
    description: LongText | None = None
    url: Url | None = None
    email: Email | None = None
    status: ServiceStatus = ServiceStatus.ACTIVE
    interpretation_services: LongText | None = None
    application_process: LongText | None = None
    fees_description: LongText | None = None
    wait_time: LongText | None = None
    eligibility_description: LongText | None = None
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    alert: LongText | None = None
    languages: Languages
    schedules: Schedules
    contacts: Contacts
    phones: Phones


class AddressIn(ClosedModel):
    address_1: Name = Field(examples=["Via Padova 36"])
    address_2: Name | None = None
    city: Annotated[StrictStr, TrimmedText(100)] = "Milano"
    state_province: Annotated[StrictStr, TrimmedText(100)] = "MI"
    postal_code: Annotated[StrictStr, Field(pattern=r"^[0-9]{5}$", examples=["20127"])]
    country: CountryCode = "IT"


class _LocationBase(ClosedModel):
    organization_id: Id = Field(description="An organisation of the directory")
    name: Name | None = None
    alternate_name: Name | None = None
    description: LongText | None = None
    languages: Languages
    phones: Phones


class PhysicalLocationIn(_LocationBase):
    """A place in Milan: its address and Municipio (HSDS: the address's ``region``)."""

    location_type: Literal["physical"]
    municipio: StrictMunicipio
    address: AddressIn
    transportation: LongText | None = None
    latitude: Annotated[StrictFloat, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[StrictFloat, Field(ge=-180, le=180)] | None = None
    url: Url | None = None


class VirtualLocationIn(_LocationBase):
    """Online or by phone: reached at its ``url``."""

    location_type: Literal["virtual"]
    url: Url


LocationIn = Annotated[PhysicalLocationIn | VirtualLocationIn, Field(discriminator="location_type")]


class ServiceAtLocationIn(ClosedModel):
    """A service given at a location of the same organisation, with the hours it keeps there.
    The service and location are the directory's (422 ``unknown-directory-entry`` otherwise);
    one entry per pair (409)."""

    service_id: Id
    location_id: Id
    description: LongText | None = None
    schedules: Schedules


class ServiceAtLocationChange(ClosedModel):
    """What changes of a service at a location (its service and location stay)."""

    description: LongText | None = None
    schedules: Schedules


# --- what readers get: HSDS 3.0 ---------------------------------------------------------


class Hsds(BaseModel):
    """An HSDS object: a field without a value is left out, not ``null``."""

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class HsdsPhone(Hsds):
    id: Id
    organization_id: Id | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    contact_id: Id | None = None
    number: str
    extension: int | None = None
    type: str | None = None
    description: str | None = None


class HsdsContact(Hsds):
    id: Id
    organization_id: Id | None = None
    service_id: Id | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[HsdsPhone] = []


class HsdsLanguage(Hsds):
    id: Id
    service_id: Id | None = None
    location_id: Id | None = None
    name: str | None = None
    code: str
    note: str | None = None


class HsdsSchedule(Hsds):
    id: Id
    service_id: Id | None = None
    service_at_location_id: Id | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    wkst: str | None = None
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    bymonthday: str | None = None
    description: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    attending_type: str | None = None
    notes: str | None = None


class HsdsAddress(Hsds):
    id: Id
    location_id: Id
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = Field(default=None, description="The Municipio: `Municipio 1`…`9`")
    state_province: str
    postal_code: str
    country: str
    address_type: Literal["physical"] = "physical"


class HsdsLocation(Hsds):
    id: Id
    location_type: str
    url: str | None = None
    organization_id: Id
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    languages: list[HsdsLanguage] = []
    addresses: list[HsdsAddress] = []
    phones: list[HsdsPhone] = []


class HsdsOrganizationIdentifier(Hsds):
    id: Id
    organization_id: Id
    identifier_scheme: str
    identifier_type: str
    identifier: str


class HsdsOrganizationBrief(Hsds):
    """An organisation's own fields (the lists', and a service's ``organization``)."""

    id: Id
    name: str
    alternate_name: str | None = None
    description: str
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    year_incorporated: int | None = None


class HsdsServiceBrief(Hsds):
    """A service's own fields, and its organisation's (the lists')."""

    id: Id
    organization_id: Id
    name: str
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: ServiceStatus
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    wait_time: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    alert: str | None = None
    last_modified: datetime
    organization: HsdsOrganizationBrief | None = None


class HsdsServiceAtLocation(Hsds):
    id: Id
    service_id: Id
    location_id: Id
    description: str | None = None
    schedules: list[HsdsSchedule] = []
    location: HsdsLocation | None = None
    service: HsdsServiceBrief | None = None


class HsdsService(HsdsServiceBrief):
    """A fully nested service (``/services/{id}``)."""

    phones: list[HsdsPhone] = []
    schedules: list[HsdsSchedule] = []
    service_at_locations: list[HsdsServiceAtLocation] = []
    languages: list[HsdsLanguage] = []
    contacts: list[HsdsContact] = []


class HsdsServiceMinimal(Hsds):
    """A service as ``minimal=true`` lists it: what says it changed."""

    id: Id
    name: str
    status: ServiceStatus
    last_modified: datetime


class HsdsOrganization(HsdsOrganizationBrief):
    """A fully nested organisation (``/organizations/{id}``)."""

    contacts: list[HsdsContact] = []
    phones: list[HsdsPhone] = []
    locations: list[HsdsLocation] = []
    organization_identifiers: list[HsdsOrganizationIdentifier] = []
    services: list[HsdsService | HsdsServiceBrief] = []


class HsdsTaxonomy(Hsds):
    id: Id
    name: str
    description: str


class HsdsTaxonomyTerm(Hsds):
    id: Id
    name: str
    description: str


class HsdsPage(BaseModel):
    """HSDS's paginated envelope: ``page_number`` counts from 1, ``size`` is the number of
    entities on this page, ``empty`` says that nothing matched."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class ServicePage(HsdsPage):
    contents: list[HsdsService | HsdsServiceBrief | HsdsServiceMinimal]


class OrganizationPage(HsdsPage):
    contents: list[HsdsOrganization | HsdsOrganizationBrief]


class ServiceAtLocationPage(HsdsPage):
    contents: list[HsdsServiceAtLocation]


class TaxonomyPage(HsdsPage):
    contents: list[HsdsTaxonomy]


class TaxonomyTermPage(HsdsPage):
    contents: list[HsdsTaxonomyTerm]


class ApiMeta(BaseModel):
    """The HSDS API's ``/``: which HSDS version, profile and OpenAPI document it follows."""

    version: str = Field(examples=[HSDS_VERSION])
    profile: str = Field(description="The HSDS profile this API follows")
    openapi_url: str = Field(description="The OpenAPI document that defines this API")
