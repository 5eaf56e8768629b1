"""Offline sync tables (private to intake): the kept result of each item, and the conflicts
queued for an operator."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable


class SyncItem(IntakeTable, table=True):
    """The final result of one uploaded item, keyed by its owner (the organisation: a unit's
    device is shared by the team's operators) and client_id. The primary key refuses a
    second one, so a retry — even a concurrent one — never stores the item twice."""

    __tablename__ = "sync_items"

    owner: str = Field(max_length=100, primary_key=True)
    client_id: uuid.UUID = Field(primary_key=True)
    device_id: str = Field(max_length=100, index=True)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    resource_id: uuid.UUID | None = None
    fingerprint: str = Field(max_length=64)
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_by: str = Field(max_length=100)
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SyncConflict(IntakeTable, table=True):
    """An offline edit that would overwrite a field changed on the server since the version
    the device saw; it waits for an operator to apply or discard it."""

    __tablename__ = "sync_conflicts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation: str = Field(max_length=100, index=True)
    device_id: str = Field(max_length=100)
    client_id: uuid.UUID
    person_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    base_version: int
    server_version: int
    proposed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    conflicting_fields: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(max_length=20, index=True)
    resolution: str | None = Field(default=None, max_length=20)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
