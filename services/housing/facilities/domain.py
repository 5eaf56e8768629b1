"""Facility rules: the vocabularies of housing, who a facility admits, how its beds are let and
counted, who changes it. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kit.errors import Conflict, Forbidden, ValidationFailed
from kit.schemas import TargetGroup  # intake's referrals use the same vocabulary

MAX_AGE = 120
"""An age range's upper bound when a facility sets none."""


class FacilityKind(StrEnum):
    SHELTER = "shelter"  # rifugio: short, low-threshold stays
    CO_HOUSING = "co_housing"  # co-abitazione solidale
    AUTONOMY_APARTMENT = "autonomy_apartment"  # the last step before housing autonomy


class SexPolicy(StrEnum):
    """Whom a facility houses: men only, women only, anyone, or families (a household with
    minors or a couple), whose members are never housed apart."""

    MALE = "male"
    FEMALE = "female"
    MIXED = "mixed"
    FAMILY = "family"


class Letting(StrEnum):
    """How a unit is let: whole, to one household whatever its size, or by the bed, to as many
    households as it has free beds."""

    WHOLE = "whole"
    BY_BED = "by_bed"


class NotOperating(
    Forbidden, slug="not-operating-the-facility", title="Your organisation does not run it"
):
    """A facility and its units are changed by the housing coordinators of the organisation
    that runs it, or by the Comune's coordinators (403)."""


class BedsInUse(Conflict, slug="beds-in-use", title="The beds are in use"):
    """A unit cannot have fewer beds than are taken, nor be let whole while several
    households share it (409)."""


def canonical_target_groups(groups: Iterable[TargetGroup | str]) -> list[TargetGroup]:
    """Each target group once, in the vocabulary's order.

    A facility's target groups are a set: ``[young_adult, unaccompanied_minor, young_adult]``
    and ``[unaccompanied_minor, young_adult]`` are the same facility, so they are stored,
    shown and published identically. An unknown name raises ``ValueError``.
    """
    wanted = {TargetGroup(group) for group in groups}
    return [group for group in TargetGroup if group in wanted]


class InvalidAgeRange(ValidationFailed, slug="invalid-age-range", title="Invalid age range"):
    """``max_age`` below ``min_age`` (422)."""


def require_age_range(min_age: int, max_age: int | None) -> None:
    """422 ``invalid-age-range`` unless ``min_age <= max_age`` (no upper bound: `MAX_AGE`)."""
    if min_age > (MAX_AGE if max_age is None else max_age):
        raise InvalidAgeRange.for_field("max_age", "must not be below min_age", code="age_range")


def may_operate(*, operator_organisation: str, organisation: str, coordinator: bool) -> None:
    """The facility's own organisation changes it, and the Comune's coordinators (`coordinator`)
    any facility."""
    if not coordinator and organisation != operator_organisation:
        raise NotOperating(
            "Only the organisation that runs the facility, or a Comune coordinator, changes it."
        )


def free_beds(*, beds: int, letting: Letting, beds_taken: int, households: int) -> int:
    """A unit's free beds: none once a household holds a unit let whole; otherwise its beds
    less those taken (by placements and the holds of live proposals)."""
    if letting is Letting.WHOLE and households > 0:
        return 0
    return max(beds - beds_taken, 0)


def require_beds_cover(*, beds: int, letting: Letting, beds_taken: int, households: int) -> None:
    """409 unless a unit of `beds`, let so, still holds what is placed and held in it."""
    if beds < beds_taken:
        raise BedsInUse(f"{beds_taken} beds of the unit are taken: it cannot have {beds}.")
    if letting is Letting.WHOLE and households > 1:
        raise BedsInUse(f"{households} households share the unit: it cannot be let whole.")
