"""The indicators and the cohort they count over. Pure: no I/O.

Every published figure is protected from small cells with its whole family
(`indicators.breakdowns`, `suppression.protection`); the catalogue (`indicators.catalogue`)
says what each indicator counts, from which events, by which breakdowns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kit.errors import BadRequest

MUNICIPI = tuple(range(1, 10))
"""Milan's nine Municipi: the cells of every breakdown by Municipio."""


class Indicator(StrEnum):
    REFERRALS_RECEIVED = "referrals_received"
    REFERRALS_HANDED_OVER = "referrals_handed_over"
    REFERRALS_TAKEN_IN_CHARGE = "referrals_taken_in_charge"
    FIRST_CONTACT_HOURS_MEDIAN = "first_contact_hours_median"
    FIRST_CONTACT_HOURS_P90 = "first_contact_hours_p90"
    HAND_OVER_HOURS_MEDIAN = "hand_over_hours_median"
    HAND_OVER_HOURS_P90 = "hand_over_hours_p90"
    INITIATIVE_SESSIONS = "initiative_sessions"
    INITIATIVE_ATTENDANCES = "initiative_attendances"
    INITIATIVE_PARTICIPANTS = "initiative_participants"
    INITIATIVE_REPEAT_PARTICIPANTS = "initiative_repeat_participants"
    INITIATIVE_FEEDBACK = "initiative_feedback"
    INITIATIVE_FEEDBACK_HELPFUL = "initiative_feedback_helpful"
    HOUSING_PLACEMENTS = "housing_placements"
    HOUSING_WAIT_DAYS_MEDIAN = "housing_wait_days_median"
    HOUSING_EXITS = "housing_exits"
    HOUSING_EXITS_TO_AUTONOMY = "housing_exits_to_autonomy"
    HOUSING_STAY_DAYS_MEDIAN = "housing_stay_days_median"
    CASES_OPENED = "cases_opened"
    CASES_PLAN_APPROVED_30_DAYS = "cases_plan_approved_30_days"
    CASES_PLAN_APPROVED_30_DAYS_SHARE = "cases_plan_approved_30_days_share"
    REVIEWS_RECORDED = "reviews_recorded"
    REVIEWS_ON_TIME = "reviews_on_time"
    REVIEWS_ON_TIME_SHARE = "reviews_on_time_share"
    MINORS_TURNING_18 = "minors_turning_18"
    MINORS_TURNING_18_WITH_PLAN = "minors_turning_18_with_plan"
    MINORS_TURNING_18_WITH_PLAN_SHARE = "minors_turning_18_with_plan_share"
    CASELOAD = "caseload"


class EmptyCohort(BadRequest):
    slug = "empty-cohort"
    title = "Empty cohort"


@dataclass(frozen=True)
class Cohort:
    """The units a family of indicators counts over: those whose date falls in ``[start,
    end)`` (an open end counts from the beginning, or up to now) — the referrals received
    then, the initiatives' sessions starting then. A cohort, not a window per indicator, so
    that the figures compare: of the referrals received in March, how many were handed over,
    how many taken in charge."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        start, end = self.start, self.end
        if start is not None and end is not None and start >= end:
            raise EmptyCohort("from must come before to.")
