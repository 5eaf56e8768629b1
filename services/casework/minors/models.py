"""The tables of the minors' track (private to casework). The minor is the case's one person:
the track's records name the case, and only the birth dates casework keeps name the person."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable, VersionedTable


class Guardian(VersionedTable, table=True):
    """A guardian's appointment for the case's minor. The contact is the guardian's own
    personal data: held here only, shown to the case's team only, never in events or logs."""

    __tablename__ = "minor_guardians"

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=20)
    court: str = Field(max_length=200)
    appointed_on: date
    decree_reference: str | None = Field(default=None, max_length=100)
    ended_on: date | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class AgeAssessment(VersionedTable, table=True):
    """The age assessment of the case's minor (one per case)."""

    __tablename__ = "minor_age_assessments"

    case_id: uuid.UUID = Field(foreign_key="cases.id", unique=True)
    status: str = Field(max_length=20)
    method: str | None = Field(default=None, max_length=30)
    requested_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)
    outcome_on: date | None = None
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Placement(VersionedTable, table=True):
    """Where the minor is received, from when to when (the facility by an identifier)."""

    __tablename__ = "minor_placements"

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=30)
    facility_ref: str = Field(max_length=100)
    starts_on: date
    ends_on: date | None = None
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class TransitionPlan(VersionedTable, table=True):
    """The plan toward 18: opened once per case by the transition job (the unique case id is
    the claim), its target the 18th birthday as intake has it now."""

    __tablename__ = "minor_transition_plans"

    case_id: uuid.UUID = Field(foreign_key="cases.id", unique=True)
    target_on: date | None = None  # the 18th birthday; None once the person is erased
    target_estimated: bool = False
    opened_on: date
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    status: str = Field(max_length=20)
    goals: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    extension_requested: bool = False
    closed_on: date | None = None
    updated_by: str | None = Field(default=None, max_length=100)  # None: the job
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SupportExtension(VersionedTable, table=True):
    """The juvenile court's extension of support past 18 (prosieguo amministrativo)."""

    __tablename__ = "minor_support_extensions"

    case_id: uuid.UUID = Field(foreign_key="cases.id", unique=True)
    court: str = Field(max_length=200)
    decree_on: date
    decree_reference: str | None = Field(default=None, max_length=100)
    support_ends_on: date
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class TrackRecordVersion(CaseworkTable, table=True):
    """Every version of every record of a case's track, as it was made: its history."""

    __tablename__ = "minor_record_versions"

    record_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=30)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    changed_by: str | None = Field(default=None, max_length=100)  # None: a job
    changed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class TurnedAdultRaised(CaseworkTable, table=True):
    """``minor.turning_18`` raised for the case: the primary key makes it once per case."""

    __tablename__ = "minor_turned_adult"

    case_id: uuid.UUID = Field(foreign_key="cases.id", primary_key=True)
    raised_on: date
    raised_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class BirthDateCopy(CaseworkTable, table=True):
    """A minor's birth date as intake had it at `source_version`, read over REST.

    Fetched again while `source_version` is behind `wanted_version` (the latest version an
    intake event said changed it) or missing; failures back off (`next_attempt_at`)."""

    __tablename__ = "minor_birth_dates"

    person_ref: uuid.UUID = Field(primary_key=True)
    birth_date: date | None = None
    estimated: bool = False
    coming_of_age_on: date | None = Field(default=None, index=True)  # the 18th birthday
    source_version: int | None = None
    wanted_version: int = 0
    fetched_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    failure: str | None = Field(default=None, max_length=40)  # a code, never a message
