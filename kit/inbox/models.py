"""The inbox table: which events a consumer has applied. Its primary key does the dedupe."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import KitTable


class InboxEntry(KitTable, table=True):
    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: uuid.UUID = Field(primary_key=True)
    event_type: str = Field(max_length=200)
    processed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
