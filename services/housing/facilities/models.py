"""The facility tables (private to housing)."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Uuid
from sqlmodel import Field, Relationship

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.housing.tables import HousingTable

# No `from __future__ import annotations` here: SQLModel reads the relationship annotations.


class Facility(HousingTable, Versioned, table=True):
    """A shelter, a solidarity co-housing or an autonomy apartment: who it admits. Its beds
    are its units' (`Unit`); how many are free is counted, never stored."""

    __tablename__ = "facilities"

    name: str = Field(max_length=200)
    kind: str = Field(max_length=40, index=True)
    operator_organisation: str = Field(max_length=100, index=True)
    municipio: int = Field(index=True)
    address: str = Field(max_length=300)  # a facility's, not a person's
    sex_policy: str = Field(max_length=10)
    min_age: int
    max_age: int | None = None  # None: no upper bound
    accessible: bool
    max_stay_days: int | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    # a set of a closed vocabulary, in rows so that "facilities for minors" is an indexed query
    target_group_rows: list["FacilityTargetGroup"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "cascade": "all, delete-orphan"}
    )


class FacilityTargetGroup(HousingTable, table=True):
    __tablename__ = "facility_target_groups"

    facility_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True)
    )
    target_group: str = Field(max_length=40, primary_key=True, index=True)


class Unit(HousingTable, Versioned, table=True):
    """A room or an apartment of a facility: its beds, let whole to one household or by the
    bed."""

    __tablename__ = "units"

    facility_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("facilities.id"), nullable=False, index=True)
    )
    label: str = Field(max_length=100)
    beds: int
    letting: str = Field(max_length=10)
    accessible: bool
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
