"""The best assignment of all open requests to all vacancies at once, as a mixed-integer
program over classes of requests and of units, solved by HiGHS (SciPy's `linprog`, `milp`).

The score splits as ``score(r, v) = p(r) + w · [municipio(v) ∈ preferred(r)]``: ``p(r)``, the
request's own worth (base, urgency, vulnerability, waiting), and ``w``, the preference weight.
Requests whose households have the same size and fit the same units form a class ``c``; within
it, those that would earn ``w`` in the same Municipi form a group ``g``. Units fitted by the
same request classes, with the same letting, Municipio and (let by the bed) free beds, form a
class ``k`` of ``n_k`` interchangeable units (`classes`). A synthetic run of 10,000 requests and
2,000 units has 36 request classes, 855 unit classes and 5,873 pairs of classes that fit,
against 4,957,716 feasible (request, unit) pairs.

Columns (`program`), all ≥ 0:

- ``a[r] ≤ 1``: request ``r`` housed, worth ``p(r)``;
- ``b[g, m]``: households of group ``g`` earning the bonus in Municipio ``m`` (one where ``g``
  earns it and its class can go), worth ``w`` each;
- ``y[c, k]``: households of class ``c`` in units of class ``k`` (``c`` fits ``k``);
- ``u[k, π] ≤ n_k``, integer, for a class let by the bed that takes households of more than one
  size: its units packed to pattern ``π`` — so many households of each size that they fit the
  beds and no other fits beside them.

Maximise ``Σ p(r) · a[r] + w · Σ b[g, m]`` subject to:

- a class houses as many households as it places: ``Σ_{r ∈ c} a[r] = Σ_k y[c, k]``;
- a group earns the bonus no more often than it is housed: ``Σ_m b[g, m] ≤ Σ_{r ∈ g} a[r]``;
- and no more often in ``m`` than its class is placed there: ``Σ_{g ⊂ c} b[g, m] ≤
  Σ_{k in m} y[c, k]``;
- a class let whole takes a household per unit: ``Σ_c y[c, k] ≤ n_k``; let by the bed to one
  household size ``s``: ``Σ_c y[c, k] ≤ n_k · ⌊beds_k / s⌋``;
- let by the bed to several sizes: ``Σ_{c of size s} y[c, k] ≤ Σ_π π_s · u[k, π]`` for each
  size ``s``, and ``Σ_π u[k, π] ≤ n_k``.

Why its optimum is the per-pair program's (`pairwise`, one binary per feasible pair):

- the units of a class are interchangeable, and so are the requests of a group but for
  ``p(r)``: only counts matter, and which requests are housed (the ``a`` the LP prefers);
- a housed household counted without the bonus may land where it earns it, worth ``w`` more
  than counted: no solution is worth less than the program says, and an optimal assignment is
  a solution at its full worth (its bonuses as ``b``) — so the two optima are equal;
- households of given sizes fit ``n_k`` units iff a packing of each unit holds them, and every
  packing lies within a maximal pattern (a bed may stay empty). A class with more than
  `program.PATTERN_LIMIT` patterns gets an integer column per unit and size instead;
- with ``u`` fixed the rest is a network flow (request → group → class in a Municipio → unit
  class), whose optimal vertices are integral: only ``u`` is integer;
- a request is left out of the program when at least as many of its class as the class could
  ever house come before it and are worth more than it could be (or come before it in its
  group): one of those is unhoused, and takes its place.

Solving (`assign`): the LP relaxation, by interior point and crossover, gives a bound and a
vertex. An integral vertex is optimal — the synthetic runs' case. A vertex fractional only in
its packings is repacked whole, the same households in first-fit order (`program.repacked`),
also optimal. Otherwise the packings are rounded and the rest solved again around them; if
that is within ``mip_rel_gap`` of the bound it is kept, else branch and bound runs for what is
left of ``time_limit``. The counts go back to units in `placement`, which then houses anyone
left out while a unit still has room for them (a why-not stays true short of optimal too).
With a negative ``w`` the bonus is turned round: ``p(r) + w``, and ``-w`` in the Municipi
``r`` does not prefer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from services.housing.matching.classes import Classes, classify
from services.housing.matching.domain import Assignment, Request, Vacancy, Weights, score
from services.housing.matching.placement import Worth, fill, place
from services.housing.matching.program import (
    INTEGRAL,
    FloatArray,
    Program,
    build,
    repacked,
    rounded_packings,
)

OPTIMAL_SLACK = 1e-6  # a bound this close to the total (or 1e-9 of it) proves it optimal


@dataclass(frozen=True)
class Solved:
    """An assignment and what the solver proved about it."""

    assignment: Assignment
    optimal: bool
    gap: float  # relative gap between the assignment and the best bound (0: proven optimal)
    pairs: int  # feasible (request, unit) pairs: the per-pair program's variables
    variables: int = 0  # the class program's columns
    integers: int = 0  # … of them declared integer
    bound: float = 0.0  # no assignment is worth more
    seconds: float = 0.0  # the whole of `assign`
    scores: Mapping[str, float] = field(default_factory=dict)  # housed request id -> its score
    classes: Classes | None = None  # the classes the program was built on (`classify`)


def assign(
    requests: Sequence[Request],
    vacancies: Sequence[Vacancy],
    weights: Weights,
    *,
    time_limit: float = 60.0,
    mip_rel_gap: float = 0.0,
) -> Solved:
    """The assignment maximising the total priority under the hard constraints.

    HiGHS first solves the program's LP relaxation, whose optimum bounds every assignment.
    An integral optimum is optimal. Otherwise the packings are rounded (`rounded_packings`)
    and the rest solved again with them fixed; if that assignment is within `mip_rel_gap`
    (relative) of the bound it is the answer, else branch and bound runs for what is left of
    `time_limit` seconds and the better assignment is kept. The default, 0, asks for a proof of
    optimality: a run whose bound will not close takes the whole `time_limit`."""
    started = perf_counter()
    deadline = started + time_limit
    classes = classify(requests, vacancies)
    members = np.bincount(
        classes.request_class[classes.request_class >= 0], minlength=len(classes.size)
    )
    pairs = int(members @ classes.fits.astype(np.int64) @ classes.units)
    if pairs == 0:
        return Solved(Assignment({}, 0.0), optimal=True, gap=0.0, pairs=0, classes=classes)
    worth = _worth(requests, classes, weights)
    program = build(classes, worth.priority, worth.bonus, worth.bonus_municipi)

    def housed(x: FloatArray | None) -> tuple[float, dict[int, int], dict[int, float]]:
        placed = {} if x is None else place(classes, program, x)
        fill(classes, vacancies, worth, placed)
        scored = {r: score(requests[r], vacancies[v], weights) for r, v in placed.items()}
        return float(sum(scored.values())), placed, scored

    x, bound = _relaxed(program, deadline)
    if x is not None and not _integral(x):
        x = _made_integral(program, x, deadline)
    best = housed(x)
    if not _within(best[0], bound, mip_rel_gap) and perf_counter() < deadline:
        x, mip_bound = _branched(program, deadline, mip_rel_gap)
        bound = min(bound, mip_bound)
        if x is not None:
            best = max(best, housed(x), key=lambda found: found[0])
    achieved, placed, scored = best
    slack = max(bound - achieved, 0.0)
    optimal = _within(achieved, bound, 0.0)
    return Solved(
        Assignment({requests[r].id: vacancies[v].id for r, v in sorted(placed.items())}, achieved),
        optimal=optimal,
        gap=0.0 if optimal else slack / max(abs(achieved), OPTIMAL_SLACK),
        pairs=pairs,
        variables=len(program.cost),
        integers=int(program.integral.sum()),
        bound=bound,
        seconds=perf_counter() - started,
        scores={requests[r].id: scored[r] for r in sorted(placed)},
        classes=classes,
    )


def _within(achieved: float, bound: float, relative: float) -> bool:
    slack = bound - achieved
    return slack <= max(OPTIMAL_SLACK, 1e-9 * abs(achieved), relative * abs(achieved))


def _worth(requests: Sequence[Request], classes: Classes, weights: Weights) -> Worth:
    """Each request's ``p(r)`` and its bonus (turned round if the weight is negative)."""
    waited = np.minimum([r.waiting_days for r in requests], weights.waiting_cap_days) / 30
    priority = (
        weights.base
        + weights.urgency * np.array([r.urgency for r in requests], dtype=np.float64)
        + weights.vulnerability * np.array([r.vulnerability for r in requests], dtype=np.float64)
        + weights.waiting * waited
    ).astype(np.float64)
    preferred = [r.preferred_municipi for r in requests]
    if weights.preference >= 0:
        return Worth(priority, weights.preference, preferred)
    everywhere = frozenset(int(m) for m in classes.municipio)
    return Worth(
        priority + weights.preference,
        -weights.preference,
        [everywhere - municipi for municipi in preferred],
    )


