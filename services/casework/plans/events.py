"""Events casework publishes about plans (on the cases' topic, key the case id, so that a
plan's versions and its case's steps stay in one order). What a plan says (free text) never
appears: only which domains it covers and how far along it is."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class PlanRevisedData(EventData):
    case_id: uuid.UUID
    lead_organisation: str
    target_group: str
    municipio: int
    plan_version: int
    domains: list[str]
    goals: int
    goals_achieved: int
    actions: int
    actions_done: int
    changed_at: datetime


PlanRevised = event_type("lgnet.casework.plan.revised", topic=TOPIC, payload=PlanRevisedData)
