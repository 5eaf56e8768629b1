"""The month a report covers: the city's calendar month, not one still to come."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.observatory.reports.period import BadMonth, Month, MonthInTheFuture, month

NOW = datetime(2026, 3, 15, 10, tzinfo=UTC)


def test_a_month_is_the_citys_from_its_first_midnight_to_the_next_months() -> None:
    march = month("2026-03", now=NOW)
    assert march == Month(2026, 3)
    assert march.start == datetime(2026, 2, 28, 23, tzinfo=UTC)  # CET
    assert march.end == datetime(2026, 3, 31, 22, tzinfo=UTC)  # CEST
    assert (march.italian, march.english) == ("marzo 2026", "March 2026")


def test_the_history_is_the_twelve_months_ending_with_it_a_year_at_most() -> None:
    february = Month(2024, 2)
    assert february.history_start == Month(2023, 3).start
    assert Month(2024, 12).history_start == Month(2024, 1).start
    longest = Month(2024, 3)  # April 2023 to March 2024 holds 29 February
    assert (longest.end - longest.history_start).days == 366


def test_this_month_is_reported_and_the_next_one_is_not() -> None:
    assert month("2026-03", now=NOW) == Month(2026, 3)
    with pytest.raises(MonthInTheFuture):
        month("2026-04", now=NOW)


@pytest.mark.parametrize("text", ["2026-3", "2026-13", "2026-00", "1999-12", "03-2026", "", "x"])
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(BadMonth):
        month(text, now=NOW)
