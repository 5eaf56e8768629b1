"""Initiative rules, without I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.events.initiatives.domain import EndsBeforeItStarts, check_period

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


def test_a_one_day_initiative_starts_and_ends_the_same_day() -> None:
    check_period(date(2026, 12, 5), date(2026, 12, 5))


def test_an_initiative_cannot_end_before_it_starts() -> None:
    with pytest.raises(EndsBeforeItStarts) as refused:
        check_period(date(2026, 12, 5), date(2026, 12, 4))
    assert refused.value.status == 422
    assert refused.value.type == "urn:lgnet:problem:initiative-ends-before-it-starts"
    assert [e["pointer"] for e in refused.value.extensions["errors"]] == ["#/ends_on"]


@given(days, st.integers(min_value=0, max_value=400))
def test_any_end_on_or_after_the_start_is_accepted(starts_on: date, length: int) -> None:
    check_period(starts_on, starts_on + timedelta(days=length))


@given(days, st.integers(min_value=1, max_value=400))
def test_any_end_before_the_start_is_refused(ends_on: date, gap: int) -> None:
    with pytest.raises(EndsBeforeItStarts):
        check_period(ends_on + timedelta(days=gap), ends_on)
