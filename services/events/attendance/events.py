"""Events the events service publishes about attendance (topic ``lgnet.events.initiatives``,
key the initiative id). Counts, and the intake ``person_ref`` of beneficiaries checked in;
never a public registrant, a device's label or a comment."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type
from services.events.initiatives.service import TOPIC


class AttendanceRecordedData(EventData):
    """What a batch of scans counted, and the session's totals after it."""

    initiative_id: uuid.UUID
    session_id: uuid.UUID
    checked_in: int
    walk_ins: int
    refused: int
    beneficiaries_checked_in: list[uuid.UUID]  # person_refs
    total_checked_in: int
    total_walk_ins: int
    recorded_at: datetime


class FeedbackGivenData(EventData):
    initiative_id: uuid.UUID
    session_id: uuid.UUID
    registrant: str  # beneficiary | public
    usefulness: int
    given_at: datetime


AttendanceRecorded = event_type(
    "lgnet.events.attendance.recorded", topic=TOPIC, payload=AttendanceRecordedData
)
FeedbackGiven = event_type("lgnet.events.feedback.given", topic=TOPIC, payload=FeedbackGivenData)
