"""Policy use cases: the version in force, the history, proposing a new version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound
from kit.pagination import Page, PageParams
from kit.policy import repository
from kit.policy.errors import PolicyBackdated
from kit.policy.kinds import PolicyKind, PolicyVersionRecord, T
from kit.policy.models import PolicyVersion


def _record(kind: PolicyKind[T], row: PolicyVersion) -> PolicyVersionRecord[T]:
    return PolicyVersionRecord(
        policy=row.policy,
        version=row.version,
        effective_from=row.effective_from,
        document=kind.schema.model_validate(row.document),
        subject=row.subject,
        organisation=row.organisation,
        why=row.why,
        recorded_at=row.recorded_at,
    )


async def current_version(
    session: AsyncSession, kind: PolicyKind[T], *, at: datetime | None = None
) -> PolicyVersionRecord[T] | None:
    """The version of `kind` in force at `at` (default now): the latest with
    ``effective_from <= at``; None while only the default applies."""
    at = at or utcnow()
    if at.tzinfo is None:
        raise ValueError("naive datetime given as 'at'")
    row = await repository.in_force(session, kind.name, at)
    return None if row is None else _record(kind, row)


async def current(session: AsyncSession, kind: PolicyKind[T], *, at: datetime | None = None) -> T:
    """The document of `kind` in force at `at` (default now), or `kind.default`."""
    record = await current_version(session, kind, at=at)
    return kind.default if record is None else record.document


def _rewrites_history(effective_from: datetime, latest_from: datetime, now: datetime) -> bool:
    return effective_from < latest_from or (effective_from == latest_from and latest_from <= now)


async def propose(
    session: AsyncSession,
    kind: PolicyKind[T],
    document: T | Mapping[str, Any],
    *,
    effective_from: datetime,
    principal: Principal,
    why: str,
) -> PolicyVersionRecord[T]:
    """Validate `document` and append it as the next version of `kind` (flushed, not committed).

    `effective_from` may be in the future.  It may not precede the latest version's
    (`PolicyBackdated`, 409); it may equal it only while that version is not yet in force
    (replacing a scheduled version), since otherwise decisions already taken under it
    would be judged under another rule.  `why` is the coordinator's justification.
    """
    if effective_from.tzinfo is None or effective_from.utcoffset() is None:
        raise ValueError("naive datetime given as effective_from")
    why = why.strip()
    if not why:
        raise ValueError("why is required")
    valid = kind.validate(document)
    # two coordinators proposing at once get consecutive versions, checked in turn
    await repository.lock(session, kind.name)
    latest = await repository.latest(session, kind.name)
    now = utcnow()
    if latest is not None and _rewrites_history(effective_from, latest.effective_from, now):
        raise PolicyBackdated(
            f"Version {latest.version} of {kind.name!r} is effective from "
            f"{latest.effective_from.isoformat()}; a new version must take effect later.",
            extensions={"latest_effective_from": latest.effective_from},
        )
    row = PolicyVersion(
        policy=kind.name,
        version=1 if latest is None else latest.version + 1,
        effective_from=effective_from,
        document=valid.model_dump(mode="json"),
        subject=principal.subject,
        organisation=principal.organisation,
        why=why,
        recorded_at=now,
    )
    await repository.add(session, row)
    return _record(kind, row)


async def history(session: AsyncSession, kind: PolicyKind[T]) -> list[PolicyVersionRecord[T]]:
    """Every recorded version of `kind`, oldest first."""
    return [_record(kind, row) for row in await repository.all_versions(session, kind.name)]


async def versions(
    session: AsyncSession, kind: PolicyKind[T], page: PageParams
) -> Page[PolicyVersionRecord[T]]:
    """One page of the recorded versions of `kind`, oldest first."""
    result = await repository.page_of_versions(session, kind.name, page)
    return result.map(lambda row: _record(kind, row))


async def version(
    session: AsyncSession, kind: PolicyKind[T], number: int
) -> PolicyVersionRecord[T]:
    """Version `number` of `kind`; `NotFound` if there is none."""
    row = await repository.get(session, kind.name, number)
    if row is None:
        raise NotFound(f"Policy {kind.name!r} has no version {number}.")
    return _record(kind, row)
