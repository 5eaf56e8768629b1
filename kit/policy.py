"""Versioned policy: the rules Comune coordinators change through the API, never a redeploy.

The network's rules are co-designed with the third-sector partners and reopened at least
once a year (DOMAIN.md): SLA deadlines, triage weights, housing matching weights, indicator
definitions.  Each is a `PolicyKind` — a name, a pydantic schema and a built-in default —
whose versions are appended to ``policy_versions`` and never changed.  A version is in force
from its ``effective_from``; an event is judged under the version in force when it
happened::

    SLA_POLICY = PolicyKind("intake.sla", SlaPolicy, default=SlaPolicy())

    sla = await current(session, SLA_POLICY, at=referral.received_at)

A coordinator proposes a new version (`propose`: validated; ``effective_from`` may be in the
future; it may not precede the latest version's, so the past is not rewritten), with a
required justification (``why``).  A service mounts the HTTP API for its kinds::

    app.include_router(policy_router("/v1/intake/policies", [SLA_POLICY, TRIAGE_POLICY]))

A schema may evolve only compatibly: new fields need defaults, since old versions are read
back through the current schema.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import JSON, Index, Text, text
from sqlmodel import Field as SQLField
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import CurrentPrincipal, Principal, Role, require_roles
from kit.db import SessionDep, UtcDateTime, utcnow
from kit.errors import Conflict, NotFound, ValidationFailed, problem_responses
from kit.etag import set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep, paginate
from kit.schemas import ClosedModel, PublicModel, Timestamp
from kit.tables import KitTable

__all__ = [
    "InvalidPolicyDocument",
    "PolicyBackdated",
    "PolicyKind",
    "PolicyProposal",
    "PolicyVersion",
    "PolicyVersionPublic",
    "PolicyVersionRecord",
    "UnknownPolicy",
    "current",
    "current_version",
    "history",
    "policy_router",
    "propose",
]

T = TypeVar("T", bound=BaseModel)

_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class PolicyKind(Generic[T]):
    """A policy: its `name` (``"intake.sla"``), its document `schema`, and the `default` in
    force before any version was recorded (the rule as DOMAIN.md states it)."""

    name: str
    schema: type[T]
    default: T
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"policy name must be a short lower-case code: {self.name!r}")
        if not isinstance(self.default, self.schema):
            raise TypeError(f"default of {self.name!r} is not a {self.schema.__name__}")

    def validate(self, document: T | Mapping[str, Any]) -> T:
        """`document` checked against the schema; `InvalidPolicyDocument` (422) if it fails."""
        raw = document.model_dump(mode="json") if isinstance(document, BaseModel) else document
        try:
            return self.schema.model_validate(raw)
        except ValidationError as error:
            raise InvalidPolicyDocument.from_pydantic(
                error.errors(),
                loc_prefix=("body", "document"),
                detail=f"The document does not match the schema of policy {self.name!r}.",
            ) from None


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


@dataclass(frozen=True)
class PolicyVersionRecord(Generic[T]):
    """A recorded version with its document parsed."""

    policy: str
    version: int
    effective_from: datetime
    document: T
    subject: str
    organisation: str
    why: str
    recorded_at: datetime


class InvalidPolicyDocument(ValidationFailed):
    """The proposed document does not match the policy's schema (422 ``validation-failed``)."""


class PolicyBackdated(Conflict):
    slug = "policy-backdated"
    title = "Policy version would rewrite history"


class UnknownPolicy(NotFound):
    slug = "policy-not-found"
    title = "Policy not found"


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
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == kind.name, col(PolicyVersion.effective_from) <= at)
        .order_by(col(PolicyVersion.effective_from).desc(), col(PolicyVersion.version).desc())
        .limit(1)
    )
    row = (await session.exec(stmt)).first()
    return None if row is None else _record(kind, row)


async def current(session: AsyncSession, kind: PolicyKind[T], *, at: datetime | None = None) -> T:
    """The document of `kind` in force at `at` (default now), or `kind.default`."""
    record = await current_version(session, kind, at=at)
    return kind.default if record is None else record.document


async def _latest(session: AsyncSession, kind: PolicyKind[Any]) -> PolicyVersion | None:
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == kind.name)
        .order_by(col(PolicyVersion.version).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


def _lock_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"lgnet-policy\0{name}".encode()).digest()[:8], "big") >> 1


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
    if session.get_bind().dialect.name == "postgresql":
        # two coordinators proposing at once get consecutive versions, checked in turn
        await session.scalar(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(kind.name)})
    latest = await _latest(session, kind)
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
    session.add(row)
    await session.flush()
    return _record(kind, row)


