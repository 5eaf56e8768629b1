"""What a change of weights would do, compared with what is: the waiting list's order, and a
run's assignment. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.housing.matching.domain import Request, Weights, request_terms


def priority(request: Request, weights: Weights) -> float:
    """A request's priority wherever it is housed: the score without the preference term
    (`domain.score_terms` less the Municipio's fit)."""
    return sum(request_terms(request, weights).values())


def ranking(requests: Sequence[Request], weights: Weights) -> dict[str, int]:
    """Each request's place on the waiting list (1 first): highest priority first, then the
    longest waiting, then by id."""
    ordered = sorted(requests, key=lambda r: (-priority(r, weights), -r.waiting_days, r.id))
    return {request.id: place for place, request in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class Moved:
    request_id: str
    before: int
    after: int


def moves(before: Mapping[str, int], after: Mapping[str, int]) -> tuple[list[Moved], list[Moved]]:
    """The requests that move up the list and those that move down, most moved first."""
    moved = [Moved(r, before[r], after[r]) for r in before if r in after and before[r] != after[r]]
    up = sorted(
        (m for m in moved if m.after < m.before), key=lambda m: (m.after - m.before, m.request_id)
    )
    down = sorted(
        (m for m in moved if m.after > m.before), key=lambda m: (m.before - m.after, m.request_id)
    )
    return up, down


@dataclass(frozen=True)
class AssignmentChange:
    """How one assignment differs from another."""

    housed: list[str]  # housed now, not before
    unhoused: list[str]  # housed before, not now
    moved: dict[str, tuple[str, str]]  # request -> (unit before, unit now)


def assignment_change(before: Mapping[str, str], after: Mapping[str, str]) -> AssignmentChange:
    return AssignmentChange(
        housed=sorted(set(after) - set(before)),
        unhoused=sorted(set(before) - set(after)),
        moved={
            r: (before[r], after[r])
            for r in sorted(set(before) & set(after))
            if before[r] != after[r]
        },
    )
