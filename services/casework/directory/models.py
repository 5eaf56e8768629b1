"""The service directory's tables (private to casework), with HSDS 3.0's field names.

An organisation, service, location and service-at-location is each versioned (changed under
``If-Match``); its languages, schedules, contacts and phones belong to it and are replaced
with it. A child row names its owner in one of its owner columns; ``position`` keeps the order
the keeper gave.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable, VersionedTable

_TEXT = 4000


class DirectoryOrganization(VersionedTable, table=True):
    __tablename__ = "directory_organizations"

    name: str = Field(max_length=200, index=True)
    alternate_name: str | None = Field(default=None, max_length=200)
    description: str = Field(max_length=_TEXT)
    email: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    legal_status: str | None = Field(default=None, max_length=200)
    year_incorporated: int | None = None
    # the network (Keycloak) organisation that runs it: keeps its entries, answers referrals
    network_organisation: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_modified: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class DirectoryService(VersionedTable, table=True):
    __tablename__ = "directory_services"

    organization_id: uuid.UUID = Field(foreign_key="directory_organizations.id", index=True)
    name: str = Field(max_length=200, index=True)
    alternate_name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=_TEXT)
    url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=30)
    interpretation_services: str | None = Field(default=None, max_length=_TEXT)
    application_process: str | None = Field(default=None, max_length=_TEXT)
    fees_description: str | None = Field(default=None, max_length=_TEXT)
    wait_time: str | None = Field(default=None, max_length=_TEXT)
    eligibility_description: str | None = Field(default=None, max_length=_TEXT)
    minimum_age: int | None = None
    maximum_age: int | None = None
    alert: str | None = Field(default=None, max_length=_TEXT)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_modified: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class DirectoryLocation(VersionedTable, table=True):
    __tablename__ = "directory_locations"

    organization_id: uuid.UUID = Field(foreign_key="directory_organizations.id", index=True)
    location_type: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    alternate_name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=_TEXT)
    transportation: str | None = Field(default=None, max_length=_TEXT)
    latitude: float | None = None
    longitude: float | None = None
    url: str | None = Field(default=None, max_length=500)
    municipio: int | None = Field(default=None, index=True)  # a physical location's
    # its address (HSDS's address object, one per location here)
    address_id: uuid.UUID | None = None
    address_1: str | None = Field(default=None, max_length=200)
    address_2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    state_province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_modified: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class DirectoryServiceAtLocation(VersionedTable, table=True):
    __tablename__ = "directory_service_at_locations"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    service_id: uuid.UUID = Field(foreign_key="directory_services.id", index=True)
    location_id: uuid.UUID = Field(foreign_key="directory_locations.id", index=True)
    description: str | None = Field(default=None, max_length=_TEXT)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_modified: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class DirectoryLanguage(CaseworkTable, table=True):
    """A language spoken at a service or location (ISO 639 code)."""

    __tablename__ = "directory_languages"
    __table_args__ = (
        Index("ix_directory_languages_service", "service_id"),
        Index("ix_directory_languages_location", "location_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    service_id: uuid.UUID | None = Field(default=None, foreign_key="directory_services.id")
    location_id: uuid.UUID | None = Field(default=None, foreign_key="directory_locations.id")
    position: int
    code: str = Field(max_length=3)
    name: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=500)


class DirectorySchedule(CaseworkTable, table=True):
    """When a service, or a service at one location, is open: iCal RRULE fields (HSDS)."""

    __tablename__ = "directory_schedules"
    __table_args__ = (
        Index("ix_directory_schedules_service", "service_id"),
        Index("ix_directory_schedules_service_at_location", "service_at_location_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    service_id: uuid.UUID | None = Field(default=None, foreign_key="directory_services.id")
    service_at_location_id: uuid.UUID | None = Field(
        default=None, foreign_key="directory_service_at_locations.id"
    )
    position: int
    freq: str | None = Field(default=None, max_length=10)
    interval: int | None = None
    byday: str | None = Field(default=None, max_length=100)
    bymonthday: str | None = Field(default=None, max_length=200)
    wkst: str | None = Field(default=None, max_length=2)
    count: int | None = None
    dtstart: date | None = None
    until: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    description: str | None = Field(default=None, max_length=500)
    attending_type: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=500)


class DirectoryContact(CaseworkTable, table=True):
    """A desk of an organisation or service (public organisation data, not a beneficiary)."""

    __tablename__ = "directory_contacts"
    __table_args__ = (
        Index("ix_directory_contacts_organization", "organization_id"),
        Index("ix_directory_contacts_service", "service_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="directory_organizations.id"
    )
    service_id: uuid.UUID | None = Field(default=None, foreign_key="directory_services.id")
    position: int
    name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)


class DirectoryPhone(CaseworkTable, table=True):
    """A phone number of an organisation, service, location or contact."""

    __tablename__ = "directory_phones"
    __table_args__ = (
        Index("ix_directory_phones_organization", "organization_id"),
        Index("ix_directory_phones_service", "service_id"),
        Index("ix_directory_phones_location", "location_id"),
        Index("ix_directory_phones_contact", "contact_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="directory_organizations.id"
    )
    service_id: uuid.UUID | None = Field(default=None, foreign_key="directory_services.id")
    location_id: uuid.UUID | None = Field(default=None, foreign_key="directory_locations.id")
    contact_id: uuid.UUID | None = Field(default=None, foreign_key="directory_contacts.id")
    position: int
    number: str = Field(max_length=40)
    extension: int | None = None
    type: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)