async def history(session: AsyncSession, kind: PolicyKind[T]) -> list[PolicyVersionRecord[T]]:
    """Every recorded version of `kind`, oldest first."""
    stmt = (
        select(PolicyVersion)
        .where(PolicyVersion.policy == kind.name)
        .order_by(col(PolicyVersion.version))
    )
    return [_record(kind, row) for row in await session.exec(stmt)]


# --- HTTP ------------------------------------------------------------------------------


class PolicyProposal(ClosedModel):
    """A new version of a policy."""

    document: dict[str, Any]
    effective_from: Timestamp
    why: str = Field(min_length=1, max_length=4000, description="The justification.")

    @field_validator("why")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("why must not be blank")
        return value.strip()


class PolicyVersionPublic(PublicModel):
    """A policy version; ``version`` is null (and ``effective_from`` too) for the default."""

    policy: str
    version: int | None
    effective_from: datetime | None
    document: dict[str, Any]
    subject: str | None = None
    organisation: str | None = None
    why: str | None = None
    recorded_at: datetime | None = None


def _public(record: PolicyVersionRecord[Any]) -> PolicyVersionPublic:
    return PolicyVersionPublic(
        policy=record.policy,
        version=record.version,
        effective_from=record.effective_from,
        document=record.document.model_dump(mode="json"),
        subject=record.subject,
        organisation=record.organisation,
        why=record.why,
        recorded_at=record.recorded_at,
    )


# Route parameters' annotations are resolved in this module's globals (postponed evaluation):
# aliases used by the routes below must live here, not inside `policy_router`.
Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]


def policy_router(prefix: str, kinds: Sequence[PolicyKind[Any]]) -> APIRouter:
    """``GET <prefix>/{name}`` (in force now or ``?at=``), ``GET <prefix>/{name}/versions``,
    ``GET <prefix>/{name}/versions/{version}`` for any authenticated caller, and
    ``POST <prefix>/{name}/versions`` for the ``coordinator`` role (``Idempotency-Key``)."""
    by_name = {kind.name: kind for kind in kinds}
    if len(by_name) != len(kinds):
        raise ValueError("policy names must be unique")
    router = APIRouter(prefix=prefix, responses=problem_responses(401, 403, 404))

    def kind_of(name: str) -> PolicyKind[Any]:
        if name not in by_name:
            raise UnknownPolicy(f"There is no policy {name!r}.")
        return by_name[name]

    @router.get("/{name}", response_model=PolicyVersionPublic, summary="Policy in force")
    async def read_policy(
        name: str,
        session: SessionDep,
        _principal: CurrentPrincipal,
        response: Response,
        at: Annotated[Timestamp | None, Query(description="In force at (default: now).")] = None,
    ) -> PolicyVersionPublic:
        kind = kind_of(name)
        record = await current_version(session, kind, at=at)
        if record is None:
            return PolicyVersionPublic(
                policy=kind.name,
                version=None,
                effective_from=None,
                document=kind.default.model_dump(mode="json"),
            )
        set_etag(response, record.version)
        return _public(record)

    @router.get(
        "/{name}/versions",
        response_model=Page[PolicyVersionPublic],
        summary="Policy history",
        responses=problem_responses(400),
    )
    async def list_policy_versions(
        name: str, session: SessionDep, page: PageParamsDep, _principal: CurrentPrincipal
    ) -> Page[PolicyVersionPublic]:
        kind = kind_of(name)
        stmt = select(PolicyVersion).where(PolicyVersion.policy == kind.name)
        result = await paginate(session, stmt, page, order_by=(PolicyVersion.version,))
        return result.map(lambda row: _public(_record(kind, row)))

    @router.get(
        "/{name}/versions/{version}", response_model=PolicyVersionPublic, summary="Policy version"
    )
    async def read_policy_version(
        name: str,
        version: int,
        session: SessionDep,
        _principal: CurrentPrincipal,
        response: Response,
    ) -> PolicyVersionPublic:
        kind = kind_of(name)
        row = await session.get(PolicyVersion, (kind.name, version))
        if row is None:
            raise NotFound(f"Policy {kind.name!r} has no version {version}.")
        set_etag(response, row.version)
        return _public(_record(kind, row))

    @router.post(
        "/{name}/versions",
        status_code=201,
        response_model=PolicyVersionPublic,
        summary="Propose a new policy version",
        responses=problem_responses(409, 422),
    )
    async def propose_policy_version(
        name: str,
        proposal: PolicyProposal,
        session: SessionDep,
        idem: IdempotencyDep,
        principal: Coordinator,
    ) -> Response:
        kind = kind_of(name)

        async def create() -> PolicyVersionPublic:
            record = await propose(
                session,
                kind,
                proposal.document,
                effective_from=proposal.effective_from,
                principal=principal,
                why=proposal.why,
            )
            return _public(record)

        return await idem.created(
            create,
            owner=principal.subject,
            location=lambda r: f"{prefix}/{kind.name}/versions/{r.version}",
        )

    return router
