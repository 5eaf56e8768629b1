"""Events casework publishes about approvals (topic ``lgnet.casework.cases``, key the case id,
so that an approval's events and its case's stay in one order). Neither users nor reasons
(free text) appear: who decided is in the approval, for those who see the case."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"  # the cases' topic: an approval is a step of its case


class ApprovalData(EventData):
    approval_id: uuid.UUID
    case_id: uuid.UUID
    lead_organisation: str
    subject: str
    status: str
    plan_version: int | None
    requested_at: datetime


class ApprovalDecidedData(ApprovalData):
    decided_at: datetime


ApprovalRequested = event_type(
    "lgnet.casework.approval.requested", topic=TOPIC, payload=ApprovalData
)
ApprovalDecided = event_type(
    "lgnet.casework.approval.decided", topic=TOPIC, payload=ApprovalDecidedData
)
