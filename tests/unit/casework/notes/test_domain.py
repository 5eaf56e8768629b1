"""The note reading rule, level by level and role by role."""

from __future__ import annotations

import pytest

from kit.errors import Forbidden
from services.casework.notes.domain import Confidentiality, Reader, may_read, may_write

AUTHOR = "u-author"
LEVELS = list(Confidentiality)


@pytest.mark.parametrize(
    ("reader", "readable"),
    [
        (
            Reader("u-lead", of_lead_organisation=True, team_role=None),
            {"team", "lead_organisation"},
        ),
        (Reader("u-educator", of_lead_organisation=False, team_role="educator"), {"team"}),
        (Reader("u-out", of_lead_organisation=False, team_role=None), set()),
        (
            Reader("u-coord", of_lead_organisation=False, team_role=None, coordinator=True),
            set(),
        ),
    ],
)
def test_each_level_is_for_whom_it_says(reader: Reader, readable: set[str]) -> None:
    for level in LEVELS:
        assert may_read(reader, author=AUTHOR, confidentiality=level, health=False) is (
            level in readable
        )


def test_health_needs_a_team_role_that_needs_it_on_top_of_the_level() -> None:
    psychologist = Reader("u-psy", of_lead_organisation=False, team_role="psychologist")
    lead_not_on_team = Reader("u-lead", of_lead_organisation=True, team_role=None)
    team = Confidentiality.TEAM
    assert may_read(psychologist, author=AUTHOR, confidentiality=team, health=True)
    assert not may_read(lead_not_on_team, author=AUTHOR, confidentiality=team, health=True)
    assert not may_read(
        psychologist, author=AUTHOR, confidentiality=Confidentiality.AUTHOR_ONLY, health=True
    )
    with pytest.raises(Forbidden):
        may_write(lead_not_on_team, health=True)
    may_write(psychologist, health=True)


def test_the_author_always_reads_their_note() -> None:
    author = Reader(AUTHOR, of_lead_organisation=False, team_role=None)
    for level in LEVELS:
        assert may_read(author, author=AUTHOR, confidentiality=level, health=True)
