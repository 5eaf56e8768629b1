"""Household composition rules, and the schema that states them. Pure."""

from __future__ import annotations

import uuid

import jsonschema
import pytest

from services.intake.households.domain import InvalidComposition, Relation, check_composition
from services.intake.households.schemas import HouseholdIn


def test_a_household_has_members_and_at_most_one_head() -> None:
    check_composition([Relation.HEAD, Relation.CHILD, Relation.CHILD])
    check_composition([Relation.CHILD, Relation.SIBLING])  # no head recorded yet: allowed
    with pytest.raises(InvalidComposition):
        check_composition([])
    with pytest.raises(InvalidComposition):
        check_composition([Relation.HEAD, Relation.PARTNER, Relation.HEAD])


def _valid_by_schema(relations: list[Relation]) -> bool:
    schema = HouseholdIn.model_json_schema()
    members = [{"person_id": str(uuid.uuid4()), "relation": r.value} for r in relations]
    validator = jsonschema.Draft202012Validator(schema)
    return validator.is_valid({"members": members})


@pytest.mark.parametrize(
    "relations",
    [
        [Relation.HEAD, Relation.CHILD, Relation.CHILD],
        [Relation.CHILD, Relation.SIBLING],
        [],
        [Relation.HEAD, Relation.PARTNER, Relation.HEAD],
    ],
)
def test_the_schema_states_the_composition_rule(relations: list[Relation]) -> None:
    """What the OpenAPI calls valid is what `check_composition` takes: one head at most."""
    try:
        check_composition(relations)
    except InvalidComposition:
        allowed = False
    else:
        allowed = True
    assert _valid_by_schema(relations) is allowed
