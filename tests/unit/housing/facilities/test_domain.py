"""Facility rules, without I/O."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.schemas import TargetGroup
from services.housing.facilities.domain import canonical_target_groups

groups = st.lists(st.sampled_from(list(TargetGroup)), max_size=10)


def test_target_groups_are_kept_once_each_in_the_vocabulary_order() -> None:
    assert canonical_target_groups(["young_adult", "unaccompanied_minor", "young_adult"]) == [
        TargetGroup.UNACCOMPANIED_MINOR,
        TargetGroup.YOUNG_ADULT,
    ]


def test_an_unknown_target_group_is_refused() -> None:
    with pytest.raises(ValueError, match="pets"):
        canonical_target_groups(["vulnerable_family", "pets"])


@given(groups, st.randoms())
def test_the_same_set_of_groups_is_kept_the_same_way_whatever_the_order(
    chosen: list[TargetGroup], random: Random
) -> None:
    shuffled = list(chosen)
    random.shuffle(shuffled)
    assert canonical_target_groups(shuffled) == canonical_target_groups(chosen)
    assert set(canonical_target_groups(chosen)) == set(chosen)
    assert canonical_target_groups(canonical_target_groups(chosen)) == canonical_target_groups(
        chosen
    )
