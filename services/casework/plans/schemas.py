"""The plans API contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictStr

from kit.schemas import CalendarDate, ClosedModel, Id, PublicModel, TrimmedText
from services.casework.plans.domain import Achievement, ActionStatus, PlanDomain

Description = Annotated[StrictStr, TrimmedText(1000)]


class GoalIn(ClosedModel):
    id: Id | None = Field(
        default=None,
        description="An existing goal's id to keep it; a new goal may bring its own (for its "
        "actions to point at) or get one",
    )
    domain: PlanDomain
    description: Description
    target_date: CalendarDate | None = None
    achievement: Achievement = Achievement.NOT_STARTED


class ActionIn(ClosedModel):
    id: Id | None = Field(default=None, description="An existing action's id to keep it")
    goal_id: Id | None = Field(default=None, description="The goal of this plan it serves")
    description: Description
    owner: Id = Field(description="The team member (membership id) who carries it out")
    due_date: CalendarDate | None = None
    status: ActionStatus = ActionStatus.PLANNED


class PlanIn(ClosedModel):
    """The whole plan as it is to be from now on: a new version."""

    goals: Annotated[list[GoalIn], Field(min_length=1, max_length=50)]
    actions: Annotated[list[ActionIn], Field(default_factory=list, max_length=200)]


class GoalPublic(PublicModel):
    id: Id
    domain: PlanDomain
    description: str
    target_date: date | None
    achievement: Achievement


class ActionPublic(PublicModel):
    id: Id
    goal_id: Id | None
    description: str
    owner: Id
    due_date: date | None
    status: ActionStatus


class PlanPublic(PublicModel):
    case_id: Id
    version: int = Field(
        description="This version's number (the plan's ETag when it is the latest)"
    )
    latest_version: int
    approved_version: int | None = Field(
        description="The version a supervisor approved as the case's first plan"
    )
    goals: list[GoalPublic]
    actions: list[ActionPublic]
    changed_by: str
    changed_at: datetime
    created_at: datetime
