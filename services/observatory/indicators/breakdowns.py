"""An indicator broken down by up to two dimensions, protected with every other table of its
family. Pure: no I/O.

A family (`Scheme`) is the indicators a reader can combine because they count the same units
over one cohort: the referral family; the initiatives' sessions, attendances, participants
and feedback; the households placed and those moving out; the cases opened, the reviews,
the minors turning 18; the caseload (a stock, by organisation, with no month) — each a family
of its own (their units or cohorts differ). The three referral indicators are one family:
over a cohort of referrals, those received ⊇ those handed over ⊇ those taken in charge. A
reader who has one table of one of them may have every other — any breakdown of up to two
dimensions, of any of the three, and the totals — so each answer is cut from the protection
of them all (`suppression.protection`): every table of the family over the cohort,
protected at once, the asked one read off it.

Cells are every combination of the dimensions' values (the nine Municipi, the target groups,
the months the cohort spans): a combination nobody falls in counts 0, and a
0 is suppressed like any cell under the threshold. The protection treats those zeros as known
to a reader, which only makes it stricter for the other cells.

A cohort is bounded at both ends and spans a year at most: the family of a year, nine
Municipi and twelve months, is what the protection is measured on (bench §14).

**Limit**: two cohorts that overlap (January–March and January–February) are protected each
on its own; their difference is a third cohort nobody protected. Ask for whole months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import product
from typing import Any

from kit.db import CITY_ZONE
from kit.errors import BadRequest
from kit.schemas import TargetGroup
from services.observatory.indicators.domain import MUNICIPI, Cohort, Indicator
from services.observatory.suppression.protection import protect
from services.observatory.suppression.tables import Family


class Dimension(StrEnum):
    MONTH = "month"
    MUNICIPIO = "municipio"
    TARGET_GROUP = "target_group"
    ORGANISATION = "organisation"


class Level(StrEnum):
    """Where a referral of the cohort stands: the inner level the nesting is counted by."""

    TAKEN_IN_CHARGE = "taken_in_charge"
    HANDED_OVER = "handed_over"  # and not (yet) taken in charge
    RECEIVED = "received"  # and not (yet) handed over


NESTING: Mapping[Indicator, frozenset[str]] = {
    Indicator.REFERRALS_RECEIVED: frozenset(Level),
    Indicator.REFERRALS_HANDED_OVER: frozenset({Level.TAKEN_IN_CHARGE, Level.HANDED_OVER}),
    Indicator.REFERRALS_TAKEN_IN_CHARGE: frozenset({Level.TAKEN_IN_CHARGE}),
}
"""The referral family's nesting."""
DIMENSIONS = tuple(Dimension)
"""Every dimension, in the order a breakdown lists them."""
FLOWS = (Dimension.MONTH, Dimension.MUNICIPIO, Dimension.TARGET_GROUP)
"""A flow's dimensions: the month of each unit's date, where it is, whom it is for."""
MOST = 2
"""Breakdowns at once."""
YEAR = timedelta(days=366)


class BadBreakdown(BadRequest):
    slug = "bad-breakdown"
    title = "Bad breakdown"


class CohortTooLong(BadRequest):
    slug = "cohort-too-long"
    title = "Cohort too long"


def month_of(moment: datetime) -> str:
    """The city's calendar month of ``moment`` (aware), as ``YYYY-MM``."""
    return moment.astimezone(CITY_ZONE).strftime("%Y-%m")


def within_a_year(cohort: Cohort) -> tuple[datetime, datetime]:
    """The cohort's bounds, both required, at most a year (366 days) apart."""
    start, end = cohort.start, cohort.end
    if start is None or end is None:
        raise CohortTooLong("A breakdown needs from and to.")
    if end - start > YEAR:
        raise CohortTooLong("A breakdown's cohort spans a year at most.")
    return start, end


@dataclass(frozen=True)
class Scheme:
    """A family of nested indicators over one cohort: the levels each counts (its units are
    the sums of some inner levels), the dimensions its cells are broken down by, in
    `DIMENSIONS`' order, and the values a dimension always has (the months are the cohort's).
    Its counts are keyed ``(level, value of each dimension…)``."""

    name: str
    nesting: Mapping[Indicator, frozenset[str]]
    dimensions: tuple[Dimension, ...]


