"""Secondary suppression by Gaussian elimination, after Langsrud's GaussSuppression
(Statistics Norway, `ssb-ssbtools`, R/GaussSuppression.R; Langsrud 2024, Privacy in
Statistical Databases, doi 10.1007/978-3-031-69651-0_6). Our own code; the method is theirs.

Every published cell is a sum of inner cells: a column of 0/1 over them. A suppressed cell is
*derivable* when its column lies in the span of the published columns: some linear combination
of published figures then equals it. The candidates for publication are taken in order. One
that is already in the span of those published adds no information and is published; one that
would bring a protected column into the span is suppressed instead (secondary); any other is
published and eliminates one inner cell (row) from every column still open.

Elimination is right-looking and dense (NumPy): every open column, protected ones included, is
kept reduced by the candidates published so far, so a candidate's turn finds it reduced. The
row eliminated is the one fewest open columns share (Markowitz), which keeps the work small.
Arithmetic is exact modulo a prime below 2²⁶, in floating point (a product of two residues is
an integer under 2⁵², which a double holds exactly). What is derivable over the rationals is
derivable modulo the prime unless the prime divides every denominator of its combinations;
the audit by linear programming checks the outcome either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

PRIME = 67_108_859
"""The largest prime below 2²⁶."""


def secondary(
    columns: Sequence[Sequence[int]],
    protected: Iterable[Sequence[int]],
    candidates: Iterable[int],
) -> set[int]:
    """The candidates (indices into ``columns``) to suppress so that no ``protected`` column
    (inner cells summed: a primary cell, or the sum of primary cells that must stay hidden) is
    a linear combination of the published candidates. Candidates come first-published-first:
    put the ones you would rather show first."""
    order = list(candidates)
    guarded = [tuple(column) for column in protected if column]
    if not guarded:
        return set()
    rows = sorted({i for c in order for i in columns[c]} | {i for g in guarded for i in g})
    where = {inner: n for n, inner in enumerate(rows)}
    first = len(guarded)
    matrix = np.zeros((len(rows), first + len(order)), order="F")
    every = [*guarded, *(columns[c] for c in order)]
    matrix[
        np.fromiter((where[i] for column in every for i in column), dtype=np.intp),
        np.repeat(np.arange(len(every)), [len(column) for column in every]),
    ] = 1.0
    open_ = np.ones(matrix.shape[1], dtype=bool)
    shared = np.count_nonzero(matrix, axis=1)  # open columns per row
    hidden: set[int] = set()
    for j, candidate in enumerate(order, start=first):
        if 2 * np.count_nonzero(shared) < len(shared):  # half the rows eliminated: drop them
            live = shared > 0
            matrix, shared = np.asfortranarray(matrix[live]), shared[live]
        open_[j] = False
        entries = np.flatnonzero(matrix[:, j])
        shared[entries] -= 1
        if not entries.size:
            continue  # already implied by what is published
        row = int(entries[np.argmin(shared[entries])])
        pivot = _residue(matrix[entries, j] * _inverse(matrix[row, j]))
        touched = np.flatnonzero(open_ & (matrix[row] != 0))
        block = matrix[:, touched]
        before = block[entries]
        after = _residue(before - np.outer(pivot, matrix[row, touched]))
        guard = touched < first
        if guard.any():
            outside = np.count_nonzero(block[:, guard], axis=0) - np.count_nonzero(
                before[:, guard], axis=0
            )
            if not (after[:, guard].any(axis=0) | (outside > 0)).all():
                hidden.add(candidate)  # it would give a protected column away
                continue
        shared[entries] += np.count_nonzero(after, axis=1) - np.count_nonzero(before, axis=1)
        block[entries] = after
        matrix[:, touched] = block
    return hidden


def _inverse(value: float) -> int:
    return pow(int(value), PRIME - 2, PRIME)


def _residue(values: np.ndarray) -> np.ndarray:
    residues: np.ndarray = values - PRIME * np.floor(values / PRIME)
    return residues
