"""A family of linked tables as one linear model: the inner cells (the finest counts, one per
combination of every breakdown that occurs) and each publishable cell as the sum of some of
them. Tables are linked when a reader can combine them: the totals and every breakdown of one
indicator over one period, and the indicators nested in each other (cases ⊆ handed over ⊆
received) — which counts the nesting by inner *levels*: a referral received and not handed
over, handed over and not taken in charge, taken in charge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Cell:
    indicator: str
    breakdown: tuple[tuple[str, str], ...]  # (dimension, value), in the family's order
    value: int
    inner: tuple[int, ...]  # the inner cells it sums


@dataclass(frozen=True)
class Model:
    cells: tuple[Cell, ...]
    groups: tuple[tuple[int, ...], ...]
    """Cells that split one cell by one more dimension: a reader who sees the parent and all
    but some of them knows the sum of the rest."""

    @property
    def columns(self) -> list[tuple[int, ...]]:
        return [cell.inner for cell in self.cells]

    @property
    def values(self) -> list[int]:
        return [cell.value for cell in self.cells]


@dataclass(frozen=True)
class Family:
    """``inner`` maps ``(level, value of each dimension…)`` to a count; ``indicators`` maps each
    published indicator to the levels it counts; ``tables`` are the breakdowns published, as sets
    of dimensions (the empty set is the total)."""

    dimensions: tuple[str, ...]
    indicators: Mapping[str, frozenset[str]]
    inner: Mapping[tuple[str, ...], int]
    tables: tuple[frozenset[str], ...]

    @classmethod
    def up_to(
        cls,
        dimensions: Sequence[str],
        indicators: Mapping[str, frozenset[str]],
        inner: Mapping[tuple[str, ...], int],
        *,
        breakdowns: int,
    ) -> Family:
        """Every table of at most ``breakdowns`` dimensions at once, and the total."""
        tables = tuple(
            frozenset(chosen)
            for size in range(breakdowns + 1)
            for chosen in combinations(dimensions, size)
        )
        return cls(tuple(dimensions), indicators, inner, tables)

    def model(self) -> Model:
        keys = list(self.inner)
        values = [self.inner[key] for key in keys]
        positions = {name: n + 1 for n, name in enumerate(self.dimensions)}
        sums: dict[tuple[str, tuple[tuple[str, str], ...]], list[int]] = defaultdict(list)
        for indicator, levels in self.indicators.items():
            for table in self.tables:
                shown = [name for name in self.dimensions if name in table]
                for n, key in enumerate(keys):
                    if key[0] in levels:
                        breakdown = tuple((name, key[positions[name]]) for name in shown)
                        sums[indicator, breakdown].append(n)
        index = {key: n for n, key in enumerate(sums)}
        cells = tuple(
            Cell(indicator, breakdown, sum(values[i] for i in inner), tuple(inner))
            for (indicator, breakdown), inner in sums.items()
        )
        return Model(cells, self._groups(index))

    def _groups(
        self, index: Mapping[tuple[str, tuple[tuple[str, str], ...]], int]
    ) -> tuple[tuple[int, ...], ...]:
        tables = set(self.tables)
        split: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[int]] = defaultdict(list)
        for (indicator, breakdown), n in index.items():
            for dimension, _ in breakdown:
                parent = tuple(pair for pair in breakdown if pair[0] != dimension)
                if frozenset(name for name, _ in parent) in tables:
                    split[indicator, dimension, parent].append(n)
        return tuple(tuple(cells) for cells in split.values() if len(cells) > 1)
