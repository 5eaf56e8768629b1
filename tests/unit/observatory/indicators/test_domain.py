"""The cohort the indicators count over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.observatory.indicators.domain import Cohort, EmptyCohort


def test_a_cohort_must_not_end_before_it_starts() -> None:
    march = datetime(2026, 3, 1, tzinfo=UTC)
    april = datetime(2026, 4, 1, tzinfo=UTC)
    assert Cohort(start=march, end=april).end == april
    assert Cohort(start=march).end is None
    with pytest.raises(EmptyCohort) as raised:
        Cohort(start=april, end=march)
    assert raised.value.status == 400
