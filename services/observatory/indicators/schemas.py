"""The indicators API contract, and what the observatory reads from the events it consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from kit.schemas import Id, Municipio, PublicModel, Timestamp

# the types other features name when they ask for a breakdown (dashboard, exports, reports)
from services.observatory.indicators.breakdowns import Dimension as Dimension
from services.observatory.indicators.breakdowns import chosen
from services.observatory.indicators.catalogue import Unit as Unit
from services.observatory.indicators.domain import Cohort as Cohort
from services.observatory.indicators.domain import Indicator as Indicator

# --- published -------------------------------------------------------------------------


class NamePublic(PublicModel):
    it: str = Field(description="In Italian")
    en: str = Field(description="In English")


class CatalogueEntryPublic(PublicModel):
    code: Indicator = Field(description="Ask for it at /v1/observatory/indicators/{code}")
    name: NamePublic
    definition: str = Field(description="What is counted, over which cohort")
    unit: Unit
    source_events: list[str] = Field(description="The events it is counted from (type and version)")
    breakdowns: list[Dimension] = Field(description="What it may be broken down by, two at once")
    part_of: Indicator | None = Field(
        description="The indicator this one's units are a subset of (the nesting protected)"
    )
    suppression: str = Field(description="How its published cells are protected")
    reference: str | None = Field(description="The legal reference of a fund's common indicator")
    drawn_from: Indicator | None = Field(
        description="A statistic's or a share's: the count it is drawn from, whose suppressed "
        "cells it follows"
    )
    over: Indicator | None = Field(
        description="A share's: the count it is a percentage of, whose suppressed cells it "
        "follows too"
    )


class CataloguePublic(PublicModel):
    suppression_threshold: int = Field(
        description="In force now: published cells count at least this many, or are suppressed"
    )
    indicators: list[CatalogueEntryPublic]


class BreakdownCellPublic(PublicModel):
    breakdown: dict[Dimension, str] = Field(
        description="The cell's value of each breakdown (a month as YYYY-MM, in Europe/Rome)"
    )
    value: int | float | None = Field(
        description="A count (an integer), or a statistic in the indicator's unit; null when "
        "suppressed"
    )
    suppressed: bool


class BreakdownPublic(PublicModel):
    code: Indicator
    name: NamePublic
    unit: Unit
    cohort: NamePublic = Field(description="What the period selects (referrals received…)")
    start: datetime = Field(serialization_alias="from", description="The cohort's start")
    end: datetime = Field(serialization_alias="to", description="Its end (excluded)")
    by: list[Dimension]
    suppression_threshold: int = Field(description="Cells counting fewer are suppressed")
    suppression: str = Field(description="How the cells were protected")
    total: BreakdownCellPublic = Field(description="The whole cohort; suppressed when small")
    cells: list[BreakdownCellPublic] = Field(
        description="Every combination of the breakdowns' values, nobody's counting 0"
    )


# --- asked: the query of a breakdown (its JSON answer, and its exports) -------------------


@dataclass(frozen=True)
class BreakdownQuery:
    cohort: Cohort
    by: tuple[Dimension, ...]


def _breakdown_query(
    start: Annotated[
        Timestamp,
        Query(
            alias="from",
            description=(
                "The cohort's start: count the units whose date is this time or later (the "
                "referrals received, the sessions starting: the catalogue's definition says)."
            ),
        ),
    ],
    end: Annotated[
        Timestamp,
        Query(
            alias="to",
            description=(
                "…and before this time: after from (else a 400 empty-cohort) and at most 366 "
                "days on (else a 400 cohort-too-long): JSON Schema cannot compare two "
                "parameters."
            ),
        ),
    ],
    by: Annotated[
        list[Dimension],
        Query(
            max_length=2,
            json_schema_extra={"uniqueItems": True},
            description=(
                "Up to two breakdowns, each once (repeat the parameter), of those the "
                "indicator allows (its catalogue entry's breakdowns; else a 400 "
                "bad-breakdown): JSON Schema cannot tie a parameter to the path's code."
            ),
        ),
    ] = [],  # noqa: B006 - FastAPI copies a query list's default
) -> BreakdownQuery:
    return BreakdownQuery(Cohort(start, end), chosen(by))


AskedBreakdown = Annotated[BreakdownQuery, Depends(_breakdown_query)]
"""A route's cohort and breakdowns, from its query (``from``, ``to``, ``by``)."""