def _relaxed(program: Program, deadline: float) -> tuple[FloatArray | None, float]:
    """The LP relaxation's optimal vertex (None if not found in time) and its bound on the
    total."""
    result = _vertex(program, np.zeros(len(program.cost)), program.column_upper, deadline)
    if result.status != 0:
        return None, np.inf
    return np.asarray(result.x, dtype=np.float64), -float(result.fun)


def _branched(
    program: Program, deadline: float, mip_rel_gap: float
) -> tuple[FloatArray | None, float]:
    """Branch and bound's best solution (None if none in time), integral, and its bound."""
    free = np.zeros(len(program.cost))
    result = _highs(program, program.integral, free, program.column_upper, deadline, mip_rel_gap)
    dual = result.mip_dual_bound
    bound = np.inf if dual is None or not np.isfinite(dual) else -float(dual)
    if result.x is None:
        return None, bound
    x = np.asarray(result.x, dtype=np.float64)
    return (x if _integral(x) else _made_integral(program, x, deadline)), bound


def _made_integral(program: Program, x: FloatArray, deadline: float) -> FloatArray | None:
    """An integral solution from `x`: its packings repacked whole (same total) if that fits,
    else rounded and everything else solved again around them."""
    whole = repacked(program, x)
    if whole is not None:
        return whole
    return _with_packings(program, rounded_packings(program, x), deadline)