REFERRALS = Scheme("referrals", NESTING, FLOWS)
HELD, ATTENDED, REPEAT, ONCE = "held", "attended", "repeat", "once"
SESSIONS = Scheme(
    "sessions",
    {Indicator.INITIATIVE_SESSIONS: frozenset({HELD})},
    (Dimension.MONTH, Dimension.MUNICIPIO),
)
ATTENDANCES = Scheme(
    "attendances",
    {Indicator.INITIATIVE_ATTENDANCES: frozenset({ATTENDED})},
    (Dimension.MONTH, Dimension.MUNICIPIO),
)
PARTICIPANTS = Scheme(
    "participants",
    {
        Indicator.INITIATIVE_PARTICIPANTS: frozenset({REPEAT, ONCE}),
        Indicator.INITIATIVE_REPEAT_PARTICIPANTS: frozenset({REPEAT}),
    },
    (Dimension.MONTH, Dimension.MUNICIPIO),
)
HELPFUL, NOT_HELPFUL = "helpful", "not_helpful"
FEEDBACK = Scheme(
    "feedback",
    {
        Indicator.INITIATIVE_FEEDBACK: frozenset({HELPFUL, NOT_HELPFUL}),
        Indicator.INITIATIVE_FEEDBACK_HELPFUL: frozenset({HELPFUL}),
    },
    (Dimension.MONTH, Dimension.MUNICIPIO),
)
PLACED, TO_AUTONOMY, ELSEWHERE = "placed", "to_autonomy", "elsewhere"
PLACEMENTS = Scheme("placements", {Indicator.HOUSING_PLACEMENTS: frozenset({PLACED})}, FLOWS)
EXITS = Scheme(
    "exits",
    {
        Indicator.HOUSING_EXITS: frozenset({TO_AUTONOMY, ELSEWHERE}),
        Indicator.HOUSING_EXITS_TO_AUTONOMY: frozenset({TO_AUTONOMY}),
    },
    FLOWS,
)
PLAN_IN_TIME, PLAN_NOT_IN_TIME = "plan_in_time", "plan_not_in_time"
CASES = Scheme(
    "cases",
    {
        Indicator.CASES_OPENED: frozenset({PLAN_IN_TIME, PLAN_NOT_IN_TIME}),
        Indicator.CASES_PLAN_APPROVED_30_DAYS: frozenset({PLAN_IN_TIME}),
    },
    FLOWS,
)
ON_TIME, LATE = "on_time", "late"
REVIEWS = Scheme(
    "reviews",
    {
        Indicator.REVIEWS_RECORDED: frozenset({ON_TIME, LATE}),
        Indicator.REVIEWS_ON_TIME: frozenset({ON_TIME}),
    },
    FLOWS,
)
WITH_PLAN, WITHOUT_PLAN = "with_plan", "without_plan"
COMING_OF_AGE = Scheme(
    "coming_of_age",
    {
        Indicator.MINORS_TURNING_18: frozenset({WITH_PLAN, WITHOUT_PLAN}),
        Indicator.MINORS_TURNING_18_WITH_PLAN: frozenset({WITH_PLAN}),
    },
    FLOWS,
)
OPEN = "open"
CASELOAD = Scheme(
    "caseload",
    {Indicator.CASELOAD: frozenset({OPEN})},
    (Dimension.MUNICIPIO, Dimension.TARGET_GROUP, Dimension.ORGANISATION),
)
"""A stock, not a flow: the cases open at one moment, which a month does not divide."""
SCHEMES: Mapping[str, Scheme] = {
    s.name: s
    for s in (
        REFERRALS,
        SESSIONS,
        ATTENDANCES,
        PARTICIPANTS,
        FEEDBACK,
        PLACEMENTS,
        EXITS,
        CASES,
        REVIEWS,
        COMING_OF_AGE,
        CASELOAD,
    )
}
SCHEME_OF: Mapping[Indicator, Scheme] = {
    indicator: scheme for scheme in SCHEMES.values() for indicator in scheme.nesting
}
"""The family each count belongs to."""


def referral_levels(every: Iterable[Sequence[Any]], taken: Iterable[Sequence[Any]]) -> Counts:
    """The referral family's counts from the referrals counted by (handed over, month,
    Municipio, target group) and those of them taken in charge counted the same way: a
    referral a case was opened from is taken in charge even while its hand-over is not known
    yet (a replay from another offset)."""
    counts: dict[tuple[str | int, ...], int] = {}

    def key(level: str, row: Sequence[Any]) -> tuple[str, ...]:
        # a referral consumed before its month was kept has none (migration 2026-12-03-0937)
        return (level, *("unknown" if v is None else str(v) for v in row[1:-1]))

    for row in every:
        counted = key(_HANDED if row[0] else _RECEIVED, row)
        counts[counted] = counts.get(counted, 0) + row[-1]
    for row in taken:
        counts[key(_HANDED if row[0] else _RECEIVED, row)] -= row[-1]
        counted = key(_TAKEN, row)
        counts[counted] = counts.get(counted, 0) + row[-1]
    return {counted: n for counted, n in counts.items() if n}


