"""Household composition rules. Pure."""

from __future__ import annotations

import pytest

from services.intake.households.domain import InvalidComposition, Relation, check_composition


def test_a_household_has_members_and_at_most_one_head() -> None:
    check_composition([Relation.HEAD, Relation.CHILD, Relation.CHILD])
    check_composition([Relation.CHILD, Relation.SIBLING])  # no head recorded yet: allowed
    with pytest.raises(InvalidComposition):
        check_composition([])
    with pytest.raises(InvalidComposition):
        check_composition([Relation.HEAD, Relation.PARTNER, Relation.HEAD])
