"""The matching program over classes (`classes.Classes`), as arrays for HiGHS, and what each
column stands for so that a solution can be read back. The model is stated in `solver`.

Columns, in this order: ``a`` per request kept, ``b`` per group and bonus Municipio, ``y``
per pair of classes that fit, then the packings' integer columns (``u`` per pattern of a unit
class let by the bed, or a column per unit and household size where there are too many).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array

from services.housing.matching.classes import BoolArray, Classes, IntArray, unique_rows

FloatArray = NDArray[np.float64]

PATTERN_LIMIT = 64
"""Patterns of one unit class above which its units get a column per household size each
instead (exact too, but those columns are symmetric and branch worse). The synthetic run's
shelter rooms, 8 free beds at most, need at most 10."""

DOMINATED_MARGIN = 1e-9  # a request is left out only when others beat it by more than this
INTEGRAL = 1e-6  # a column this close to an integer is that integer


@dataclass(frozen=True)
class Packing:
    """How the units of a class let by the bed take households of several ``sizes``: a column
    per pattern (so many households of each size in one unit) counting the units packed so —
    or, with no ``patterns`` (too many), a column per unit and size counting its households
    of that size."""

    vacancy_class: int
    units: int
    beds: int  # each unit's
    sizes: tuple[int, ...]  # ascending
    patterns: tuple[tuple[int, ...], ...]  # empty: per unit
    first: int  # its first column

    @property
    def columns(self) -> IntArray:
        width = len(self.patterns) or self.units * len(self.sizes)
        return np.arange(self.first, self.first + width)


@dataclass(frozen=True)
class Program:
    """``minimise cost · x`` subject to ``lower ≤ matrix · x ≤ upper`` and ``0 ≤ x ≤
    column_upper``, ``integral`` columns integer; and what the columns are."""

    cost: FloatArray
    matrix: csr_array
    lower: FloatArray
    upper: FloatArray
    column_upper: FloatArray
    integral: FloatArray
    a_request: IntArray  # per a column (the request housed): its request
    a_group: IntArray  # … and its group: its class's requests with its bonus Municipi
    group_class: IntArray  # per group: its request class
    b_group: IntArray  # per b column (households of a group earning the bonus in a Municipio)
    b_municipio: IntArray  # … that Municipio
    y_request_class: IntArray  # per y column: households of this class …
    y_vacancy_class: IntArray  # … in units of this class
    y_size: IntArray  # … and their size
    packings: tuple[Packing, ...]

    @property
    def b_first(self) -> int:
        return len(self.a_request)

    @property
    def y_first(self) -> int:
        return self.b_first + len(self.b_group)


def alone_capacity(classes: Classes) -> IntArray:
    """request class × vacancy class: the households of the request class one unit of the
    vacancy class takes when no other class is there."""
    by_bed = classes.beds[None, :] // np.maximum(classes.size[:, None], 1)
    return np.where(classes.fits, np.where(classes.whole[None, :], 1, by_bed), 0)


@dataclass(frozen=True)
class Groups:
    """The requests kept, by class, group and priority (ties in input order): a group is a
    class's requests that earn the bonus in the same Municipi (among those the class can go
    to)."""

    request: IntArray
    group: IntArray  # per request kept
    group_class: IntArray  # per group
    group_municipi: BoolArray  # group × Municipio index


def grouped(
    classes: Classes,
    priority: FloatArray,
    bonus: float,
    bonus_municipi: Sequence[frozenset[int]],
    municipi: IntArray,
) -> Groups:
    """The requests worth a column, in groups. A request is left out when at least as many
    requests of its class as the class could ever house come before it and are worth more
    than it could be (its priority, plus the bonus if it can earn it anywhere) — or come
    before it in its group: one of those is then unhoused, and housing it in this one's place
    never lowers the total."""
    reach = np.zeros((len(classes.size), len(municipi)), dtype=bool)
    pair_class, pair_vacancy = np.nonzero(classes.fits)
    reach[pair_class, np.searchsorted(municipi, classes.municipio[pair_vacancy])] = True
    index = {int(m): i for i, m in enumerate(municipi)}
    placeable = np.flatnonzero(classes.request_class >= 0)
    wanted = np.zeros((len(priority), len(municipi)), dtype=bool)
    cells = [(r, index[m]) for r in placeable.tolist() for m in bonus_municipi[r] if m in index]
    wanted[tuple(np.array(cells, dtype=np.int64).reshape(-1, 2).T)] = True
    wanted &= reach[np.maximum(classes.request_class, 0)]
    kinds, of_request = unique_rows(np.column_stack([classes.request_class, wanted])[placeable])
    group = np.full(len(priority), -1, dtype=np.int64)
    group[placeable] = of_request
    request_class = classes.request_class
    order = np.lexsort((np.arange(len(priority)), -priority, request_class))
    order = order[request_class[order] >= 0]
    earns = np.any(wanted[order], axis=1)  # somewhere it could earn the bonus
    room = alone_capacity(classes) @ classes.units
    kept = np.zeros(len(order), dtype=bool)
    starts = np.flatnonzero(np.r_[True, np.diff(request_class[order]) != 0])
    for start, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
        ahead = -priority[order[start:end]]  # ascending
        # those worth more than its priority plus the bonus; if it earns none, all before it
        beaten = np.searchsorted(ahead, ahead - bonus - DOMINATED_MARGIN, side="right")
        better = np.where(earns[start:end], beaten, np.arange(end - start))
        kept[start:end] = better < room[request_class[order[start]]]
    in_group = _rank_within(group[order])
    kept &= in_group < room[request_class[order]]
    chosen = order[kept]
    by_group = chosen[np.argsort(group[chosen], kind="stable")]
    return Groups(
        request=by_group,
        group=group[by_group],
        group_class=kinds[:, 0],
        group_municipi=kinds[:, 1:].astype(bool),
    )


def _rank_within(labels: IntArray) -> IntArray:
    """Each entry's rank among the entries before it with the same label."""
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    starts = np.searchsorted(ordered, ordered, side="left")
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels)) - starts
    return rank


