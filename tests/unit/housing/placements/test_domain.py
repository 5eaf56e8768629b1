"""The maximum stay and its alert (pure): over stay the day after the stay's last day, alerted
once, never once moved out."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.housing.placements.domain import days_over, over_stay, stay_alert_due, stay_ends_on

MOVED_IN = date(2026, 12, 1)
ENDS = date(2026, 12, 4)  # a three-day maximum stay
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def test_the_stay_of_three_days_ends_three_days_after_the_move_in() -> None:
    assert stay_ends_on(MOVED_IN, 3) == ENDS


def test_a_household_is_over_stay_from_the_day_after_the_last_day() -> None:
    assert not over_stay(ENDS, ENDS, None)
    assert over_stay(ENDS, ENDS + timedelta(days=1), None)
    assert days_over(ENDS, ENDS + timedelta(days=1)) == 1
    assert days_over(ENDS, ENDS + timedelta(days=10)) == 10


def test_the_alert_is_due_once_and_never_for_a_household_moved_out_or_without_a_maximum() -> None:
    later = ENDS + timedelta(days=2)
    assert stay_alert_due(ENDS, later, None, alerted=False)
    assert not stay_alert_due(ENDS, later, None, alerted=True)  # raised before
    assert not stay_alert_due(ENDS, later, ENDS, alerted=False)  # moved out on the last day
    assert not stay_alert_due(ENDS, later, later, alerted=False)  # moved out late: no alert
    assert not stay_alert_due(None, later, None, alerted=False)  # the facility has no maximum
    assert not stay_alert_due(ENDS, ENDS, None, alerted=False)  # the last day is still a stay


@given(ends=days, today=days)
def test_an_alert_due_counts_at_least_one_day_over(ends: date, today: date) -> None:
    due = stay_alert_due(ends, today, None, alerted=False)
    assert due == over_stay(ends, today, None)
    assert due == (days_over(ends, today) >= 1)
