"""The ``policy_versions`` table: every version of every policy, only ever added to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field as SQLField

from kit.db import UtcDateTime, utcnow
from kit.tables import KitTable


class PolicyVersion(KitTable, table=True):
    """One version of a policy; rows are only ever added."""

    __tablename__ = "policy_versions"
    __table_args__ = (Index(None, "policy", "effective_from"),)

    policy: str = SQLField(primary_key=True, max_length=100)
    version: int = SQLField(primary_key=True, sa_column_kwargs={"autoincrement": False})
    effective_from: datetime = SQLField(sa_type=UtcDateTime)
    document: dict[str, Any] = SQLField(sa_type=JSON)
    subject: str = SQLField(max_length=255)
    organisation: str = SQLField(max_length=100)
    why: str = SQLField(sa_type=Text)
    recorded_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
