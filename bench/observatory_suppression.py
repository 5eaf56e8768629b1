"""Small-cell protection of a full year's linked tables: the nested indicators referrals
received ⊇ handed over ⊇ taken in charge, by month (12) × Municipio (9) × target group (4) ×
sex (2), every table of up to two of them at once and the totals — the family the
observatory protects as one. Synthetic: ``--suppression-referrals`` referrals a year (a
comma-separated list; default 1,500, 3,000 and 12,000), skewed over Municipi and target groups
(seed ``--suppression-seed``); no process is started.

Timed: `protection.protect` (Gaussian elimination and the audit that widens), median of
``--suppression-rounds`` rounds (default 3); every round must suppress the same cells. Then,
untimed, the independent check the tests make: for every primary cell, its least and
greatest value given everything published (SciPy's `linprog` over every inner cell) differ
by at least the threshold. The baseline in the same run is the rule before — each indicator's
table suppressed on its own — audited the same way: how many of its primary cells a reader
pins down. No timed assertion.
"""

from __future__ import annotations

import argparse
import random
import sys
from statistics import median
from time import perf_counter, process_time

import numpy as np
from scipy.optimize import linprog

from bench._support import Steal, machine, print_block, standalone
from deploy.local.process import say
from services.observatory.suppression.protection import protect
from services.observatory.suppression.tables import Family, Model

TARGET_SECONDS = 1.0
THRESHOLD = 5
INDICATORS = {
    "referrals_received": frozenset({"case", "handed", "received"}),
    "referrals_handed_over": frozenset({"case", "handed"}),
    "referrals_taken_in_charge": frozenset({"case"}),
}
DIMENSIONS = ("month", "municipio", "target_group", "sex")
TARGET_GROUPS = (
    ("unaccompanied_minor", 0.3),
    ("young_adult_leaving_care", 0.1),
    ("vulnerable_family", 0.5),
    ("other_vulnerable", 0.1),
)
MUNICIPIO_WEIGHTS = (3, 1, 1, 2, 1, 1, 1, 2, 3)
LEVELS = (("case", 0.6), ("handed", 0.15), ("received", 0.25))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("observatory_suppression")
    group.add_argument(
        "--suppression-referrals",
        default="1500,3000,12000",
        help="referrals a year, comma-separated (default: 1500,3000,12000)",
    )
    group.add_argument("--suppression-rounds", type=int, default=3, help="timed rounds (3)")
    group.add_argument("--suppression-seed", type=int, default=1, help="seed (default: 1)")


def year(referrals: int, seed: int) -> Family:
    rng = random.Random(seed)
    inner: dict[tuple[str, ...], int] = {}
    groups, group_weights = [g for g, _ in TARGET_GROUPS], [w for _, w in TARGET_GROUPS]
    levels, level_weights = [v for v, _ in LEVELS], [w for _, w in LEVELS]
    for _ in range(referrals):
        key = (
            rng.choices(levels, level_weights)[0],
            f"{rng.randint(1, 12):02}",
            str(rng.choices(range(1, 10), MUNICIPIO_WEIGHTS)[0]),
            rng.choices(groups, group_weights)[0],
            rng.choice(("female", "male")),
        )
        inner[key] = inner.get(key, 0) + 1
    return Family.up_to(DIMENSIONS, INDICATORS, inner, breakdowns=2)


def narrowed(model: Model, shown: set[int], cells: list[int]) -> int:
    """How many of ``cells`` a reader pins to a range under the threshold from ``shown``."""
    count = 1 + max(i for cell in model.cells for i in cell.inner)
    rows = sorted(shown)
    a = np.zeros((len(rows), count))
    for row, n in enumerate(rows):
        a[row, list(model.cells[n].inner)] = 1
    b = [model.cells[n].value for n in rows]
    pinned = 0
    for cell in cells:
        objective = np.zeros(count)
        objective[list(model.cells[cell].inner)] = 1
        low = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        top = -high.fun if high.status == 0 else float("inf")
        pinned += top - low.fun < THRESHOLD - 1e-6
    return pinned


def suppress(counts: list[int], *, threshold: int) -> list[int | None]:
    """The rule before, on one table (cells in order; their total published): cells under the
    threshold hidden, and the smallest other one when the total would give a hidden one away
    (a single hidden cell, or hidden cells adding up to 0)."""
    hidden = {i for i, count in enumerate(counts) if count < threshold}
    if len(hidden) == 1 or (hidden and sum(counts[i] for i in hidden) == 0):
        published = [i for i in range(len(counts)) if i not in hidden]
        if published:
            hidden.add(min(published, key=lambda i: (counts[i], i)))
    return [None if i in hidden else count for i, count in enumerate(counts)]


def table_by_table(model: Model) -> set[int]:
    """The rule before, each indicator's table on its own."""
    hidden: set[int] = set()
    tables: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for n, cell in enumerate(model.cells):
        tables.setdefault((cell.indicator, tuple(d for d, _ in cell.breakdown)), []).append(n)
    for cells in tables.values():
        shown = suppress([model.cells[n].value for n in cells], threshold=THRESHOLD)
        hidden |= {n for n, value in zip(cells, shown, strict=True) if value is None}
    return hidden


def one(referrals: int, seed: int, rounds: int) -> list[tuple[str, str]]:
    family = year(referrals, seed)
    started = perf_counter()
    model = family.model()
    built = perf_counter() - started
    walls, cpus, answers = [], [], []
    for _ in range(rounds):
        wall, cpu = perf_counter(), process_time()
        answers.append(protect(model, threshold=THRESHOLD))
        walls.append(perf_counter() - wall)
        cpus.append(process_time() - cpu)
    protection = answers[0]
    everything = set(range(len(model.cells)))
    primary = sorted(protection.primary)
    say(f"  auditing {len(primary)} primary cells with linprog")
    ours = narrowed(model, everything - protection.suppressed, primary)
    before = table_by_table(model)
    theirs = narrowed(model, everything - before, primary)
    return [
        (
            f"{referrals:,} referrals",
            f"{len(family.inner):,} inner cells, {len(model.cells):,} cells "
            f"(model built in {built * 1000:.0f} ms)",
        ),
        (
            "  protect",
            f"median {median(walls):.3f} s, max {max(walls):.3f} s, cpu {median(cpus):.3f} s "
            f"(target ≤ {TARGET_SECONDS:.0f} s); same every round: "
            f"{'yes' if all(a == protection for a in answers) else 'NO'}",
        ),
        (
            "  suppressed",
            f"{len(primary)} primary, {len(protection.secondary)} secondary "
            f"({len(protection.suppressed) / len(model.cells):.1%} of cells)",
        ),
        ("  audit (linprog)", f"{ours} of {len(primary)} primary cells narrower than {THRESHOLD}"),
        (
            "  table by table",
            f"{len(before - set(primary))} secondary; {theirs} of {len(primary)} primary cells "
            f"narrower than {THRESHOLD}",
        ),
    ]


def run(args: argparse.Namespace) -> int:
    steal = Steal()
    steal.start()
    rows: list[tuple[str, str]] = []
    for referrals in (int(n) for n in args.suppression_referrals.split(",")):
        say(f"▶ a year of {referrals:,} referrals")
        rows += one(referrals, args.suppression_seed, args.suppression_rounds)
    rows.append(("machine", f"{machine()}; {steal.stop()}"))
    print_block("observatory suppression", rows)
    return 0


def main(argv: list[str] | None = None) -> int:
    return standalone(__name__, add_arguments, run, argv)


if __name__ == "__main__":
    sys.exit(main())
