"""The matching API contract: candidates with every constraint and score term, runs and their
results, the explanation of one request, the what-if preview."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel
from services.housing.facilities.schemas import FacilityKind, Letting
from services.housing.matching.domain import Constraint, Term, Unmatched
from services.housing.matching.policies import MatchingPolicy


class Judged(PublicModel):
    feasible: bool = Field(description="Every hard constraint is met")
    constraints: dict[Constraint, bool] = Field(description="Each hard constraint: met or not")
    terms: dict[Term, float] = Field(description="Each term of the priority score")
    score: float = Field(description="The terms' sum: what housing it here is worth")


class UnitCandidate(Judged):
    """A unit with a free bed, judged for one request."""

    unit_id: Id
    facility_id: Id
    facility_kind: FacilityKind
    municipio: int
    letting: Letting
    free_beds: int


class RequestCandidate(Judged):
    """A waiting request, judged for one unit: ids and the household's size, nothing more."""

    request_id: Id
    case_id: Id
    household_size: int
    waiting_days: int


class RunPublic(PublicModel):
    id: Id
    policy_version: int | None = Field(description="The policy's version; null: its default")
    weights: MatchingPolicy
    requests: int = Field(description="Waiting requests weighed")
    vacancies: int = Field(description="Units with a free bed")
    pairs: int = Field(description="Pairs meeting every hard constraint")
    housed: int
    total_priority: float
    optimal: bool = Field(description="The solver proved no assignment is worth more")
    gap: float = Field(description="Relative optimality gap proven (0: optimal)")
    solver_seconds: float
    created_at: datetime


class TakenBy(PublicModel):
    """A unit that met every constraint and went to other requests, with their scores."""

    unit_id: Id
    requests: dict[str, float] = Field(description="Request id -> the score it was housed at")


class RunResultPublic(PublicModel):
    request_id: Id
    unit_id: Id | None = Field(description="The unit proposed; null: left out")
    score: float | None
    unmatched: Unmatched | None = Field(description="Why it was left out")


class Explanation(PublicModel):
    """Why a request is or is not housed, in one answer."""

    request_id: Id
    status: str
    outcome: Literal["not_weighed_yet", "proposed", "no_feasible_unit", "units_taken"]
    run_id: Id | None = Field(description="The last run that weighed it")
    run_at: datetime | None
    unit_id: Id | None = Field(description="The unit that run proposed")
    score: float | None
    taken_by: list[TakenBy] = Field(
        description="units_taken: each unit it fitted, and the requests housed there instead "
        "(each at a score its own would not beat in total)"
    )
    closest: list[UnitCandidate] = Field(
        description="The units as they are now (full ones too), fewest constraints broken first"
    )


class PreviewIn(ClosedModel):
    document: MatchingPolicy = Field(description="The policy as it would be recorded")


class Moved(PublicModel):
    request_id: Id
    before: int = Field(description="Its place on the waiting list now (1: first)")
    after: int = Field(description="Its place under the proposed policy")


class RunFigures(PublicModel):
    housed: int
    total_priority: float
    optimal: bool
    gap: float


class PreviewPublic(PublicModel):
    """What recording the proposed policy would do now (nothing is saved)."""

    moved_up: list[Moved]
    moved_down: list[Moved]
    in_force: RunFigures = Field(description="A run now under the policy in force")
    proposed: RunFigures = Field(description="A run now under the proposed policy")
    housed: list[Id] = Field(description="Housed under the proposed policy only")
    unhoused: list[Id] = Field(description="Housed under the policy in force only")
    moved: dict[str, tuple[Id, Id]] = Field(description="Request -> (unit now, unit proposed)")
    assignment: dict[str, Id] = Field(description="Request -> unit, under the proposed policy")


class Waiting(PublicModel):
    place: int = Field(description="1: first; by priority, then the longest wait")
    request_id: Id
    case_id: Id
    target_group: str
    household_size: int
    urgency: str
    vulnerability: int
    waiting_days: int
    priority: float = Field(description="The score less the Municipio's fit")


class WaitingList(PublicModel):
    waiting: int = Field(description="Requests waiting, in all")
    median_waiting_days: float | None
    longest_waiting_days: int | None
    items: list[Waiting] = Field(description="The first `limit` of them")
