"""Household rules: relations, and what makes a valid composition. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from kit.errors import UnprocessableContent


class Relation(StrEnum):
    """A member's relation to the household's reference person (``head``)."""

    HEAD = "head"
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    OTHER_RELATIVE = "other_relative"
    GUARDIAN = "guardian"
    NOT_RELATED = "not_related"


class InvalidComposition(
    UnprocessableContent, slug="invalid-household", title="Invalid household composition"
): ...


def check_composition(relations: Sequence[Relation]) -> None:
    """A household has members, and at most one reference person (``head``)."""
    if not relations:
        raise InvalidComposition("A household needs at least one member.")
    if relations.count(Relation.HEAD) > 1:
        raise InvalidComposition("A household has at most one head (reference person).")
