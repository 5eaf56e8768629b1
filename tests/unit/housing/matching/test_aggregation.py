"""The class program against the per-pair one (`pairwise`): units and households that the
rules cannot tell apart are counted, not enumerated, and the totals must still be the same —
with many identical units and requests, households of several sizes sharing rooms let by the
bed, rooms with too many packings for patterns, and the preference weight either way."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.housing.facilities.schemas import Letting, SexPolicy
from services.housing.matching.classes import classify
from services.housing.matching.domain import (
    Person,
    Request,
    Sex,
    Vacancy,
    Weights,
    feasible,
    room_left,
    score,
    total,
    violations,
)
from services.housing.matching.pairwise import assign_per_pair
from services.housing.matching.placement import Worth, fill
from services.housing.matching.program import PATTERN_LIMIT, maximal_patterns
from services.housing.matching.solver import Solved, assign

WEIGHTS = Weights()
GROUPS = ("young_adult", "vulnerable_family")


def _household(size: int, *, sex: Sex = Sex.FEMALE, age: int = 30) -> tuple[Person, ...]:
    return (Person(sex, age), *(Person(Sex.MALE, 8) for _ in range(size - 1)))


def _request(i: int, size: int = 1, **changes: object) -> Request:
    base = Request(f"r{i:03d}", _household(size), "vulnerable_family", waiting_days=i)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _room(i: int, beds: int, **changes: object) -> Vacancy:
    base = Vacancy(
        id=f"v{i:03d}",
        facility_id="f",
        municipio=1,
        target_groups=frozenset(GROUPS),
        sex_policy=SexPolicy.MIXED,
        min_age=0,
        max_age=None,
        accessible=True,
        letting=Letting.BY_BED,
        free_beds=beds,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _agrees(reqs: list[Request], vacs: list[Vacancy], weights: Weights = WEIGHTS) -> Solved:
    """The class program's run, checked against the rules and the per-pair optimum."""
    solved = assign(reqs, vacs, weights)
    placed = solved.assignment.placed
    assert violations(reqs, vacs, placed) == []
    assert solved.optimal
    assert abs(solved.assignment.total - total(reqs, vacs, placed, weights)) < 1e-6
    reference = assign_per_pair(reqs, vacs, weights)
    assert abs(solved.assignment.total - reference.assignment.total) < 1e-6
    assert solved.pairs == reference.pairs
    return solved


def test_identical_beds_go_to_the_requests_worth_most() -> None:
    reqs = [_request(i, urgency=i % 4, waiting_days=3 * i) for i in range(60)]
    vacs = [_room(i, beds=1) for i in range(12)]
    solved = _agrees(reqs, vacs)
    worth = sorted(reqs, key=lambda r: score(r, vacs[0], WEIGHTS), reverse=True)
    assert score(worth[11], vacs[0], WEIGHTS) > score(worth[12], vacs[0], WEIGHTS)
    assert set(solved.assignment.placed) == {r.id for r in worth[:12]}
    assert solved.variables < solved.pairs  # 60 × 12 pairs, counted in one class


def test_a_preferred_municipio_outweighs_a_slightly_higher_priority() -> None:
    # the one free bed is in Municipio 3: the request preferring it is worth 2 more there
    preferring = _request(0, waiting_days=30, preferred_municipi=frozenset({3}))
    waited_longer = _request(1, waiting_days=60)
    vacs = [_room(0, beds=1, municipio=3)]
    solved = _agrees([preferring, waited_longer], vacs)
    assert solved.assignment.placed == {"r000": "v000"}


def test_households_of_several_sizes_are_packed_into_rooms_let_by_the_bed() -> None:
    # two rooms of 5 beds hold 3 + 2 each, but not 3 + 3: pairing the threes leaves a two out
    reqs = [_request(i, size) for i, size in enumerate([3, 3, 2, 2])]
    vacs = [_room(0, beds=5), _room(1, beds=5)]
    solved = _agrees(reqs, vacs)
    assert len(solved.assignment.placed) == 4
    assert solved.integers > 0  # the rooms' packings are the integer columns


def test_a_whole_apartment_takes_one_household_however_many_beds_it_has() -> None:
    reqs = [_request(i, size) for i, size in enumerate([1, 2, 2, 4])]
    vacs = [_room(i, beds=6, letting=Letting.WHOLE) for i in range(3)]
    solved = _agrees(reqs, vacs)
    assert len(set(solved.assignment.placed.values())) == 3


