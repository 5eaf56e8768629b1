"""What the audit API returns: entries, and the outcome of verifying the chain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from kit.schemas import PublicModel


class ChainProblem(BaseModel):
    """The first place where the chain does not hold."""

    sequence: int
    kind: Literal["missing", "altered", "broken_link"]
    detail: str


class ChainReport(BaseModel):
    """The outcome of `verify_chain`; keep ``head_hash`` elsewhere to detect truncation."""

    ok: bool
    entries_checked: int
    head_sequence: int | None = None
    head_hash: str | None = None
    first_problem: ChainProblem | None = None


class AuditEntryPublic(PublicModel):
    sequence: int
    recorded_at: datetime
    subject: str
    username: str
    client_id: str
    organisation: str
    action: str
    resource_type: str
    resource_id: uuid.UUID
    purpose: str
    trace_id: str | None
    request_id: str | None
    previous_hash: str
    hash: str
