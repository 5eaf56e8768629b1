"""The best assignment of all open requests to all vacancies at once, as a mixed-integer
program solved by HiGHS (through SciPy's `milp`; no solver of our own).

Variables: ``x[r, v] ∈ {0, 1}`` for each pair that meets every hard constraint
(`domain.feasible`) — request `r` housed in vacancy `v`.

Maximise ``Σ score(r, v) · x[r, v]`` (`domain.score`, every score positive) subject to:

- each request housed at most once: ``Σ_v x[r, v] ≤ 1``;
- a unit let by the bed holds no more people than its free beds: ``Σ_r size(r) · x[r, v] ≤
  free_beds(v)``;
- a unit let whole takes one household: ``Σ_r x[r, v] ≤ 1`` (its size fits: feasibility).

A household is never split because a request is one variable per unit. The solver proves
optimality (``gap`` 0) or reports the relative gap it reached within ``time_limit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from services.housing.facilities.schemas import Letting
from services.housing.matching.domain import (
    Assignment,
    Request,
    Vacancy,
    Weights,
    feasible,
    score,
)


@dataclass(frozen=True)
class Solved:
    """An assignment and what the solver proved about it."""

    assignment: Assignment
    optimal: bool
    gap: float  # relative gap between the assignment and the best bound (0: proven optimal)
    pairs: int  # feasible pairs, the program's variables


def assign(
    requests: Sequence[Request],
    vacancies: Sequence[Vacancy],
    weights: Weights,
    *,
    time_limit: float = 60.0,
) -> Solved:
    """The assignment maximising the total priority under the hard constraints."""
    pairs = [
        (r, v)
        for r, request in enumerate(requests)
        for v, vacancy in enumerate(vacancies)
        if feasible(request, vacancy)
    ]
    if not pairs:
        return Solved(Assignment({}, 0.0), optimal=True, gap=0.0, pairs=0)
    gains = np.array([score(requests[r], vacancies[v], weights) for r, v in pairs])
    rows, cols, values = [], [], []
    for column, (r, v) in enumerate(pairs):
        rows.append(r)  # the request's row: housed once
        cols.append(column)
        values.append(1.0)
        rows.append(len(requests) + v)  # the vacancy's row: its beds, or its one household
        cols.append(column)
        whole = vacancies[v].letting is Letting.WHOLE
        values.append(1.0 if whole else float(requests[r].size))
    shape = (len(requests) + len(vacancies), len(pairs))
    matrix = coo_array((values, (rows, cols)), shape=shape).tocsr()
    upper = np.array(
        [1.0] * len(requests)
        + [1.0 if v.letting is Letting.WHOLE else float(v.free_beds) for v in vacancies]
    )
    result = milp(
        -gains,
        constraints=[LinearConstraint(matrix, -np.inf, upper)],
        integrality=np.ones(len(pairs)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if result.x is None:
        raise RuntimeError(f"the solver found no assignment: {result.message}")
    chosen = [pairs[i] for i in np.flatnonzero(result.x > 0.5)]
    placed = {requests[r].id: vacancies[v].id for r, v in chosen}
    achieved = float(sum(gains[i] for i in np.flatnonzero(result.x > 0.5)))
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    return Solved(
        Assignment(placed, achieved),
        optimal=result.status == 0 and gap <= 1e-9,
        gap=gap,
        pairs=len(pairs),
    )
