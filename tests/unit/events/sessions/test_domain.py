"""Session rules: wall-clock times in the session's zone, across both clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.events.sessions import domain
from services.events.sessions.domain import InvalidSessionTime

ROME = domain.zone_of("Europe/Rome")


def _code(error: InvalidSessionTime) -> str:
    return str(error.errors[0]["code"])


def test_a_wall_clock_time_is_read_in_the_zone_with_the_offset_of_that_day() -> None:
    # last Sunday of October 2026 (25th): after 03:00 CEST the clocks are back to CET
    autumn = domain.instant("starts_at", datetime(2026, 10, 25, 10, 0), ROME)
    assert autumn == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    # last Sunday of March 2027 (28th): from 02:00 CET the clocks go to CEST
    spring = domain.instant("starts_at", datetime(2027, 3, 28, 10, 0), ROME)
    assert spring == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert domain.local(autumn, "Europe/Rome").isoformat() == "2026-10-25T10:00:00+01:00"
    assert domain.local(spring, "Europe/Rome").isoformat() == "2027-03-28T10:00:00+02:00"


def test_a_time_the_clocks_skip_does_not_exist() -> None:
    with pytest.raises(InvalidSessionTime) as raised:
        domain.instant("starts_at", datetime(2027, 3, 28, 2, 30), ROME)
    assert _code(raised.value) == "nonexistent_local_time"


def test_a_time_the_clocks_pass_twice_needs_its_offset() -> None:
    with pytest.raises(InvalidSessionTime) as raised:
        domain.instant("starts_at", datetime(2026, 10, 25, 2, 30), ROME)
    assert _code(raised.value) == "ambiguous_local_time"
    first = datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    second = datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    assert domain.instant("starts_at", second, ROME) - domain.instant(
        "starts_at", first, ROME
    ) == timedelta(hours=1)


def test_an_offset_the_zone_does_not_have_then_is_refused() -> None:
    summer_offset_in_winter = datetime(2026, 12, 5, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    with pytest.raises(InvalidSessionTime) as raised:
        domain.instant("starts_at", summer_offset_in_winter, ROME)
    assert _code(raised.value) == "offset_not_of_zone"


def test_an_unknown_zone_is_a_field_error() -> None:
    for name in ("Europe/Atlantis", "../etc/passwd", ""):
        with pytest.raises(InvalidSessionTime) as raised:
            domain.zone_of(name)
        assert _code(raised.value) == "unknown_zone"


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)))
def test_every_time_that_exists_once_comes_back_as_given(wall: datetime) -> None:
    try:
        moment = domain.instant("starts_at", wall, ROME)
    except InvalidSessionTime:
        return  # in a gap or an overlap: refused, as the tests above show
    assert domain.local(moment, "Europe/Rome").replace(tzinfo=None) == wall


def test_a_session_ends_after_it_starts_and_within_a_day() -> None:
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    domain.check_times(start, start + timedelta(hours=24))
    for end, code in ((start, "ends_before_starts"), (start + timedelta(hours=25), "too_long")):
        with pytest.raises(InvalidSessionTime) as raised:
            domain.check_times(start, end)
        assert _code(raised.value) == code


def test_a_session_starts_in_its_initiatives_period_on_the_local_day() -> None:
    # 23:30 UTC on 30 November is 00:30 on 1 December in Rome
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    domain.check_in_period(late, "Europe/Rome", date(2026, 12, 1), date(2026, 12, 15))
    with pytest.raises(InvalidSessionTime) as raised:
        domain.check_in_period(late, "UTC", date(2026, 12, 1), date(2026, 12, 15))
    assert _code(raised.value) == "outside_initiative_period"


def test_a_cancelled_session_takes_no_change() -> None:
    domain.require_scheduled(domain.SessionStatus.SCHEDULED)
    with pytest.raises(domain.SessionCancelled):
        domain.require_scheduled(domain.SessionStatus.CANCELLED)
