"""The tables of cases, the persons they concern and their teams (private to casework)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable, VersionedTable


class Case(VersionedTable, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # the list's usual narrowing: an organisation's running cases of one group, newest first
        Index("ix_cases_lead_status_opened", "lead_organisation", "status", "opened_at"),
    )

    status: str = Field(max_length=30, index=True)
    origin: str = Field(max_length=20)
    # one case per referral: a replayed hand-over cannot open a second one, inbox or not
    referral_id: uuid.UUID | None = Field(default=None, unique=True)
    lead_organisation: str = Field(max_length=100, index=True)
    reporting_organisation: str = Field(max_length=100)
    urgency: str = Field(max_length=20)
    target_group: str = Field(max_length=40, index=True)
    municipio: int = Field(index=True)
    case_manager_id: uuid.UUID | None = Field(default=None, index=True)
    plan_approved_version: int | None = None  # the first plan, as a supervisor approved it
    referral_received_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    handed_over_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    opened_by: str | None = Field(default=None, max_length=100)
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    # the latest closure: outcome for the statistics, reason (free text) for the team only
    closure_outcome: str | None = Field(default=None, max_length=40)
    closure_reason: str | None = Field(default=None, max_length=2000)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    reopened_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # retention (closure.py): when the closed case is anonymised, and when it was
    anonymise_due_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), index=True)
    )
    anonymised_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # periodic reviews (reviews.py): None due for a case no longer running
    reviews_done: int = 0
    last_review_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    next_review_due_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), index=True)
    )
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CasePerson(CaseworkTable, table=True):
    """A person a case concerns, as intake's pseudonymous ``person_ref``: casework holds no
    names (a front-end shows them from intake, which checks access again)."""

    __tablename__ = "case_persons"

    case_id: uuid.UUID = Field(foreign_key="cases.id", primary_key=True)
    person_ref: uuid.UUID = Field(primary_key=True, index=True)


class TeamMember(VersionedTable, table=True):
    """A network user on a case's team, acting for one organisation in one role."""

    __tablename__ = "team_members"
    __table_args__ = (Index("ix_team_members_user_active", "user", "left_on"),)

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    user: str = Field(max_length=100)  # the Keycloak subject
    organisation: str = Field(max_length=100)
    role: str = Field(max_length=30)
    joined_on: date
    left_on: date | None = None
    added_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CaseStatusChange(CaseworkTable, table=True):
    """One step of a case's history: every status it took, who moved it, when and why."""

    __tablename__ = "case_status_changes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    from_status: str | None = Field(default=None, max_length=30)  # None: the opening
    status: str = Field(max_length=30)
    changed_by: str | None = Field(default=None, max_length=100)  # None: the hand-over
    changed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    reason: str | None = Field(default=None, max_length=2000)
    approval_id: uuid.UUID | None = None  # the approval a closure followed


class CaseReview(CaseworkTable, table=True):
    """A periodic review of a case's plan, as the team recorded it."""

    __tablename__ = "case_reviews"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    cycle: int  # 1 for the case's first review
    reviewed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    outcome: str = Field(max_length=30)
    summary: str = Field(max_length=4000)
    reviewed_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReviewBreachRaised(CaseworkTable, table=True):
    """A missed review already raised: the primary key makes it once per (case, cycle)."""

    __tablename__ = "review_breaches"

    case_id: uuid.UUID = Field(foreign_key="cases.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    raised_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
