"""Facility rules: the vocabularies of housing and how target groups are kept. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kit.schemas import TargetGroup  # intake's referrals use the same vocabulary


class FacilityKind(StrEnum):
    SHELTER = "shelter"  # rifugio: short, low-threshold stays
    CO_HOUSING = "co_housing"  # co-abitazione solidale
    AUTONOMY_APARTMENT = "autonomy_apartment"  # the last step before housing autonomy


class SexAdmitted(StrEnum):
    ANY = "any"
    MALE = "male"
    FEMALE = "female"


def canonical_target_groups(groups: Iterable[TargetGroup | str]) -> list[TargetGroup]:
    """Each target group once, in the vocabulary's order.

    A facility's target groups are a set: ``[young_adult, unaccompanied_minor, young_adult]``
    and ``[unaccompanied_minor, young_adult]`` are the same facility, so they are stored,
    shown and published identically. An unknown name raises ``ValueError``.
    """
    wanted = {TargetGroup(group) for group in groups}
    return [group for group in TargetGroup if group in wanted]
