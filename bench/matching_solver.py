"""The housing matcher's solver on a whole city's run: ``--matching-requests`` open requests
(default 10,000) × ``--matching-units`` vacant units (default 2,000), synthetic
(`bench._housing.synthetic_instance`, ids only, seed ``--matching-seed``).

Timed: the bare `solver.assign` — feasibility by classes, the program's build, HiGHS, and
the counts mapped back to units — ``--matching-rounds`` times (default 3) on the same
instance; median and max of wall and CPU time. Printed with it: the feasible (request, unit)
pairs the per-pair program would have as variables, the classes and the class program's
columns (integer ones apart), whether HiGHS proved the assignment optimal or the relative gap
it reached, the total priority and the households housed. Every round's assignment is
checked against `domain.violations` and must be the first round's.

Then, at ``--matching-reference-requests`` × ``--matching-reference-units`` (default
1,000 × 200), the per-pair reference program (`pairwise`) against the class program: its
time and total, and the difference between the two totals (0: the class program is exact).
No process is started and nothing is written; no timed assertion.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from statistics import median
from time import perf_counter, process_time

from bench._housing import synthetic_instance
from bench._support import Steal, machine, print_block, standalone
from deploy.local.process import say
from services.housing.matching.classes import classify
from services.housing.matching.domain import Request, Vacancy, Weights, violations
from services.housing.matching.pairwise import assign_per_pair
from services.housing.matching.solver import Solved, assign

TARGET_SECONDS = 2.5
TARGET_GAP = 1e-3
WEIGHTS = Weights()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("matching_solver")
    group.add_argument(
        "--matching-requests", type=int, default=10_000, help="open requests (default: 10,000)"
    )
    group.add_argument(
        "--matching-units", type=int, default=2_000, help="vacant units (default: 2,000)"
    )
    group.add_argument("--matching-rounds", type=int, default=3, help="timed solves (default: 3)")
    group.add_argument(
        "--matching-seed", type=int, default=1, help="synthetic instance seed (default: 1)"
    )
    group.add_argument(
        "--matching-gap",
        type=float,
        default=0.0,
        help="the solver's mip_rel_gap (default: 0, a proof of optimality)",
    )
    group.add_argument(
        "--matching-reference-requests",
        type=int,
        default=1_000,
        help="requests of the per-pair comparison, 0 to skip it (default: 1,000)",
    )
    group.add_argument(
        "--matching-reference-units",
        type=int,
        default=200,
        help="units of the per-pair comparison (default: 200)",
    )


@dataclass
class Rounds:
    solved: list[Solved]
    wall: list[float]
    cpu: list[float]
    same: bool  # every round's assignment is the first's


def timed(requests: list[Request], vacancies: list[Vacancy], rounds: int, gap: float) -> Rounds:
    found = Rounds([], [], [], same=True)
    for round_ in range(rounds):
        wall, cpu = perf_counter(), process_time()
        solved = assign(requests, vacancies, WEIGHTS, mip_rel_gap=gap)
        found.wall.append(perf_counter() - wall)
        found.cpu.append(process_time() - cpu)
        problems = violations(requests, vacancies, solved.assignment.placed)
        if problems:
            raise AssertionError(f"round {round_}: {problems[:3]}")
        found.same &= solved.assignment.placed == (found.solved or [solved])[0].assignment.placed
        found.solved.append(solved)
        say(f"  round {round_ + 1}: {found.wall[-1]:.3f} s")
    return found


def _proof(solved: Solved) -> str:
    if solved.optimal:
        return "proven optimal (gap 0)"
    return f"not proven: gap {solved.gap:.2e} (bound {solved.bound:,.3f})"


def report_run(
    requests: list[Request], vacancies: list[Vacancy], rounds: Rounds, load: str
) -> None:
    classes = classify(requests, vacancies)
    first = rounds.solved[0]
    placed = first.assignment.placed
    by_id = {r.id: r for r in requests}
    people = sum(by_id[r].size for r in placed)
    wall = f"median {median(rounds.wall):.3f} s, max {max(rounds.wall):.3f} s"
    rows = [
        ("instance", f"{len(requests):,} requests × {len(vacancies):,} units"),
        ("feasible pairs", f"{first.pairs:,} (the per-pair program's variables)"),
        (
            "classes",
            f"{len(classes.size)} of requests, {len(classes.units)} of units, "
            f"{int(classes.fits.sum()):,} pairs of classes that fit",
        ),
        ("columns", f"{first.variables:,}, of them {first.integers:,} integer"),
        (
            "bare solve",
            f"{wall} over {len(rounds.wall)} rounds (target < {TARGET_SECONDS} s)",
        ),
        ("cpu", f"median {median(rounds.cpu):.3f} s"),
        ("proof", f"{_proof(first)} (target: optimal or ≤ {TARGET_GAP:.1%})"),
        ("total priority", f"{first.assignment.total:,.3f}"),
        ("housed", f"{len(placed):,} households, {people:,} people"),
        ("same every round", "yes" if rounds.same else "NO"),
        ("machine", load),
    ]
    print_block("matching solver", rows)


def report_reference(requests: int, units: int, seed: int, gap: float) -> bool:
    reqs, vacs = synthetic_instance(requests, units, seed)
    say(f"▶ per-pair reference at {requests:,} × {units:,}")
    started = perf_counter()
    reference = assign_per_pair(reqs, vacs, WEIGHTS)
    reference_seconds = perf_counter() - started
    started = perf_counter()
    solved = assign(reqs, vacs, WEIGHTS, mip_rel_gap=gap)
    seconds = perf_counter() - started
    difference = solved.assignment.total - reference.assignment.total
    rows = [
        ("instance", f"{requests:,} requests × {units:,} units, seed {seed}"),
        (
            "per-pair",
            f"{reference_seconds:.2f} s, {reference.pairs:,} binary variables, total "
            f"{reference.assignment.total:,.6f}, {_proof(reference)}",
        ),
        (
            "classes",
            f"{seconds:.3f} s, {solved.variables:,} columns ({solved.integers:,} integer), "
            f"total {solved.assignment.total:,.6f}, {_proof(solved)}",
        ),
        (
            "difference",
            f"{difference:+.2e} ({'the same' if abs(difference) < 1e-6 else 'DIFFERENT'})",
        ),
    ]
    print_block("matching solver: per-pair reference", rows)
    return abs(difference) < 1e-6 or not (reference.optimal and solved.optimal)


def run(args: argparse.Namespace) -> int:
    say(f"▶ synthetic run of {args.matching_requests:,} × {args.matching_units:,}")
    requests, vacancies = synthetic_instance(
        args.matching_requests, args.matching_units, args.matching_seed
    )
    steal = Steal()
    steal.start()
    rounds = timed(requests, vacancies, args.matching_rounds, args.matching_gap)
    load = f"{machine()}; {steal.stop()}"
    report_run(requests, vacancies, rounds, load)
    agreed = True
    if args.matching_reference_requests:
        agreed = report_reference(
            args.matching_reference_requests,
            args.matching_reference_units,
            args.matching_seed,
            args.matching_gap,
        )
    return 0 if agreed and rounds.same else 1


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
