"""The matching model, as rules: which vacancy may take which household (hard constraints),
how much housing it there is worth (the priority score and its terms), and why a household a
run left unhoused was left so. Pure: no I/O; `solver` finds the best assignment.

A *request* is a household waiting: its people's sexes and ages, its target group, whether it
needs step-free access, the Municipi it prefers, its urgency and vulnerability, how long it has
waited. A *vacancy* is a unit with free beds, with what its facility admits. A household is
housed whole in one unit, never split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from services.housing.facilities.schemas import MAX_AGE, Letting, SexPolicy
from services.housing.requests.schemas import MemberSex

Sex = MemberSex  # a household member's sex, as requests record it


@dataclass(frozen=True)
class Person:
    """One member of a household, as matching needs them: no name, no birth date."""

    sex: Sex
    age: int


@dataclass(frozen=True)
class Request:
    id: str
    people: tuple[Person, ...]
    target_group: str
    needs_accessible: bool = False
    preferred_municipi: frozenset[int] = frozenset()
    urgency: int = 0  # 0 (none) to 3 (immediate)
    vulnerability: int = 0  # 0 to 3
    waiting_days: int = 0

    @property
    def size(self) -> int:
        return len(self.people)

    @property
    def is_family(self) -> bool:
        """A household of more than one person: a family facility's kind of guest."""
        return self.size > 1


@dataclass(frozen=True)
class Vacancy:
    """A unit with free beds and what its facility admits."""

    id: str
    facility_id: str
    municipio: int
    target_groups: frozenset[str]
    sex_policy: SexPolicy
    min_age: int
    max_age: int | None
    accessible: bool
    letting: Letting
    free_beds: int


class Constraint(StrEnum):
    """The hard constraints, in the order they are checked and shown."""

    TARGET_GROUP = "target_group"
    BEDS = "beds"  # enough free beds in the one unit: a household is never split
    SEX_POLICY = "sex_policy"
    AGE_RANGE = "age_range"
    ACCESSIBILITY = "accessibility"


def constraints(request: Request, vacancy: Vacancy) -> dict[Constraint, bool]:
    """Whether `vacancy` meets each hard constraint for `request`."""
    sexes = {person.sex for person in request.people}
    upper = MAX_AGE if vacancy.max_age is None else vacancy.max_age
    return {
        Constraint.TARGET_GROUP: request.target_group in vacancy.target_groups,
        Constraint.BEDS: request.size <= vacancy.free_beds,
        Constraint.SEX_POLICY: _admits(vacancy.sex_policy, sexes, family=request.is_family),
        Constraint.AGE_RANGE: all(vacancy.min_age <= p.age <= upper for p in request.people),
        Constraint.ACCESSIBILITY: vacancy.accessible or not request.needs_accessible,
    }


def _admits(policy: SexPolicy, sexes: set[Sex], *, family: bool) -> bool:
    if policy is SexPolicy.FAMILY:
        return family
    if policy is SexPolicy.MIXED:
        return True
    return sexes == {Sex(policy.value)}


def feasible(request: Request, vacancy: Vacancy) -> bool:
    return all(constraints(request, vacancy).values())


@dataclass(frozen=True)
class Weights:
    """The priority score's weights (versioned policy): each term below times its weight."""

    base: float = 1.0  # housing anyone is worth something: no assignment is left out for 0
    urgency: float = 4.0  # per level, 0–3
    vulnerability: float = 3.0  # per level, 0–3
    waiting: float = 1.0  # per 30 days waited, up to `waiting_cap_days`
    waiting_cap_days: int = 365
    preference: float = 2.0  # the unit is in a Municipio the household prefers


class Term(StrEnum):
    BASE = "base"
    URGENCY = "urgency"
    VULNERABILITY = "vulnerability"
    WAITING = "waiting"
    PREFERENCE = "preference"


def request_terms(request: Request, weights: Weights) -> dict[Term, float]:
    """The terms that depend on the request alone, wherever it is housed (its priority on the
    waiting list)."""
    waited = min(request.waiting_days, weights.waiting_cap_days) / 30
    return {
        Term.BASE: weights.base,
        Term.URGENCY: weights.urgency * request.urgency,
        Term.VULNERABILITY: weights.vulnerability * request.vulnerability,
        Term.WAITING: weights.waiting * waited,
    }