def _with_packings(program: Program, x: FloatArray, deadline: float) -> FloatArray | None:
    """The best solution with the packing columns fixed at `x`'s (integers): a network flow
    then, whose optimal vertex is integral; solved with every column integer if not."""
    fixed = program.integral > 0
    lower = np.where(fixed, x, 0.0)
    upper = np.where(fixed, x, program.column_upper)
    result = _vertex(program, lower, upper, deadline)
    if result.status == 0 and _integral(result.x):
        return np.asarray(result.x, dtype=np.float64)
    result = _highs(program, np.ones(len(x)), lower, upper, deadline, 0.0)
    if result.x is None or not _integral(result.x):
        return None
    return np.asarray(result.x, dtype=np.float64)


def _integral(x: FloatArray) -> bool:
    return bool(np.abs(x - np.rint(x)).max(initial=0.0) <= INTEGRAL)


def _vertex(program: Program, lower: FloatArray, upper: FloatArray, deadline: float) -> Any:
    """An optimal vertex of the LP within the column bounds: HiGHS's interior point method
    and crossover, which at 10,000 × 2,000 took 0.4–0.7 s where its dual simplex took 0.7–1.0
    (2 s against 6 on a run of large family rooms); presolve gained nothing."""
    equal = program.lower == program.upper  # the others have no lower bound
    return linprog(
        program.cost,
        A_ub=program.matrix[~equal],
        b_ub=program.upper[~equal],
        A_eq=program.matrix[equal],
        b_eq=program.upper[equal],
        bounds=np.column_stack([lower, upper]),
        method="highs-ipm",
        options={"time_limit": max(deadline - perf_counter(), 0.01), "presolve": False},
    )


def _highs(
    program: Program,
    integrality: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    deadline: float,
    mip_rel_gap: float,
) -> Any:
    return milp(
        program.cost,
        constraints=[LinearConstraint(program.matrix, program.lower, program.upper)],
        integrality=integrality,
        bounds=Bounds(lower, upper),
        # presolve (probing) took 1.5 s of 1.9 at 10,000 × 2,000
        options={
            "time_limit": max(deadline - perf_counter(), 0.01),
            "mip_rel_gap": mip_rel_gap,
            "presolve": False,
        },
    )