_TAKEN, _HANDED, _RECEIVED = (
    Level.TAKEN_IN_CHARGE.value,
    Level.HANDED_OVER.value,
    Level.RECEIVED.value,
)  # read once: an enum member's lookup is a descriptor's


def chosen(by: Sequence[Dimension]) -> tuple[Dimension, ...]:
    """The breakdowns asked for, in the family's order; at most two, each once."""
    if len(set(by)) != len(by):
        raise BadBreakdown("Each breakdown may be asked for once.")
    if len(by) > MOST:
        raise BadBreakdown(f"At most {MOST} breakdowns at once.")
    return tuple(dimension for dimension in DIMENSIONS if dimension in by)


@dataclass(frozen=True)
class Cell:
    breakdown: tuple[tuple[Dimension, str], ...]
    value: float | None  # None: suppressed; a count's is an int

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Table:
    indicator: Indicator
    by: tuple[Dimension, ...]
    total: Cell
    cells: tuple[Cell, ...]


Counts = Mapping[tuple[str | int, ...], int]
"""A family's units over a cohort by their level and their value of each of its dimensions:
the referrals' ``(level, month, Municipio, target group)``."""


def table(
    counts: Counts,
    indicator: Indicator,
    by: tuple[Dimension, ...],
    *,
    threshold: int,
    months: Sequence[str] = (),
) -> Table:
    """``indicator`` (a count of a `SCHEMES` family) by ``by`` over the cohort ``counts``
    count, cut from the protection of its whole family. ``months`` are the months the cohort
    spans (else those counted)."""
    scheme = SCHEME_OF[indicator]
    if unknown := [d for d in by if d not in scheme.dimensions]:
        raise BadBreakdown(f"{indicator} is not broken down by {', '.join(unknown)}.")
    inner = tuple(sorted((tuple(map(str, key)), count) for key, count in counts.items() if count))
    published = _published(scheme.name, inner, threshold)
    shown = {key: value for (name, key), value in published.items() if name == str(indicator)}
    values = _values(scheme, inner, months)

    def cell(breakdown: tuple[tuple[Dimension, str], ...]) -> Cell:
        key = tuple((d.value, v) for d, v in breakdown)
        value = shown.get(key, 0)  # a combination nobody falls in
        return Cell(breakdown, None if value is not None and value < threshold else value)

    combinations = product(*(values[d] for d in by))
    return Table(
        indicator,
        by,
        cell(()),
        tuple(cell(tuple(zip(by, combo, strict=True))) for combo in combinations),
    )


Breakdown = tuple[tuple[str, str], ...]


@lru_cache(maxsize=64)
def _published(
    scheme: str, inner: tuple[tuple[tuple[str, ...], int], ...], threshold: int
) -> dict[tuple[str, Breakdown], int | None]:
    """Every cell of the family ``scheme`` over these counts, by (indicator, breakdown),
    ``None`` where suppressed. The protection is a function of the counts alone: the same
    counts (every table a dashboard asks of one cohort, until a new event moves one) are
    protected once."""
    found = SCHEMES[scheme]
    nesting = {str(indicator): levels for indicator, levels in found.nesting.items()}
    dimensions = [d.value for d in found.dimensions]
    family = Family.up_to(dimensions, nesting, dict(inner), breakdowns=MOST)
    model = family.model()
    hidden = protect(model, threshold=threshold).suppressed
    return {
        (cell.indicator, cell.breakdown): None if n in hidden else cell.value
        for n, cell in enumerate(model.cells)
    }


def _values(
    scheme: Scheme, inner: tuple[tuple[tuple[str, ...], int], ...], months: Sequence[str]
) -> dict[Dimension, tuple[str, ...]]:
    """Each dimension's cells: every value it may take, then any other one counted (a channel
    intake added since, say), so that a dimension's cells always add up to the total."""
    known: dict[Dimension, tuple[str, ...]] = {
        Dimension.MONTH: tuple(months),
        Dimension.MUNICIPIO: tuple(str(m) for m in MUNICIPI),
        Dimension.TARGET_GROUP: tuple(TargetGroup),
        Dimension.ORGANISATION: (),  # the partners counted: the network's members change
    }
    for position, dimension in enumerate(scheme.dimensions, start=1):
        seen = {key[position] for key, _ in inner}
        known[dimension] += tuple(sorted(seen - set(known[dimension])))
    return known


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    found = []
    while (year, month) <= end:
        found.append(f"{year:04}-{month:02}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)
