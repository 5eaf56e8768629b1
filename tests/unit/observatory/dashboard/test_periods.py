"""The dashboard's period: whole months of Milan's calendar, the last twelve by default."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.observatory.dashboard.periods import period, shifted, start_of
from services.observatory.indicators.domain import EmptyCohort


def test_months_move_across_years() -> None:
    assert shifted("2025-01", -1) == "2024-12"
    assert shifted("2024-12", 1) == "2025-01"
    assert shifted("2025-12", -11) == "2025-01"


def test_a_month_begins_at_midnight_in_milan_summer_or_winter() -> None:
    assert start_of("2025-01") == datetime(2024, 12, 31, 23, tzinfo=UTC)
    assert start_of("2025-07") == datetime(2025, 6, 30, 22, tzinfo=UTC)


def test_the_default_period_is_the_last_twelve_months_this_one_included() -> None:
    cohort = period(None, None, today=date(2026, 3, 15))
    assert cohort.start == start_of("2025-04")
    assert cohort.end == start_of("2026-04")


def test_a_period_runs_from_the_first_months_start_to_the_last_months_end() -> None:
    cohort = period("2025-03", "2025-05", today=date(2026, 1, 1))
    assert (cohort.start, cohort.end) == (start_of("2025-03"), start_of("2025-06"))
    assert period(None, "2025-05", today=date(2026, 1, 1)).start == start_of("2024-06")


def test_a_first_month_after_the_last_is_an_empty_cohort() -> None:
    with pytest.raises(EmptyCohort):
        period("2025-06", "2025-05", today=date(2026, 1, 1))
