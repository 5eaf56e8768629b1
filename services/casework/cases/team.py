"""Team rules: who is on a case, in which role, and who manages it. Pure: no I/O.

A case's team is its multidisciplinary équipe: members from several organisations, each a
network user (their Keycloak subject) acting for one organisation in one role. A member sees
the case from the day they join until the day they leave, when their access ends at once; the
membership stays in the case's history. One member is the case manager, who may change the
case even from another organisation than the lead; a running case always has one once it has
a team, so the manager leaves only after handing the role to someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kit.errors import Conflict, ValidationFailed


class TeamRole(StrEnum):
    SOCIAL_WORKER = "social_worker"  # assistente sociale
    EDUCATOR = "educator"  # educatore
    LEGAL_ADVISOR = "legal_advisor"
    CULTURAL_MEDIATOR = "cultural_mediator"  # mediatore culturale
    PSYCHOLOGIST = "psychologist"
    HOUSING_OFFICER = "housing_officer"
    OTHER = "other"


class AlreadyOnTeam(Conflict, slug="already-on-team", title="Already on the team"):
    """The user is an active member of the case's team already (409)."""


class MemberLeft(Conflict, slug="member-already-left", title="The member has left"):
    """A member who left cannot leave again or become case manager (409)."""


class ManagerLeaving(Conflict, slug="case-manager-leaving", title="The case manager cannot leave"):
    """The case manager leaves only once another member manages the case (409)."""


@dataclass(frozen=True)
class Member:
    """A membership as the rules need it."""

    user: str
    joined_on: date
    left_on: date | None

    @property
    def active(self) -> bool:
        return self.left_on is None


def join(active_users: frozenset[str], user: str, *, joined_on: date, today: date) -> date:
    """The date `user` joins on: not in the future, and not while already an active member."""
    if user in active_users:
        raise AlreadyOnTeam("This user is an active member of the team already.")
    if joined_on > today:
        raise ValidationFailed.for_field("joined_on", "must not be in the future", code="future")
    return joined_on


def leave(member: Member, *, left_on: date, today: date, case_manager: bool) -> date:
    """The date `member` leaves on: between the day they joined and today. The case manager
    does not leave: another member takes the role first."""
    if not member.active:
        raise MemberLeft("This member has left the team already.")
    if case_manager:
        raise ManagerLeaving("Make another member the case manager before this one leaves.")
    if left_on > today:
        raise ValidationFailed.for_field("left_on", "must not be in the future", code="future")
    if left_on < member.joined_on:
        raise ValidationFailed.for_field(
            "left_on", "must not be before the day the member joined", code="before_joining"
        )
    return left_on


def may_manage(member: Member) -> None:
    """Only an active member becomes the case manager."""
    if not member.active:
        raise MemberLeft("A member who has left cannot manage the case.")
