"""The placement table (private to housing)."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, Uuid, text
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.housing.tables import HousingTable


class Placement(HousingTable, Versioned, table=True):
    """A household in a unit: from the move-in, while it stays, to the move-out and its
    outcome. It takes the household's beds while it lasts."""

    __tablename__ = "placements"
    __table_args__ = (
        # the stay check's query: current placements not alerted yet, by the end of their stay
        Index(
            "ix_placements_stay_unalerted",
            "stay_ends_on",
            postgresql_where=text("moved_out_on IS NULL AND stay_alerted_at IS NULL"),
            sqlite_where=text("moved_out_on IS NULL AND stay_alerted_at IS NULL"),
        ),
    )

    request_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, unique=True))
    case_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    unit_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    facility_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    proposal_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid()))
    beds: int  # the household's size
    household_size: int
    moved_in_on: date = Field(index=True)
    stay_ends_on: date | None = None  # the facility's maximum stay from the move-in
    moved_out_on: date | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, max_length=30)
    # when the stay check raised placement.over_stay (once; null until then)
    stay_alerted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    organisation: str = Field(max_length=100)  # the facility's operator
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
