"""Which cells of a family of linked tables to publish.

1. *Primary*: every cell counting fewer than the threshold is suppressed, zeros included.
2. *Secondary*, by Gaussian elimination (`gauss`): the other cells are candidates, the largest
   first (a large cell is the one a reader wants, and the least informative to hide); a
   candidate that would make a primary cell — or the sum of a group's primary cells, when that
   sum is under the threshold — a linear combination of published cells is suppressed instead.
   A cell that holds a primary cell of the same breakdown (a nested indicator's) and exceeds it
   by less than the threshold is suppressed before: shown, it would pin the cell within that
   difference, which the audit would find one program at a time.
3. *Audit* (`audit`): for every primary cell, the least and greatest value it can take given
   every published cell of the family and that counts are not negative. Where they differ by
   less than the threshold, the smallest of the published cells that pin it (whose equalities
   bind the program) is suppressed too, and the cell audited again, until each differs by at
   least the threshold.

Cells with the same inner cells are one figure: they are decided together.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.observatory.suppression import gauss
from services.observatory.suppression.audit import Audit
from services.observatory.suppression.tables import Model


@dataclass(frozen=True)
class Protection:
    primary: frozenset[int]
    secondary: frozenset[int]

    @property
    def suppressed(self) -> frozenset[int]:
        return self.primary | self.secondary


def protect(model: Model, *, threshold: int) -> Protection:
    """The cells of ``model`` to suppress (indices into ``model.cells``)."""
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    columns, values = model.columns, model.values
    if any(value < 0 for value in values):
        raise ValueError("counts cannot be negative")
    figure: dict[tuple[int, ...], int] = {}
    same = [figure.setdefault(tuple(sorted(column)), n) for n, column in enumerate(columns)]
    figures = sorted(set(same))
    primary = {n for n in figures if values[n] < threshold}
    order = sorted(
        (n for n in figures if n not in primary), key=lambda n: (-values[n], -len(columns[n]), n)
    )
    rank = {n: r for r, n in enumerate(order)}
    guarded = [(columns[p], values[p]) for p in sorted(primary)]
    close = _close_parents(model, same, primary, threshold)
    order = [n for n in order if n not in close]
    hidden = (
        primary
        | close
        | gauss.secondary(
            columns,
            [column for column, _ in guarded] + _sums(model, same, primary, threshold),
            order,
        )
    )
    audit = Audit(columns, values, [n for n in figures if n not in hidden])
    narrow = guarded
    while narrow:
        still = []
        for column, value in narrow:
            pinning = audit.narrow(column, value, threshold)
            if pinning:
                still.append((column, value))
                widening = max(pinning, key=rank.__getitem__)
                hidden.add(widening)
                audit.hide(widening)
        narrow = still
    suppressed = {n for n, representative in enumerate(same) if representative in hidden}
    first = {n for n, representative in enumerate(same) if representative in primary}
    return Protection(frozenset(first), frozenset(suppressed - first))


def _close_parents(model: Model, same: list[int], primary: set[int], threshold: int) -> set[int]:
    """Cells that hold a primary cell of a nested indicator in the same breakdown and exceed
    it by less than the threshold: showing one would pin the cell within that difference."""
    by_breakdown: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for n, cell in enumerate(model.cells):
        by_breakdown.setdefault(cell.breakdown, []).append(same[n])
    close: set[int] = set()
    for cells in by_breakdown.values():
        hidden = [n for n in cells if n in primary]
        for child in hidden:
            inner = set(model.cells[child].inner)
            for parent in cells:
                if parent in primary or parent == child:
                    continue
                if inner < set(model.cells[parent].inner) and (
                    model.cells[parent].value - model.cells[child].value < threshold
                ):
                    close.add(parent)
    return close


def _sums(
    model: Model, same: list[int], primary: set[int], threshold: int
) -> list[tuple[int, ...]]:
    """The sums of a group's primary cells that are under the threshold: knowing one would
    narrow each of them."""
    columns = model.columns
    protected = []
    for group in model.groups:
        hidden = sorted({same[n] for n in group} & primary)
        if len(hidden) > 1 and sum(model.values[n] for n in hidden) < threshold:
            protected.append(tuple(i for n in hidden for i in columns[n]))
    return protected
