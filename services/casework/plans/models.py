"""The tables of plans and their versions (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable, VersionedTable


class Plan(VersionedTable, table=True):
    """A case's plan; ``version`` is its latest version's number (its ETag)."""

    __tablename__ = "plans"

    case_id: uuid.UUID = Field(foreign_key="cases.id", unique=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class PlanVersion(CaseworkTable, table=True):
    """One version of a plan, as it was made: never changed afterwards."""

    __tablename__ = "plan_versions"

    plan_id: uuid.UUID = Field(foreign_key="plans.id", primary_key=True)
    version: int = Field(primary_key=True)
    goals: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    actions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    changed_by: str = Field(max_length=100)
    changed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
