"""Policy queries: the only place that builds SQL on ``policy_versions``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.policy.models import PolicyVersion


def _lock_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"lgnet-policy\0{name}".encode()).digest()[:8], "big") >> 1


async def lock(session: AsyncSession, policy: str) -> None:
    """Serialise proposals of `policy` until the transaction ends (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already has)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.scalar(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(policy)})


async def in_force(session: AsyncSession, policy: str, at: datetime) -> PolicyVersion | None:
    """The latest version of `policy` with ``effective_from <= at``."""
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == policy, col(PolicyVersion.effective_from) <= at)
        .order_by(col(PolicyVersion.effective_from).desc(), col(PolicyVersion.version).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def latest(session: AsyncSession, policy: str) -> PolicyVersion | None:
    """The highest-numbered version of `policy`, in force or not."""
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == policy)
        .order_by(col(PolicyVersion.version).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def get(session: AsyncSession, policy: str, version: int) -> PolicyVersion | None:
    return await session.get(PolicyVersion, (policy, version))


async def all_versions(session: AsyncSession, policy: str) -> list[PolicyVersion]:
    """Every version of `policy`, oldest first."""
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == policy)
        .order_by(col(PolicyVersion.version))
    )
    return list(await session.exec(stmt))


async def page_of_versions(
    session: AsyncSession, policy: str, page: PageParams
) -> Page[PolicyVersion]:
    """One page of the versions of `policy`, oldest first."""
    stmt = select(PolicyVersion).where(PolicyVersion.policy == policy)
    return await paginate(session, stmt, page, order_by=(PolicyVersion.version,))


async def add(session: AsyncSession, row: PolicyVersion) -> None:
    session.add(row)
    await session.flush()
