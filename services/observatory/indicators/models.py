"""The observatory's read model: one fact row per referral, per case (its first plan's
approval, its reviews and breaches, its minor's coming of age, where it stood when), per
initiative session, its attendance and its participants, per housing facility, request and
placement (private to observatory).

Rows are keyed by the aggregate's id and upserted, so replaying a topic (to rebuild the read
model, or after a redelivery) leaves them as they were. No person-level data: ids are
pseudonymous references, place is the Municipio, and a participant is a one-way key counted
once (`indicators.reach`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.observatory.tables import ObservatoryTable


class ReferralFact(ObservatoryTable, table=True):
    __tablename__ = "referral_facts"

    referral_id: uuid.UUID = Field(primary_key=True)
    municipio: int = Field(index=True)
    target_group: str = Field(max_length=40)
    urgency: str = Field(max_length=20)
    channel: str | None = Field(default=None, max_length=40)  # known from referral.received
    reporting_organisation: str = Field(max_length=100)
    lead_organisation: str | None = Field(default=None, max_length=100)
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    received_month: str | None = Field(default=None, max_length=7)  # YYYY-MM in the city
    handed_over_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # the rapid-response SLA: first contact (a hand-over with none recorded is the first
    # reach), the deadlines in force when each step was done (null: not carried by the event)
    first_contacted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    first_contact_due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    hand_over_due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))


class CaseFact(ObservatoryTable, table=True):
    """A case as it was opened: from a referral's hand-over, or by a case worker (no
    referral)."""

    __tablename__ = "case_facts"

    case_id: uuid.UUID = Field(primary_key=True)
    referral_id: uuid.UUID | None = None
    municipio: int = Field(index=True)
    target_group: str = Field(max_length=40)
    urgency: str = Field(max_length=20)
    lead_organisation: str = Field(max_length=100)
    referral_received_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), index=True)
    )
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    opened_month: str | None = Field(default=None, max_length=7)  # YYYY-MM in the city


class PlanApproval(ObservatoryTable, table=True):
    """When a case's first individual plan was approved (the earliest, if ever twice)."""

    __tablename__ = "first_plan_approvals"

    case_id: uuid.UUID = Field(primary_key=True)
    approved_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReviewFact(ObservatoryTable, table=True):
    """A case review recorded: the case's cycle it closes, when, and where the case is."""

    __tablename__ = "review_facts"

    case_id: uuid.UUID = Field(primary_key=True)
    cycle: int = Field(primary_key=True)
    reviewed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    month: str = Field(max_length=7)  # YYYY-MM of reviewed_at in the city
    municipio: int
    target_group: str = Field(max_length=40)


class ReviewBreach(ObservatoryTable, table=True):
    """A review casework found overdue (raised once per case and cycle): the review of that
    cycle, whenever recorded, was late."""

    __tablename__ = "review_breaches"

    case_id: uuid.UUID = Field(primary_key=True)
    cycle: int = Field(primary_key=True)


class ComingOfAgeFact(ObservatoryTable, table=True):
    """A minor's case reaching the month of the 18th birthday (``minor.turning_18``, raised
    on the first of that month): whether a transition plan was open by then. No person: the
    case, its place and the month."""

    __tablename__ = "coming_of_age_facts"

    case_id: uuid.UUID = Field(primary_key=True)
    raised_on: date = Field(index=True)
    municipio: int
    target_group: str = Field(max_length=40)
    with_plan: bool


class CaseStanding(ObservatoryTable, table=True):
    """Where a case stood from ``since``: open or closed, whose and where, as each of its
    lifecycle events (opened, a status changed, closed, reopened) says. Its standing at a
    moment is its latest before it (`casework_repository.caseload_counts`)."""

    __tablename__ = "case_standings"

    case_id: uuid.UUID = Field(primary_key=True)
    since: datetime = Field(sa_column=Column(UtcDateTime(), primary_key=True, index=True))
    open: bool
    lead_organisation: str = Field(max_length=100)
    municipio: int
    target_group: str = Field(max_length=40)


class InitiativeFact(ObservatoryTable, table=True):
    """An initiative's status as its latest version says: its sessions count once it is
    published (or completed), never while a draft or once cancelled."""

    __tablename__ = "initiative_facts"

    initiative_id: uuid.UUID = Field(primary_key=True)
    version: int
    status: str = Field(max_length=20)


class SessionFact(ObservatoryTable, table=True):
    """An initiative's session as its latest version says (`version` orders them)."""

    __tablename__ = "session_facts"

    session_id: uuid.UUID = Field(primary_key=True)
    initiative_id: uuid.UUID
    version: int
    municipio: int = Field(index=True)  # the venue's
    starts_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    month: str = Field(max_length=7)  # YYYY-MM of starts_at in the city
    cancelled: bool


class SessionAttendance(ObservatoryTable, table=True):
    """A session's attendance totals after the latest batch of scans."""

    __tablename__ = "session_attendance"

    session_id: uuid.UUID = Field(primary_key=True)
    checked_in: int
    walk_ins: int
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Participation(ObservatoryTable, table=True):
    """A participant (its key, never a person reference) checked in at a session."""

    __tablename__ = "participations"

    session_id: uuid.UUID = Field(primary_key=True)
    participant: str = Field(primary_key=True, max_length=32)


class FeedbackFact(ObservatoryTable, table=True):
    """A registrant's answer on a session's usefulness (1 to 5), keyed by its event: feedback
    carries no id of its own, and each registrant gives it once."""

    __tablename__ = "feedback_facts"

    event_id: str = Field(primary_key=True, max_length=64)
    session_id: uuid.UUID = Field(index=True)
    usefulness: int


class FacilityFact(ObservatoryTable, table=True):
    """A reception facility's Municipio, as its latest version says (registered is 0)."""

    __tablename__ = "facility_facts"

    facility_id: uuid.UUID = Field(primary_key=True)
    version: int
    municipio: int


class HousingRequestFact(ObservatoryTable, table=True):
    """A household's request for a place: its target group and the day it asked."""

    __tablename__ = "housing_request_facts"

    request_id: uuid.UUID = Field(primary_key=True)
    version: int
    target_group: str = Field(max_length=40)
    requested_on: date


class PlacementFact(ObservatoryTable, table=True):
    """A household's stay: moving in, and out (with where it went) once it has."""

    __tablename__ = "placement_facts"

    placement_id: uuid.UUID = Field(primary_key=True)
    request_id: uuid.UUID = Field(index=True)
    facility_id: uuid.UUID
    household_size: int
    moved_in_on: date = Field(index=True)
    moved_out_on: date | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, max_length=40)
