"""Matching runs and their results (private to housing)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from kit.db import UtcDateTime
from services.housing.tables import HousingTable


class MatchingRun(HousingTable, table=True):
    """One assignment of all waiting requests to all vacancies, and what the solver proved."""

    __tablename__ = "matching_runs"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    policy_version: int | None = None  # None: the default policy
    weights: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    requests: int
    vacancies: int
    pairs: int
    housed: int
    total_priority: float
    optimal: bool
    gap: float
    solver_seconds: float
    created_by: str = Field(max_length=100)
    organisation: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class RunResult(HousingTable, table=True):
    """What a run did with one request: the unit it was proposed, or why none."""

    __tablename__ = "matching_run_results"

    run_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("matching_runs.id"), primary_key=True)
    )
    request_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True, index=True))
    unit_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid()))
    score: float | None = None
    unmatched: str | None = Field(default=None, max_length=30)  # matching.domain.Unmatched
    fit_class: int | None = None  # left out though units fit it: its `RunClass`


class RunClass(HousingTable, table=True):
    """The units that fit a class of requests in a run (requests the rules cannot tell apart
    fit the same units): what a request left out because they were taken is shown against."""

    __tablename__ = "matching_run_classes"

    run_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("matching_runs.id"), primary_key=True)
    )
    fit_class: int = Field(primary_key=True)
    unit_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
