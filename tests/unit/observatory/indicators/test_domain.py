"""The cohort the indicators count over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.observatory.indicators.domain import Cohort, EmptyCohort


def test_a_cohort_must_not_end_before_it_starts() -> None:
    march = datetime(2026, 3, 1, tzinfo=UTC)
    april = datetime(2026, 4, 1, tzinfo=UTC)
    assert Cohort(received_from=march, received_to=april).received_to == april
    assert Cohort(received_from=march).received_to is None
    with pytest.raises(EmptyCohort) as raised:
        Cohort(received_from=april, received_to=march)
    assert raised.value.status == 400
