"""Events casework publishes about cases and their teams (topic ``lgnet.casework.cases``, key
the case id, so one case's events stay in order).

No direct identifiers: case, referral, person and member ids are pseudonymous references,
place is the Municipio, users and free text (a closure's reason) never appear.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class CaseEventData(EventData):
    """What every case event carries: the facts a case is counted by."""

    case_id: uuid.UUID
    lead_organisation: str
    target_group: str
    municipio: int


class CaseOpenedData(CaseEventData):
    origin: str
    referral_id: uuid.UUID | None  # None: opened by a case worker, not from a hand-over
    urgency: str
    person_refs: list[uuid.UUID]
    opened_at: datetime
    referral_received_at: datetime | None


class CaseStatusChangedData(CaseEventData):
    from_status: str
    status: str
    changed_at: datetime


class CaseClosedData(CaseEventData):
    outcome: str
    opened_at: datetime
    closed_at: datetime
    approval_id: uuid.UUID


class CaseReopenedData(CaseEventData):
    closed_at: datetime
    reopened_at: datetime


class TeamMemberData(CaseEventData):
    member_id: uuid.UUID
    member_organisation: str
    role: str
    joined_on: date
    left_on: date | None


class CaseManagerChangedData(CaseEventData):
    member_id: uuid.UUID
    member_organisation: str
    changed_at: datetime


CaseOpened = event_type(
    "lgnet.casework.case.opened", topic=TOPIC, payload=CaseOpenedData, version=2
)
CaseStatusChanged = event_type(
    "lgnet.casework.case.status_changed", topic=TOPIC, payload=CaseStatusChangedData
)
CaseClosed = event_type("lgnet.casework.case.closed", topic=TOPIC, payload=CaseClosedData)
CaseReopened = event_type("lgnet.casework.case.reopened", topic=TOPIC, payload=CaseReopenedData)
TeamMemberJoined = event_type(
    "lgnet.casework.team.member_joined", topic=TOPIC, payload=TeamMemberData
)
TeamMemberLeft = event_type("lgnet.casework.team.member_left", topic=TOPIC, payload=TeamMemberData)
CaseManagerChanged = event_type(
    "lgnet.casework.case.manager_changed", topic=TOPIC, payload=CaseManagerChangedData
)


class ReviewRecordedData(CaseEventData):
    cycle: int
    outcome: str
    reviewed_at: datetime
    next_review_due_at: datetime | None


class ReviewOverdueData(CaseEventData):
    cycle: int
    due_at: datetime


ReviewRecorded = event_type(
    "lgnet.casework.review.recorded", topic=TOPIC, payload=ReviewRecordedData
)
ReviewOverdue = event_type("lgnet.casework.review.overdue", topic=TOPIC, payload=ReviewOverdueData)


class CaseAnonymisedData(CaseEventData):
    outcome: str | None
    closed_at: datetime | None
    anonymised_at: datetime


CaseAnonymised = event_type(
    "lgnet.casework.case.anonymised", topic=TOPIC, payload=CaseAnonymisedData
)
