"""Individual plan rules (PEI/PAI, piano educativo / assistenziale individualizzato). Pure.

A plan is the case team's agreement with the person: goals per life domain, each with a
target date and how far it is achieved, and actions that serve them, each owned by a team
member, with a due date and a status. A plan is never edited in place: every change is a new
version of the whole plan, from the version it was made on (``If-Match``), so every version
can be read back and no change is lost to another made at the same time. Goals and actions
keep their ids from version to version (a client names the existing ones, and may choose the
ids of new ones so that an action can point at a goal in the same document).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from kit.errors import ValidationFailed


class PlanDomain(StrEnum):
    HOUSING = "housing"
    WORK = "work"
    EDUCATION = "education"
    LANGUAGE = "language"
    HEALTH = "health"
    LEGAL_STATUS = "legal_status"
    SOCIAL_TIES = "social_ties"
    INCOME = "income"


class Achievement(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PARTLY_ACHIEVED = "partly_achieved"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Goal:
    id: uuid.UUID | None  # None: a new goal, given an id when the version is made
    domain: PlanDomain
    description: str
    target_date: date | None
    achievement: Achievement


@dataclass(frozen=True)
class Action:
    id: uuid.UUID | None
    goal_id: uuid.UUID | None
    description: str
    owner: uuid.UUID  # a team member's id
    due_date: date | None
    status: ActionStatus


@dataclass(frozen=True)
class Content:
    """What one version of a plan says."""

    goals: tuple[Goal, ...]
    actions: tuple[Action, ...]


def _invalid(path: tuple[str | int, ...], message: str, code: str) -> ValidationFailed:
    return ValidationFailed.for_field(path, message, code=code)


def revise(
    proposed: Content,
    *,
    active_members: Collection[uuid.UUID],
    owners_before: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> Content:
    """The content of the next version: every goal and action with its id (new ones get
    one), checked. Ids are unique within the plan; an action points at a goal of this
    version; its owner is an active team member, or the one it had in the version before (a
    member who left keeps the actions that were theirs)."""
    before = owners_before or {}
    goals = tuple(g if g.id is not None else replace(g, id=uuid.uuid4()) for g in proposed.goals)
    _unique([g.id for g in goals], "goals")
    actions = tuple(
        a if a.id is not None else replace(a, id=uuid.uuid4()) for a in proposed.actions
    )
    _unique([a.id for a in actions], "actions")
    goal_ids = {g.id for g in goals}
    for index, action in enumerate(actions):
        if action.goal_id is not None and action.goal_id not in goal_ids:
            raise _invalid(
                ("actions", index, "goal_id"), "is not a goal of this plan", "unknown_goal"
            )
        kept = action.id is not None and before.get(action.id) == action.owner
        if action.owner not in active_members and not kept:
            raise _invalid(
                ("actions", index, "owner"), "is not an active member of the team", "not_a_member"
            )
    return Content(goals=goals, actions=actions)


def owners(content: Content) -> dict[uuid.UUID, uuid.UUID]:
    """Each action's owner, by action id."""
    return {a.id: a.owner for a in content.actions if a.id is not None}


def _unique(ids: Sequence[uuid.UUID | None], field: str) -> None:
    seen: set[uuid.UUID | None] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            raise _invalid((field, index, "id"), "is used twice in this plan", "duplicate_id")
        seen.add(ident)