# --- consumed: tolerant readers (fields not needed are ignored; the committed JSON Schema was
# checked by the consumer already). Municipio is checked: a cell outside the nine would break
# the breakdown's sums, which the suppression relies on.


class _EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReferralIn(_EventIn):
    """What every referral event carries: the facts a referral is counted by."""

    referral_id: Id
    municipio: Municipio
    target_group: str
    urgency: str
    reporting_organisation: str
    received_at: datetime


class ReferralReceivedIn(ReferralIn):
    channel: str


class ReferralHandedOverIn(ReferralIn):
    lead_organisation: str
    handed_over_at: datetime
    due_at: datetime | None = None  # the SLA deadlines, absent from older events
    reach_due_at: datetime | None = None


class ReferralFirstContactedIn(ReferralIn):
    due_at: datetime
    reached_at: datetime


class CaseOpenedIn(_EventIn):
    """Casework's ``case.opened`` v2; a case opened by a case worker has no referral (and is
    not one of the referral-to-case indicators' cases)."""

    case_id: Id
    referral_id: Id | None
    lead_organisation: str
    target_group: str
    municipio: Municipio
    urgency: str
    opened_at: datetime
    referral_received_at: datetime | None


class CaseStepIn(_EventIn):
    """What casework's events on a case's steps carry of the case."""

    case_id: Id
    lead_organisation: str


class ApprovalDecidedIn(CaseStepIn):
    """``approval.decided``: a supervisor approved (or sent back) a first plan or a closure."""

    subject: str
    status: str
    decided_at: datetime


class CasePlaceIn(CaseStepIn):
    target_group: str
    municipio: Municipio


class ReviewRecordedIn(CasePlaceIn):
    """``review.recorded``: the review closing the case's ``cycle`` (1 for the first)."""

    cycle: int = Field(ge=1)
    reviewed_at: datetime


class ReviewOverdueIn(CaseStepIn):
    """``review.overdue``: the review of ``cycle`` was not recorded by its due date."""

    cycle: int = Field(ge=1)


class CaseStatusChangedIn(CasePlaceIn):
    """``case.status_changed``: every move but closing and reopening (``transferred`` while a
    transfer waits; back to work, with the new lead if accepted, once answered)."""

    status: str
    changed_at: datetime


class CaseClosedIn(CasePlaceIn):
    closed_at: datetime


class CaseReopenedIn(CasePlaceIn):
    reopened_at: datetime


class TurningEighteenIn(CasePlaceIn):
    """``minor.turning_18``: raised on the first of the month of the 18th birthday, with the
    transition plan open by then (if any). Its ``person_ref`` is not read."""

    raised_on: date
    plan_id: Id | None


class FeedbackGivenIn(_EventIn):
    """``feedback.given``: how useful a registrant found a session (1 to 5)."""

    session_id: Id
    usefulness: int = Field(ge=1, le=5)


class InitiativeIn(_EventIn):
    """Every ``initiative.*`` event: the initiative's status after the change."""

    initiative_id: Id
    version: int
    status: str


class SessionIn(_EventIn):
    """Every ``session.*`` event: the session as it is after the change."""

    session_id: Id
    initiative_id: Id
    version: int
    status: str
    starts_at: datetime
    venue_municipio: Municipio


class AttendanceRecordedIn(_EventIn):
    """``attendance.recorded``: the session's totals after a batch of scans, and the
    beneficiaries it checked in (their person references, turned into participant keys)."""

    session_id: Id
    total_checked_in: int = Field(ge=0)
    total_walk_ins: int = Field(ge=0)
    beneficiaries_checked_in: list[Id]
    recorded_at: datetime


class FacilityIn(_EventIn):
    """``facility.registered`` v2: a facility's first version (it carries no number)."""

    facility_id: Id
    municipio: Municipio


class FacilityChangedIn(FacilityIn):
    """``facility.changed``: a later version."""

    version: int


class HousingRequestIn(_EventIn):
    """Every ``request.*`` event: the request as it is after the change."""

    request_id: Id
    version: int
    target_group: str
    requested_on: date


class PlacementIn(_EventIn):
    """``placement.started`` and ``placement.ended``: the stay as it is."""

    placement_id: Id
    request_id: Id
    facility_id: Id
    household_size: int = Field(ge=1)
    moved_in_on: date
    moved_out_on: date | None
    outcome: str | None
