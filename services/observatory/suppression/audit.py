"""Whether a reader can pin a suppressed cell to a range narrower than the threshold from
everything published, given that counts are not negative: the least and greatest value of the
cell over every non-negative table of inner cells that sums to the published figures, by
linear programming (HiGHS). `protection` widens until no protected cell is narrow.

One program serves every cell audited: only its objective changes, and a cell suppressed on
the way only frees its row, so HiGHS's primal simplex starts each run from the last one's
optimal basis. The dual values of the published rows name the figures that pin a narrow cell.
Every table a run finds stays feasible as cells are hidden: two of them whose sums of a cell
differ by the threshold show it wide without a run."""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np
from scipy.sparse import csc_array

SLACK = 1e-6


class Audit:
    """The published cells of a model as the equalities a reader may combine. A cell hidden
    later drops out of the program, which keeps its basis: the next run starts from there."""

    def __init__(
        self, columns: Sequence[Sequence[int]], values: Sequence[int], shown: Sequence[int]
    ) -> None:
        covered = sorted({i for column in columns for i in column})
        self._position = {inner: n for n, inner in enumerate(covered)}
        self._shown = list(shown)
        self._row = {cell: n for n, cell in enumerate(self._shown)}
        self._highs = _program(
            [[self._position[i] for i in columns[cell]] for cell in self._shown],
            np.array([values[cell] for cell in self._shown], dtype=float),
            len(covered),
        )
        self._seen: list[np.ndarray] = []  # tables found on the way, still feasible

    def hide(self, cell: int) -> None:
        row = self._row.pop(cell)
        self._highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)

    def narrow(self, column: Sequence[int], value: float, threshold: int) -> set[int]:
        """The published cells that pin the sum of inner cells ``column``, worth ``value``, to
        a range narrower than ``threshold`` (those whose equalities bind its least or greatest
        value), or none if the range is wide enough."""
        where = [self._position[i] for i in column]
        if self._seen:  # two tables already found that far apart settle it
            sums = np.vstack(self._seen)[:, where].sum(axis=1)
            if max(sums.max(), value) - min(sums.min(), value) >= threshold - SLACK:
                return set()
        objective = np.zeros(len(self._position))
        objective[where] = 1.0
        high, above = self._least(-objective)
        high = -high
        if high - value >= threshold - SLACK:
            return set()  # it may be that much above its value, whatever the least
        low, below = self._least(objective)
        return above | below if high - low < threshold - SLACK else set()

    def _least(self, objective: np.ndarray) -> tuple[float, set[int]]:
        count = len(objective)
        self._highs.changeColsCost(count, np.arange(count, dtype=np.int32), objective)
        self._highs.run()
        status = self._highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return float("-inf"), set()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"the audit's program ended {status}")
        solution = self._highs.getSolution()
        self._seen.append(np.asarray(solution.col_value))
        duals = np.asarray(solution.row_dual)
        binding = {self._shown[n] for n in np.flatnonzero(np.abs(duals) > SLACK)}
        return float(self._highs.getInfo().objective_function_value), binding & self._row.keys()


def _program(rows: list[list[int]], sums: np.ndarray, count: int) -> highspy.Highs:
    """``Σ x[i] for i in row = sum`` for each published row, ``x ≥ 0``."""
    entries = [i for row in rows for i in row]
    which = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    matrix = csc_array((np.ones(len(entries)), (which, entries)), shape=(len(rows), count))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = count, len(rows)
    lp.col_cost_ = np.zeros(count)
    lp.col_lower_ = np.zeros(count)
    lp.col_upper_ = np.full(count, highspy.kHighsInf)
    lp.row_lower_ = lp.row_upper_ = sums
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # kept off so that each run starts from the last
    highs.setOptionValue("simplex_strategy", 4)  # primal: a new objective keeps it feasible
    highs.passModel(lp)
    return highs
