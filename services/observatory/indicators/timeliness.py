"""How fast the network reaches people: hours from a referral's reception to its first contact
and to its hand-over. Pure: no I/O.

A timeliness indicator is a statistic (median, 90th percentile) of the referrals of the cohort
that reached the step, in each cell. It publishes no count, and its cell is shown only where
the count it is drawn from is published by the family's protection (referrals received for the
first contact, referrals handed over for the hand-over) and at least the threshold of referrals
make it: a statistic over a suppressed count is suppressed with it.

A hand-over is also the first reach of a person whose first contact was not recorded (intake's
rule, ``services/intake/referrals/sla.py``): its time is the first contact's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from statistics import median

from services.observatory.indicators.breakdowns import FLOWS, Cell, Dimension, Table
from services.observatory.indicators.domain import Indicator


class Step(StrEnum):
    FIRST_CONTACT = "first_contact"
    HAND_OVER = "hand_over"


class Statistic(StrEnum):
    MEDIAN = "median"
    P90 = "p90"


@dataclass(frozen=True)
class Timeliness:
    step: Step
    statistic: Statistic
    drawn_from: Indicator
    """The count whose published cells this statistic's cells follow."""


TIMELINESS: Mapping[Indicator, Timeliness] = {
    Indicator.FIRST_CONTACT_HOURS_MEDIAN: Timeliness(
        Step.FIRST_CONTACT, Statistic.MEDIAN, Indicator.REFERRALS_RECEIVED
    ),
    Indicator.FIRST_CONTACT_HOURS_P90: Timeliness(
        Step.FIRST_CONTACT, Statistic.P90, Indicator.REFERRALS_RECEIVED
    ),
    Indicator.HAND_OVER_HOURS_MEDIAN: Timeliness(
        Step.HAND_OVER, Statistic.MEDIAN, Indicator.REFERRALS_HANDED_OVER
    ),
    Indicator.HAND_OVER_HOURS_P90: Timeliness(
        Step.HAND_OVER, Statistic.P90, Indicator.REFERRALS_HANDED_OVER
    ),
}


@dataclass(frozen=True)
class Timing:
    """One unit's measure (a referral's hours to a step, a household's days of waiting): its
    values of the dimensions (in `FLOWS`' order) and the measure."""

    values: tuple[str, ...]
    value: float


def hours_between(received_at: datetime, done_at: datetime) -> float:
    """Elapsed hours (UTC arithmetic: a change of summer time does not add or lose one)."""
    return (done_at - received_at).total_seconds() / 3600


def p90(hours: Sequence[float]) -> float:
    """The 90th percentile by nearest rank: the smallest of the values that at least 90 % of
    them do not exceed (always one of the values, the way SLA reports count)."""
    ordered = sorted(hours)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _statistic(statistic: Statistic, values: Sequence[float]) -> float:
    value = median(values) if statistic is Statistic.MEDIAN else p90(values)
    return round(value, 1)


def statistic_table(
    timings: Iterable[Timing],
    indicator: Indicator,
    statistic: Statistic,
    drawn_from: Table,
    *,
    threshold: int,
) -> Table:
    """``indicator``, the ``statistic`` of the timings' measure, in each cell of
    ``drawn_from`` (its count's published table, same breakdowns): suppressed where that cell
    is, or where fewer than ``threshold`` units make it."""
    by = drawn_from.by
    positions = [FLOWS.index(dimension) for dimension in by]
    grouped: dict[tuple[str, ...], list[float]] = defaultdict(list)
    every: list[float] = []
    for timing in timings:
        grouped[tuple(timing.values[p] for p in positions)].append(timing.value)
        every.append(timing.value)

    def cell(count: Cell, hours: Sequence[float]) -> Cell:
        hidden = count.suppressed or len(hours) < threshold
        return Cell(count.breakdown, None if hidden else _statistic(statistic, hours))

    def values(breakdown: tuple[tuple[Dimension, str], ...]) -> tuple[str, ...]:
        return tuple(value for _, value in breakdown)

    return Table(
        indicator,
        by,
        cell(drawn_from.total, every),
        tuple(cell(count, grouped.get(values(count.breakdown), [])) for count in drawn_from.cells),
    )