def score_terms(request: Request, vacancy: Vacancy, weights: Weights) -> dict[Term, float]:
    """Each term of the priority of housing `request` in `vacancy`."""
    preferred = vacancy.municipio in request.preferred_municipi
    return {
        **request_terms(request, weights),
        Term.PREFERENCE: weights.preference if preferred else 0.0,
    }


def score(request: Request, vacancy: Vacancy, weights: Weights) -> float:
    return sum(score_terms(request, vacancy, weights).values())


# --- an assignment and its checks ----------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """Which vacancy each housed request went to, and the total priority."""

    placed: Mapping[str, str]  # request id -> vacancy id
    total: float


def violations(
    requests: Sequence[Request], vacancies: Sequence[Vacancy], placed: Mapping[str, str]
) -> list[str]:
    """What is wrong with `placed` (nothing: it is an assignment the rules allow): a pair
    breaking a hard constraint, a unit over its free beds, a unit let whole to two
    households."""
    by_request = {r.id: r for r in requests}
    by_vacancy = {v.id: v for v in vacancies}
    problems = []
    load: dict[str, list[Request]] = {}
    for request_id, vacancy_id in placed.items():
        request, vacancy = by_request[request_id], by_vacancy[vacancy_id]
        broken = [str(c) for c, ok in constraints(request, vacancy).items() if not ok]
        if broken:
            problems.append(f"{request_id} in {vacancy_id} breaks {', '.join(broken)}")
        load.setdefault(vacancy_id, []).append(request)
    for vacancy_id, households in load.items():
        vacancy = by_vacancy[vacancy_id]
        if sum(h.size for h in households) > vacancy.free_beds:
            problems.append(f"{vacancy_id} holds more people than its free beds")
        if vacancy.letting is Letting.WHOLE and len(households) > 1:
            problems.append(f"{vacancy_id} is let whole to {len(households)} households")
    return problems


def total(
    requests: Sequence[Request],
    vacancies: Sequence[Vacancy],
    placed: Mapping[str, str],
    weights: Weights,
) -> float:
    by_request = {r.id: r for r in requests}
    by_vacancy = {v.id: v for v in vacancies}
    return sum(score(by_request[r], by_vacancy[v], weights) for r, v in placed.items())


# --- why not -------------------------------------------------------------------------------


class Unmatched(StrEnum):
    NO_FEASIBLE_UNIT = "no_feasible_unit"
    UNITS_TAKEN = "units_taken"  # every feasible unit went to a higher total


@dataclass(frozen=True)
class WhyNot:
    """Why a run left `request_id` unhoused: no unit meets its hard constraints, or each unit
    that does is full with the requests named (housing this one instead would lower the
    total)."""

    request_id: str
    reason: Unmatched
    taken_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # vacancy -> requests


def why_not(
    request: Request,
    vacancies: Iterable[Vacancy],
    requests: Sequence[Request],
    placed: Mapping[str, str],
) -> WhyNot:
    """The reason `request`, left out of `placed`, was left out."""
    fitting = [v for v in vacancies if feasible(request, v)]
    if not fitting:
        return WhyNot(request.id, Unmatched.NO_FEASIBLE_UNIT)
    holders: dict[str, list[str]] = {v.id: [] for v in fitting}
    for request_id, vacancy_id in placed.items():
        if vacancy_id in holders:
            holders[vacancy_id].append(request_id)
    return WhyNot(
        request.id,
        Unmatched.UNITS_TAKEN,
        {vacancy_id: tuple(sorted(ids)) for vacancy_id, ids in holders.items()},
    )


def room_left(vacancy: Vacancy, households: Iterable[Request]) -> int:
    """The beds a vacancy still has for one more household once `households` are in it: none
    if it is let whole and taken."""
    housed = list(households)
    if vacancy.letting is Letting.WHOLE and housed:
        return 0
    return vacancy.free_beds - sum(h.size for h in housed)
