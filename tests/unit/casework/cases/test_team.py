"""Team rules: joining, leaving, managing."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import ValidationFailed
from services.casework.cases.team import (
    AlreadyOnTeam,
    ManagerLeaving,
    Member,
    MemberLeft,
    join,
    leave,
    may_manage,
)

TODAY = date(2026, 12, 1)
MEMBER = Member(user="u-1", joined_on=date(2026, 11, 1), left_on=None)


def test_a_user_joins_on_the_day_given_up_to_today() -> None:
    assert join(frozenset(), "u-1", joined_on=TODAY, today=TODAY) == TODAY
    assert join(frozenset({"u-2"}), "u-1", joined_on=date(2026, 1, 5), today=TODAY) == date(
        2026, 1, 5
    )


def test_no_one_joins_in_the_future_or_twice() -> None:
    with pytest.raises(ValidationFailed):
        join(frozenset(), "u-1", joined_on=date(2026, 12, 2), today=TODAY)
    with pytest.raises(AlreadyOnTeam):
        join(frozenset({"u-1"}), "u-1", joined_on=TODAY, today=TODAY)


def test_a_member_leaves_between_joining_and_today() -> None:
    assert leave(MEMBER, left_on=TODAY, today=TODAY, case_manager=False) == TODAY
    assert leave(MEMBER, left_on=MEMBER.joined_on, today=TODAY, case_manager=False) == (
        MEMBER.joined_on
    )
    with pytest.raises(ValidationFailed):
        leave(MEMBER, left_on=date(2026, 10, 31), today=TODAY, case_manager=False)
    with pytest.raises(ValidationFailed):
        leave(MEMBER, left_on=date(2026, 12, 2), today=TODAY, case_manager=False)


def test_a_member_leaves_once_and_the_manager_hands_over_first() -> None:
    gone = Member(user="u-1", joined_on=date(2026, 11, 1), left_on=date(2026, 11, 20))
    with pytest.raises(MemberLeft):
        leave(gone, left_on=TODAY, today=TODAY, case_manager=False)
    with pytest.raises(ManagerLeaving):
        leave(MEMBER, left_on=TODAY, today=TODAY, case_manager=True)
    with pytest.raises(MemberLeft):
        may_manage(gone)
    may_manage(MEMBER)