def test_a_dormitory_with_too_many_packings_for_patterns_is_still_packed_exactly() -> None:
    sizes = (1, 2, 3, 4, 5, 6)
    assert maximal_patterns(sizes, 30) is None  # more than PATTERN_LIMIT ways to fill it
    assert PATTERN_LIMIT < 1000
    reqs = [_request(i, sizes[i % 6], urgency=i % 3) for i in range(24)]
    vacs = [_room(i, beds=30) for i in range(2)]
    _agrees(reqs, vacs)


def test_a_negative_preference_weight_is_an_exact_penalty_too() -> None:
    reqs = [
        _request(i, 1 + i % 2, preferred_municipi=frozenset({1 + i % 3}), vulnerability=i % 4)
        for i in range(16)
    ]
    vacs = [_room(i, beds=2 + i % 3, municipio=1 + i % 3) for i in range(6)]
    _agrees(reqs, vacs, Weights(preference=-3.0))


def test_the_same_input_gives_the_same_assignment() -> None:
    reqs = [_request(i, 1 + i % 3, waiting_days=i % 5) for i in range(30)]  # many ties
    vacs = [_room(i, beds=4, municipio=1 + i % 2) for i in range(6)]
    first, second = assign(reqs, vacs, WEIGHTS), assign(reqs, vacs, WEIGHTS)
    assert first.assignment.placed == second.assignment.placed


# --- random instances made of few kinds, many times over ------------------------------------

kinds_of_people = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(list(Sex)), st.integers(0, 60)),
    min_size=1,
    max_size=3,
)
kinds_of_rooms = st.lists(
    st.tuples(
        st.sampled_from(list(SexPolicy)),
        st.sampled_from(list(Letting)),
        st.integers(1, 7),
        st.integers(1, 3),
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def repeated(draw: st.DrawFn) -> tuple[list[Request], list[Vacancy]]:
    """A few household kinds, each asked for by several requests of different worth, and a
    few room kinds, each several times over in one or two Municipi."""
    reqs: list[Request] = []
    for size, sex, age in draw(kinds_of_people):
        for _ in range(draw(st.integers(1, 5))):
            reqs.append(
                Request(
                    id=f"r{len(reqs):02d}",
                    people=_household(size, sex=sex, age=age),
                    target_group=draw(st.sampled_from(GROUPS)),
                    preferred_municipi=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
                    urgency=draw(st.integers(0, 3)),
                    waiting_days=draw(st.integers(0, 90)),
                )
            )
    vacs: list[Vacancy] = []
    for policy, letting, beds, municipio in draw(kinds_of_rooms):
        for _ in range(draw(st.integers(1, 3))):
            vacs.append(
                _room(
                    len(vacs),
                    beds,
                    sex_policy=policy,
                    letting=letting,
                    municipio=draw(st.sampled_from([municipio, municipio % 3 + 1])),
                    target_groups=frozenset(draw(st.sets(st.sampled_from(GROUPS), min_size=1))),
                )
            )
    return reqs, vacs


@settings(max_examples=60, deadline=None)
@given(repeated(), st.sampled_from([2.0, 0.0, -1.0]))
def test_counting_interchangeable_units_and_requests_loses_nothing(
    instance: tuple[list[Request], list[Vacancy]], preference: float
) -> None:
    reqs, vacs = instance
    _agrees(reqs, vacs, Weights(preference=preference))


@settings(max_examples=40, deadline=None)
@given(repeated())
def test_with_no_solution_in_time_everyone_who_fits_somewhere_is_still_housed(
    instance: tuple[list[Request], list[Vacancy]],
) -> None:
    reqs, vacs = instance
    classes = classify(reqs, vacs)
    worth = Worth(
        np.array([10.0 * r.urgency + r.waiting_days for r in reqs]) + 1.0,
        WEIGHTS.preference,
        [r.preferred_municipi for r in reqs],
    )
    placed: dict[int, int] = {}  # what a run that found nothing in time starts from
    fill(classes, vacs, worth, placed)
    by_id = {reqs[r].id: vacs[v].id for r, v in placed.items()}
    assert violations(reqs, vacs, by_id) == []
    for request in reqs:
        if request.id in by_id:
            continue
        for vacancy in vacs:
            if feasible(request, vacancy):
                holders = [r for r in reqs if by_id.get(r.id) == vacancy.id]
                assert room_left(vacancy, holders) < request.size