def build(
    classes: Classes,
    priority: FloatArray,
    bonus: float,
    bonus_municipi: Sequence[frozenset[int]],
) -> Program:
    """The program for `classes`: request ``r`` is worth ``priority[r]``, plus `bonus` (≥ 0)
    in a unit whose Municipio is in ``bonus_municipi[r]``."""
    municipi = np.unique(classes.municipio)
    groups = grouped(classes, priority, bonus, bonus_municipi, municipi)
    where = np.searchsorted(municipi, classes.municipio)  # vacancy class -> Municipio index
    pair_class, pair_vacancy = np.nonzero(classes.fits)
    b_group, b_municipio = np.nonzero(groups.group_municipi)

    builder = _Builder()
    a = builder.columns(-priority[groups.request], upper=1.0)
    b = builder.columns(np.full(len(b_group), -bonus), upper=np.inf)
    y = builder.columns(np.zeros(len(pair_class)), upper=np.inf)

    # a group earns the bonus no more often than it is housed
    earning = np.full(len(groups.group_class), -1, dtype=np.int64)
    some = np.unique(b_group)
    earning[some] = builder.rows(len(some), upper=0.0)
    row = earning[groups.group]
    builder.add(row[row >= 0], a[row >= 0], -1.0)
    builder.add(earning[b_group], b, 1.0)

    # a class houses as many households as its y columns place
    total = builder.rows(len(classes.size), lower=0.0, upper=0.0)
    builder.add(total[groups.group_class[groups.group]], a, 1.0)
    builder.add(total[pair_class], y, -1.0)

    # the bonus in Municipio m no more often than the class is placed in m
    cell = np.full((len(classes.size), len(municipi)), -1, dtype=np.int64)
    b_class = groups.group_class[b_group]
    bonus_cells = np.unique(b_class * len(municipi) + b_municipio)
    cell.flat[bonus_cells] = builder.rows(len(bonus_cells), upper=0.0)
    builder.add(cell[b_class, b_municipio], b, 1.0)
    placed_in = cell[pair_class, where[pair_vacancy]]
    builder.add(placed_in[placed_in >= 0], y[placed_in >= 0], -1.0)

    packings = _capacities(builder, classes, pair_class, pair_vacancy, y)
    cost, column_upper, integral, matrix, lower, upper = builder.arrays()
    return Program(
        cost=cost,
        matrix=matrix,
        lower=lower,
        upper=upper,
        column_upper=column_upper,
        integral=integral,
        a_request=groups.request,
        a_group=groups.group,
        group_class=groups.group_class,
        b_group=b_group,
        b_municipio=municipi[b_municipio],
        y_request_class=pair_class,
        y_vacancy_class=pair_vacancy,
        y_size=classes.size[pair_class],
        packings=packings,
    )


