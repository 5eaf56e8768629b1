"""Steps the use cases of every feature share (its ``service.py``): they flush, never commit.

A creation is a row built from its input and stamped with its author (`created_by`), then
saved with the event that announces it (`add_announced`)::

    initiative = Initiative(
        **initiative_in.model_dump(), organiser_organisation=org, **created_by(principal)
    )
    return await add_announced(
        session, initiative, InitiativeCreated, organisation=org, initiative_id=initiative.id
    )
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.events.types import EventData, EventType
from kit.outbox import record_event


class _Row(Protocol):
    id: uuid.UUID


R = TypeVar("R", bound=_Row)
P = TypeVar("P", bound=EventData)


def created_by(principal: Principal, now: datetime | None = None) -> dict[str, Any]:
    """The columns a new row's author sets: ``created_by`` (the principal's subject),
    ``created_at`` and ``updated_at`` (`now`, the current time if not given)."""
    now = now or utcnow()
    return {"created_by": principal.subject, "created_at": now, "updated_at": now}


async def add_announced(
    session: AsyncSession, row: R, event: EventType[P], *, organisation: str | None, **fields: Any
) -> R:
    """Add the new `row` and record the `event` announcing it, in the same transaction.

    The flush comes first, so a unique constraint fails before any event is recorded. The
    payload is ``event.payload.of(row, **fields)`` (`fields` as given, the others read from
    the row), the event's subject the row's id, `organisation` the one it is published for.
    """
    session.add(row)
    await session.flush()
    data = event.payload.of(row, **fields)
    await record_event(session, event, data, subject=str(row.id), organisation=organisation)
    return row
