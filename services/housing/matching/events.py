"""Events housing publishes about matching runs (topic ``lgnet.housing.matching``): counts
and what the solver proved, nothing about any household."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.housing.matching"


class MatchingRunCompletedData(EventData):
    run_id: uuid.UUID
    policy_version: int | None
    requests: int
    vacancies: int
    pairs: int
    housed: int
    total_priority: float
    optimal: bool
    gap: float
    seconds: float
    created_at: datetime


MatchingRunCompleted = event_type(
    "lgnet.housing.matching_run.completed", topic=TOPIC, payload=MatchingRunCompletedData
)
