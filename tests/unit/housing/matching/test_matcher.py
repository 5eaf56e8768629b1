"""The matcher on random instances (Hypothesis): every assignment it makes is allowed, its
total is the best an exhaustive search finds, and each household it leaves out has a true
reason."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from services.housing.facilities.schemas import Letting, SexPolicy
from services.housing.matching.domain import (
    Constraint,
    Person,
    Request,
    Sex,
    Term,
    Unmatched,
    Vacancy,
    Weights,
    constraints,
    feasible,
    room_left,
    score_terms,
    total,
    violations,
    why_not,
)
from services.housing.matching.solver import assign

GROUPS = ("unaccompanied_minor", "young_adult", "vulnerable_family")
WEIGHTS = Weights()

people = st.lists(
    st.builds(Person, sex=st.sampled_from(list(Sex)), age=st.integers(0, 70)),
    min_size=1,
    max_size=4,
)


@st.composite
def requests(draw: st.DrawFn, count: int) -> list[Request]:
    return [
        Request(
            id=f"r{i}",
            people=tuple(draw(people)),
            target_group=draw(st.sampled_from(GROUPS)),
            needs_accessible=draw(st.booleans()),
            preferred_municipi=frozenset(draw(st.sets(st.integers(1, 9), max_size=2))),
            urgency=draw(st.integers(0, 3)),
            vulnerability=draw(st.integers(0, 3)),
            waiting_days=draw(st.integers(0, 400)),
        )
        for i in range(count)
    ]


@st.composite
def vacancies(draw: st.DrawFn, count: int) -> list[Vacancy]:
    found = []
    for i in range(count):
        low = draw(st.integers(0, 40))
        found.append(
            Vacancy(
                id=f"v{i}",
                facility_id=f"f{i % 2}",
                municipio=draw(st.integers(1, 9)),
                target_groups=frozenset(draw(st.sets(st.sampled_from(GROUPS), min_size=1))),
                sex_policy=draw(st.sampled_from(list(SexPolicy))),
                min_age=low,
                max_age=draw(st.one_of(st.none(), st.integers(low, 99))),
                accessible=draw(st.booleans()),
                letting=draw(st.sampled_from(list(Letting))),
                free_beds=draw(st.integers(1, 6)),
            )
        )
    return found


instances = st.integers(1, 5).flatmap(
    lambda n: st.tuples(requests(n), st.integers(1, 3).flatmap(vacancies))
)


def exhaustive_best(reqs: list[Request], vacs: list[Vacancy]) -> float:
    """The best total over every way of housing each request in one vacancy or none."""
    best = 0.0
    for choice in itertools.product([None, *range(len(vacs))], repeat=len(reqs)):
        placed = {r.id: vacs[v].id for r, v in zip(reqs, choice, strict=True) if v is not None}
        if not violations(reqs, vacs, placed):
            best = max(best, total(reqs, vacs, placed, WEIGHTS))
    return best


@settings(max_examples=150, deadline=None)
@given(instances)
def test_a_run_breaks_no_rule_and_finds_the_best_total(
    instance: tuple[list[Request], list[Vacancy]],
) -> None:
    reqs, vacs = instance
    solved = assign(reqs, vacs, WEIGHTS)
    placed = solved.assignment.placed
    assert violations(reqs, vacs, placed) == []  # hard constraints, beds, whole units
    assert solved.optimal
    assert abs(solved.assignment.total - total(reqs, vacs, placed, WEIGHTS)) < 1e-6
    assert abs(solved.assignment.total - exhaustive_best(reqs, vacs)) < 1e-6


@settings(max_examples=150, deadline=None)
@given(instances)
def test_every_unhoused_request_s_reason_is_true(
    instance: tuple[list[Request], list[Vacancy]],
) -> None:
    reqs, vacs = instance
    placed = assign(reqs, vacs, WEIGHTS).assignment.placed
    by_id = {r.id: r for r in reqs}
    for request in reqs:
        if request.id in placed:
            continue
        reason = why_not(request, vacs, reqs, placed)
        fitting = [v for v in vacs if feasible(request, v)]
        if reason.reason is Unmatched.NO_FEASIBLE_UNIT:
            assert fitting == []
            continue
        assert set(reason.taken_by) == {v.id for v in fitting}
        for vacancy in fitting:
            holders = [by_id[i] for i in reason.taken_by[vacancy.id]]
            assert {h.id for h in holders} == {i for i, v in placed.items() if v == vacancy.id}
            # no room left for it there: housing it would mean taking someone out
            assert room_left(vacancy, holders) < request.size


def _vacancy(**changes: object) -> Vacancy:
    base = Vacancy(
        id="v",
        facility_id="f",
        municipio=8,
        target_groups=frozenset({"young_adult"}),
        sex_policy=SexPolicy.MALE,
        min_age=18,
        max_age=25,
        accessible=False,
        letting=Letting.BY_BED,
        free_beds=2,
    )
    return Vacancy(**{**base.__dict__, **changes})


def test_each_hard_constraint_is_judged_on_its_own() -> None:
    young_man = Request("r", (Person(Sex.MALE, 20),), "young_adult")
    assert all(constraints(young_man, _vacancy()).values())
    cases = {
        Constraint.TARGET_GROUP: (young_man, _vacancy(target_groups=frozenset({"other"}))),
        Constraint.BEDS: (
            Request("r", (Person(Sex.MALE, 20),) * 3, "young_adult"),
            _vacancy(),
        ),
        Constraint.SEX_POLICY: (young_man, _vacancy(sex_policy=SexPolicy.FAMILY)),
        Constraint.AGE_RANGE: (Request("r", (Person(Sex.MALE, 26),), "young_adult"), _vacancy()),
        Constraint.ACCESSIBILITY: (
            Request("r", (Person(Sex.MALE, 20),), "young_adult", needs_accessible=True),
            _vacancy(),
        ),
    }
    for constraint, (request, vacancy) in cases.items():
        failed = [c for c, ok in constraints(request, vacancy).items() if not ok]
        assert failed == [constraint]


def test_a_mother_and_her_son_go_to_a_family_or_mixed_unit_only() -> None:
    family = Request("r", (Person(Sex.FEMALE, 30), Person(Sex.MALE, 4)), "young_adult")
    for policy, admitted in [
        (SexPolicy.FAMILY, True),
        (SexPolicy.MIXED, True),
        (SexPolicy.MALE, False),
        (SexPolicy.FEMALE, False),
    ]:
        vacancy = _vacancy(sex_policy=policy, min_age=0, max_age=None)
        assert constraints(family, vacancy)[Constraint.SEX_POLICY] is admitted


def test_the_score_is_its_terms() -> None:
    request = Request(
        "r",
        (Person(Sex.MALE, 20),),
        "young_adult",
        preferred_municipi=frozenset({8}),
        urgency=2,
        vulnerability=1,
        waiting_days=900,
    )
    terms = score_terms(request, _vacancy(), WEIGHTS)
    assert terms == {
        Term.BASE: 1.0,
        Term.URGENCY: 8.0,
        Term.VULNERABILITY: 3.0,
        Term.WAITING: 365 / 30,  # capped
        Term.PREFERENCE: 2.0,
    }
    assert score_terms(request, _vacancy(municipio=3), WEIGHTS)[Term.PREFERENCE] == 0.0
