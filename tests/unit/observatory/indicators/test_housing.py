"""Housing days: a cohort holds the city days that begin in it; stays and waits in days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.observatory.indicators.housing import days, first_day


def test_a_cohort_holds_the_city_days_that_begin_in_it() -> None:
    # midnight in Milan on 1 March 2026 is 23:00 UTC the day before: 1 March is the first day
    assert first_day(datetime(2026, 2, 28, 23, tzinfo=UTC)) == date(2026, 3, 1)
    # a minute later, 1 March has begun already: the first day to begin is the 2nd
    assert first_day(datetime(2026, 2, 28, 23, 1, tzinfo=UTC)) == date(2026, 3, 2)
    # summer time: midnight of 1 April is 22:00 UTC
    assert first_day(datetime(2026, 3, 31, 22, tzinfo=UTC)) == date(2026, 4, 1)


def test_days_are_calendar_days() -> None:
    assert days(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert days(date(2026, 2, 20), date(2026, 3, 2)) == 10
