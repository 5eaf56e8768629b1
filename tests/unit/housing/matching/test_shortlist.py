"""A unit's shortlist from the waiting list kept in memory ranks as judging every request
one by one does (`service.ranked`), feasible only or all."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.housing.matching.domain import Request, Vacancy, Weights
from services.housing.matching.service import fit, ranked
from services.housing.matching.snapshot import Snapshot
from tests.unit.housing.matching.test_matcher import requests, vacancies

TODAY = date(2026, 12, 2)
weights = st.builds(
    Weights,
    urgency=st.sampled_from([0.0, 1.0, 4.0]),
    waiting=st.sampled_from([0.0, 1.0, 2.5]),
    preference=st.sampled_from([-2.0, 0.0, 2.0, 7.0]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 40).flatmap(requests),
    vacancies(1),
    weights,
    st.booleans(),
    st.integers(1, 50),
)
def test_the_shortlist_is_the_ranking(
    reqs: list[Request],
    vacs: list[Vacancy],
    chosen: Weights,
    feasible_only: bool,
    limit: int,
) -> None:
    [vacancy] = vacs
    listed = Snapshot(TODAY, [], reqs)
    expected = ranked(
        [fit(r, vacancy, chosen) for r in reqs], feasible_only=feasible_only, limit=limit
    )
    shown = listed.shortlist(vacancy, chosen, feasible_only=feasible_only, limit=limit)
    assert [reqs[i].id for i in shown] == [f.request.id for f in expected]


@given(vacancies(1))
def test_an_empty_list_has_no_shortlist(vacs: list[Vacancy]) -> None:
    listed = Snapshot(TODAY, [], [])
    assert listed.shortlist(vacs[0], Weights(), feasible_only=False, limit=5) == []
