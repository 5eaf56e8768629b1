"""The audit log's use cases: record accesses, read the log, verify the chain."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import repository
from kit.audit.chain import GENESIS_HASH, check_entry, enqueue
from kit.audit.models import AuditAction, AuditEntry, AuditPurpose
from kit.audit.repository import EntryFilter
from kit.audit.schemas import ChainReport
from kit.auth import Principal
from kit.db import utcnow
from kit.logs import current_request_id
from kit.pagination import Page, PageParams
from kit.telemetry import current_trace_id


class _Identified(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


R = TypeVar("R", bound=_Identified)

_RESOURCE_TYPE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")
_VERIFY_BATCH = 1000


async def record_access(
    session: AsyncSession,
    principal: Principal,
    *,
    action: AuditAction,
    resource_type: str,
    resource_id: uuid.UUID,
    purpose: AuditPurpose,
) -> None:
    """Audit `principal`'s `action` on one resource, appended when `session` commits.

    `resource_type` is a short code (``person``, ``case``, ``referral``…); `resource_id`
    its UUID.  Raises `ValueError` for an action or purpose outside the vocabularies.
    """
    await record_accesses(
        session,
        principal,
        action=action,
        resource_type=resource_type,
        resource_ids=[resource_id],
        purpose=purpose,
    )


async def record_accesses(
    session: AsyncSession,
    principal: Principal,
    *,
    action: AuditAction,
    resource_type: str,
    resource_ids: Iterable[uuid.UUID],
    purpose: AuditPurpose,
) -> None:
    """`record_access` for several resources at once (e.g. each person on a listed page)."""
    action = AuditAction(action)
    purpose = AuditPurpose(purpose)
    if not _RESOURCE_TYPE.fullmatch(resource_type):
        raise ValueError(f"resource_type must be a short lower-case code: {resource_type!r}")
    now = utcnow()
    trace_id, request_id = current_trace_id(), current_request_id()
    entries = []
    for resource_id in resource_ids:
        if not isinstance(resource_id, uuid.UUID):
            raise TypeError("resource_id must be a UUID")
        entries.append(
            {
                "recorded_at": now,
                "subject": principal.subject,
                "username": principal.username,
                "client_id": principal.client_id,
                "organisation": principal.organisation,
                "action": action.value,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "purpose": purpose.value,
                "trace_id": trace_id,
                "request_id": request_id,
            }
        )
    enqueue(session.sync_session, entries)


@dataclass(frozen=True)
class AuditScope:
    """What a feature audits: one kind of resource, read or changed for one purpose.

    Declared once per feature (``HOUSEHOLDS = AuditScope("household",
    AuditPurpose.REFERRAL_HANDLING)``), it records an access in one line:
    ``await HOUSEHOLDS.record(session, principal, AuditAction.READ, household.id)``, or
    audits what a use case returns: ``return await HOUSEHOLDS.read(session, principal,
    household)``, ``return await HOUSEHOLDS.listed(session, principal, page)``.
    """

    resource_type: str
    purpose: AuditPurpose

    def __post_init__(self) -> None:
        if not _RESOURCE_TYPE.fullmatch(self.resource_type):
            raise ValueError(
                f"resource_type must be a short lower-case code: {self.resource_type!r}"
            )
        object.__setattr__(self, "purpose", AuditPurpose(self.purpose))

    async def record(
        self,
        session: AsyncSession,
        principal: Principal,
        action: AuditAction,
        *resource_ids: uuid.UUID,
    ) -> None:
        """Audit `principal`'s `action` on each of `resource_ids` (none: nothing is recorded),
        appended when `session` commits."""
        await record_accesses(
            session,
            principal,
            action=action,
            resource_type=self.resource_type,
            resource_ids=resource_ids,
            purpose=self.purpose,
        )

    async def read(self, session: AsyncSession, principal: Principal, row: R) -> R:
        """`row`, once `principal`'s READ of it is recorded."""
        await self.record(session, principal, AuditAction.READ, row.id)
        return row

    async def listed(self, session: AsyncSession, principal: Principal, page: Page[R]) -> Page[R]:
        """`page`, once `principal`'s LIST of each row on it is recorded."""
        await self.record(session, principal, AuditAction.LIST, *(row.id for row in page.items))
        return page


async def list_entries(
    session: AsyncSession, filters: EntryFilter, page: PageParams
) -> Page[AuditEntry]:
    """One page of the entries matching `filters`, newest first."""
    return await repository.list_entries(session, filters, page)


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Recompute every entry's hash and link, in sequence order, and report the first break:

    - ``missing``: a gap in the sequence (an entry was deleted);
    - ``altered``: an entry's content no longer gives its stored hash (edited, or entries
      swapped or renumbered);
    - ``broken_link``: an entry's ``previous_hash`` is not its predecessor's hash (an entry
      inserted or replaced with a recomputed hash).
    """
    expected_sequence, previous, checked = 1, GENESIS_HASH, 0
    last_sequence = 0
    while True:
        batch = await repository.entries_after(session, last_sequence, limit=_VERIFY_BATCH)
        if not batch:
            break
        for entry in batch:
            problem = check_entry(entry, expected_sequence, previous)
            if problem is not None:
                return ChainReport(ok=False, entries_checked=checked, first_problem=problem)
            checked += 1
            expected_sequence, previous = entry.sequence + 1, entry.hash
        last_sequence = batch[-1].sequence
        for entry in batch:
            session.expunge(entry)  # a long chain need not stay in the session
    head = (expected_sequence - 1, previous) if checked else (None, None)
    return ChainReport(ok=True, entries_checked=checked, head_sequence=head[0], head_hash=head[1])