def _capacities(
    builder: _Builder,
    classes: Classes,
    pair_class: IntArray,
    pair_vacancy: IntArray,
    y: IntArray,
) -> tuple[Packing, ...]:
    """Each unit class's rows: a household per unit let whole; beds // size per unit let by
    the bed to one size; else slots per size, from the packings made (returned)."""
    pair_size = classes.size[pair_class]
    widest = int(classes.size.max(initial=0)) + 1
    cells = np.unique(pair_vacancy * widest + pair_size)  # (vacancy class, size), sorted
    cell_class, cell_size = cells // widest, cells % widest
    sizes_of = np.bincount(cell_class, minlength=len(classes.units))
    simple = classes.whole | (sizes_of == 1)
    smallest = np.zeros(len(classes.units), dtype=np.int64)
    smallest[cell_class[::-1]] = cell_size[::-1]
    households = np.where(classes.whole, 1, classes.beds // np.maximum(smallest, 1))
    row = np.full(len(classes.units), -1, dtype=np.int64)
    row[simple] = builder.rows(int(simple.sum()), upper=classes.units[simple] * households[simple])
    builder.add(row[pair_vacancy[simple[pair_vacancy]]], y[simple[pair_vacancy]], 1.0)

    packed = ~simple[cell_class]  # a row per size: its households ≤ its slots
    slot = builder.rows(int(packed.sum()), upper=0.0)
    slot_of_cell = np.full(len(cells), -1, dtype=np.int64)
    slot_of_cell[packed] = slot
    pair_cell = np.searchsorted(cells, pair_vacancy * widest + pair_size)
    in_packed = packed[pair_cell]
    builder.add(slot_of_cell[pair_cell[in_packed]], y[in_packed], 1.0)

    packings = []
    first_cell = np.searchsorted(cell_class, np.arange(len(classes.units)))
    for k in np.flatnonzero(~simple).tolist():
        start = int(first_cell[k])
        sizes = tuple(cell_size[start : start + sizes_of[k]].tolist())
        slots = slot_of_cell[start : start + len(sizes)]  # consecutive, as the cells
        units, beds = int(classes.units[k]), int(classes.beds[k])
        patterns = maximal_patterns(sizes, beds)
        if patterns is None:  # a column per unit and size, each unit's beds a row
            per_unit = np.array([beds // s for s in sizes] * units, dtype=np.float64)
            columns = builder.columns(np.zeros(len(per_unit)), upper=per_unit, integral=True)
            beds_rows = builder.rows(units, upper=float(beds))
            builder.add(np.repeat(beds_rows, len(sizes)), columns, np.tile(sizes, units))
            builder.add(np.tile(slots, units), columns, -1.0)
        else:  # a column per pattern, a pattern per unit
            columns = builder.columns(np.zeros(len(patterns)), upper=float(units), integral=True)
            builder.add(np.repeat(builder.rows(1, upper=float(units)), len(patterns)), columns, 1.0)
            counts = np.array(patterns, dtype=np.int64)
            column, size = np.nonzero(counts)
            builder.add(slots[size], columns[column], -counts[column, size])
        packings.append(Packing(k, units, beds, sizes, patterns or (), int(columns[0])))
    return tuple(packings)


def repacked(program: Program, x: FloatArray) -> FloatArray | None:
    """`x`, integral but for some packings, with those packings made whole: the households its
    y columns send to the class, packed first-fit by decreasing size into its units, each unit
    then the maximal pattern that contains what it holds. Every other column is kept, so the
    total is `x`'s. None if `x` is fractional elsewhere or first-fit does not fit them."""
    rounded = np.rint(x)
    fractional = np.abs(x - rounded) > INTEGRAL
    if fractional[program.integral == 0].any():
        return None
    y = rounded[program.y_first : program.y_first + len(program.y_size)]
    for packing in program.packings:
        columns = packing.columns
        if not fractional[columns].any():
            continue
        mine = program.y_vacancy_class == packing.vacancy_class
        households = [int(y[mine & (program.y_size == s)].sum()) for s in packing.sizes]
        held = first_fit(packing.sizes, households, packing.units, packing.beds)
        if held is None:
            return None
        if packing.patterns:
            index = {pattern: i for i, pattern in enumerate(packing.patterns)}
            counts = np.zeros(len(columns))
            for unit in held:
                counts[index[_maximal(unit, packing.sizes, packing.beds)]] += 1
            rounded[columns] = counts
        else:
            rounded[columns] = np.array(held, dtype=np.float64).ravel()
    return rounded


def first_fit(
    sizes: tuple[int, ...], households: list[int], units: int, beds: int
) -> list[tuple[int, ...]] | None:
    """`households` (a count per size) in `units` of `beds` each, largest first, each into the
    first unit with room: what each unit holds, a count per size; None if some do not fit."""
    held = [[0] * len(sizes) for _ in range(units)]
    room = [beds] * units
    for column in reversed(range(len(sizes))):
        size, unit = sizes[column], 0
        for _ in range(households[column]):
            while unit < units and room[unit] < size:
                unit += 1  # rooms only shrink: an earlier one stays too small for this size
            if unit == units:
                return None
            held[unit][column] += 1
            room[unit] -= size
    return [tuple(unit) for unit in held]


def _maximal(held: tuple[int, ...], sizes: tuple[int, ...], beds: int) -> tuple[int, ...]:
    """The maximal pattern holding `held`: it, topped up with the smallest households."""
    left = beds - sum(n * s for n, s in zip(held, sizes, strict=True))
    return (held[0] + left // sizes[0], *held[1:])


def rounded_packings(program: Program, x: FloatArray) -> FloatArray:
    """`x`'s packing columns made integer without packing more units than a class has: each
    pattern's count rounded down, then the units left to the patterns with the largest
    remainders; a unit's households of a size rounded down (its beds still hold them)."""
    rounded = np.floor(x + INTEGRAL)
    for packing in program.packings:
        if not packing.patterns:
            continue
        columns = packing.columns
        remainder = x[columns] - rounded[columns]
        left = max(packing.units - int(rounded[columns].sum()), 0)
        by_remainder = np.argsort(-remainder, kind="stable")[:left]
        rounded[columns[by_remainder[remainder[by_remainder] > INTEGRAL]]] += 1
    return np.where(program.integral > 0, rounded, x)


@cache
def maximal_patterns(sizes: tuple[int, ...], beds: int) -> tuple[tuple[int, ...], ...] | None:
    """Every way of putting households of `sizes` (a count per size) in `beds` so that no
    other household of those sizes fits beside them; None if there are more than
    `PATTERN_LIMIT`."""
    found: list[tuple[int, ...]] = []
    smallest = min(sizes)

    def extend(counts: tuple[int, ...], left: int) -> bool:
        if len(counts) == len(sizes):
            if left < smallest:
                found.append(counts)
            return len(found) <= PATTERN_LIMIT
        size = sizes[len(counts)]
        return all(extend((*counts, n), left - n * size) for n in range(left // size, -1, -1))

    return tuple(found) if extend((), beds) else None


class _Builder:
    """Columns and rows as they are added, and the matrix's entries."""

    def __init__(self) -> None:
        self._cost: list[FloatArray] = []
        self._column_upper: list[FloatArray] = []
        self._integral: list[FloatArray] = []
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []
        self._entries: list[tuple[IntArray, IntArray, FloatArray]] = []
        self._columns = 0
        self._rows = 0

    def columns(
        self, cost: FloatArray, *, upper: float | FloatArray, integral: bool = False
    ) -> IntArray:
        count = len(cost)
        self._cost.append(np.asarray(cost, dtype=np.float64))
        self._column_upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), count))
        self._integral.append(np.full(count, 1.0 if integral else 0.0))
        self._columns += count
        return np.arange(self._columns - count, self._columns, dtype=np.int64)

    def rows(self, count: int, *, upper: float | IntArray, lower: float = -np.inf) -> IntArray:
        self._lower.append(np.full(count, lower))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), count))
        self._rows += count
        return np.arange(self._rows - count, self._rows, dtype=np.int64)

    def add(self, rows: IntArray, columns: IntArray, values: float | IntArray) -> None:
        value = np.broadcast_to(np.asarray(values, dtype=np.float64), len(rows))
        self._entries.append((rows, columns, value))

    def arrays(
        self,
    ) -> tuple[FloatArray, FloatArray, FloatArray, csr_array, FloatArray, FloatArray]:
        """Costs, column upper bounds, integrality, the matrix, row lower and upper bounds."""
        rows, columns, values = (
            np.concatenate([np.zeros(0, dtype=dtype), *(entry[i] for entry in self._entries)])
            for i, dtype in enumerate((np.int64, np.int64, np.float64))
        )
        order = np.lexsort((columns, rows))
        starts = np.searchsorted(rows[order], np.arange(self._rows + 1))
        matrix = csr_array(
            (values[order], columns[order], starts), shape=(self._rows, self._columns)
        )
        return (
            _joined(self._cost),
            _joined(self._column_upper),
            _joined(self._integral),
            matrix,
            _joined(self._lower),
            _joined(self._upper),
        )


def _joined(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate([np.zeros(0), *parts])
