"""Indicators and small-cell suppression. Pure: no I/O.

**What is published.** Each indicator is a count with a city-wide total and a breakdown by
Municipio (Milan's nine; a Municipio with nothing to count is a cell of 0, so the table always
has nine cells).

**Small-cell suppression** (applied to every breakdown, each table on its own):

1. *Primary*: every cell counting fewer than the threshold (5 by default,
   ``LGNET_OBSERVATORY_SUPPRESSION_THRESHOLD``) is suppressed — zeros included, because a
   published zero next to a small total gives the small cell away.
2. *Complementary*: the total is published, so ``total − published cells`` is the sum of the
   suppressed cells. When that sum pins a suppressed cell down — a single suppressed cell, or
   suppressed cells adding up to 0 — the smallest published cell (the first Municipio on a tie)
   is suppressed as well. That cell counts at least the threshold, so afterwards at least two
   cells are hidden and their sum is positive: no suppressed cell can be computed exactly from
   the total and the other cells. One complementary cell is always enough.

A suppressed cell is returned as ``null`` with ``"suppressed": true``.

**Totals are published unsuppressed.** They are the funder's headline counts (the fund's common
indicators are reported as city-wide totals) and are not person-level: a count over the whole
city does not single anyone out, whereas a count of two in one Municipio might. The rule above is
what keeps the published total from undoing the suppression of the breakdown.

**Limits**, left for when indicators gain more breakdowns: cells are protected against exact
derivation, not against narrowing (a reader who knows the threshold may bound a suppressed
cell), and tables are protected one at a time — nested indicators (cases open ⊆ referrals
handed over ⊆ referrals received) published in the same Municipio may be differenced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kit.errors import BadRequest

MUNICIPI = tuple(range(1, 10))
"""Milan's nine Municipi: the cells of every breakdown."""


class Indicator(StrEnum):
    REFERRALS_RECEIVED = "referrals_received"
    REFERRALS_HANDED_OVER = "referrals_handed_over"
    CASES_OPEN = "cases_open"


DESCRIPTIONS: dict[Indicator, str] = {
    Indicator.REFERRALS_RECEIVED: "Referrals received, by the Municipio where the person was met.",
    Indicator.REFERRALS_HANDED_OVER: "Referrals handed over to a lead organisation.",
    Indicator.CASES_OPEN: "Cases taken in charge and not ended.",
}


class EmptyCohort(BadRequest):
    slug = "empty-cohort"
    title = "Empty cohort"


@dataclass(frozen=True)
class Cohort:
    """The referrals every indicator counts over: those received in ``[received_from,
    received_to)`` (an open end counts from the beginning, or up to now). A cohort, not a
    window per indicator, so that the figures compare: of the referrals received in March, how
    many were handed over, how many taken in charge."""

    received_from: datetime | None = None
    received_to: datetime | None = None

    def __post_init__(self) -> None:
        start, end = self.received_from, self.received_to
        if start is not None and end is not None and start >= end:
            raise EmptyCohort("received_from must come before received_to.")


def suppress(counts: Sequence[int], *, threshold: int) -> list[int | None]:
    """The cells of one table with small cells suppressed (``None``): see the module docstring.

    ``counts`` are the table's cells in publication order (the order breaks ties when choosing
    the complementary cell); their total is assumed to be published. A table of one cell cannot
    be protected from its own total: publish breakdowns of two cells or more.
    """
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    if any(count < 0 for count in counts):
        raise ValueError("counts cannot be negative")
    hidden = {i for i, count in enumerate(counts) if count < threshold}
    if _derivable(counts, hidden):
        published = [i for i in range(len(counts)) if i not in hidden]
        if published:
            hidden.add(min(published, key=lambda i: (counts[i], i)))
    return [None if i in hidden else count for i, count in enumerate(counts)]


def _derivable(counts: Sequence[int], hidden: set[int]) -> bool:
    """Whether ``total − published cells`` gives a hidden cell's exact value."""
    return len(hidden) == 1 or (bool(hidden) and sum(counts[i] for i in hidden) == 0)


@dataclass(frozen=True)
class Cell:
    municipio: int
    value: int | None  # None: suppressed

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    total: int
    by_municipio: tuple[Cell, ...]


def figure(indicator: Indicator, by_municipio: Mapping[int, int], *, threshold: int) -> Figure:
    """An indicator's published figure from its counts per Municipio (missing ones count 0)."""
    unknown = set(by_municipio) - set(MUNICIPI)
    if unknown:
        raise ValueError(f"not Municipi of Milan: {sorted(unknown)}")
    counts = [by_municipio.get(municipio, 0) for municipio in MUNICIPI]
    shown = suppress(counts, threshold=threshold)
    return Figure(
        indicator=indicator,
        total=sum(counts),
        by_municipio=tuple(Cell(m, v) for m, v in zip(MUNICIPI, shown, strict=True)),
    )
