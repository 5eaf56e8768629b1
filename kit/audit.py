"""The audit log: append-only, hash-chained record of every read and change of person data.

Who (subject, username, client, organisation), did what (`AuditAction`), to which resource
(type and id — ids only, never names), why (`AuditPurpose`, a code from a small vocabulary,
never free text), when, under which trace and request.  A use case records the access in
the caller's session::

    PERSONS = AuditScope("person", AuditPurpose.CASE_MANAGEMENT)   # once, in the feature

    person = await repository.get(session, person_id)
    await PERSONS.record(session, principal, AuditAction.READ, person.id)
    await PERSONS.record(session, principal, AuditAction.LIST, *(p.id for p in page.items))

(`record_access` and `record_accesses` are what `AuditScope.record` calls.)

The entry is appended when that session **commits** (a ``before_commit`` hook), in the same
transaction: a rolled-back change — or a rolled-back SAVEPOINT — leaves no entry, and a read
is audited once its transaction commits.  Appending at commit time keeps the chain lock
short and taken last, so it never waits on a row lock while holding the chain (no deadlock).

The chain: entry *n* stores ``previous_hash`` = hash of entry *n-1* (`GENESIS_HASH` for the
first) and ``hash`` = SHA-256 of its canonical serialisation (`canonical_bytes`), which
includes its sequence number and ``previous_hash``.  Appends are serialised so the chain
never forks: on PostgreSQL by ``pg_advisory_xact_lock(AUDIT_LOCK_ID)`` (under READ
COMMITTED, the default — the head is read after the lock is granted), on SQLite by the
``BEGIN IMMEDIATE`` every `kit.db.Database` transaction starts with; the primary key on
``sequence`` refuses a fork in any case.  `verify_chain` recomputes everything.  A hash chain
without a key cannot prove the tail was not cut or extended by someone able to write the
table: keep the head (`ChainReport.head_sequence`/``head_hash``) somewhere else from time to
time and compare.

Append-only: each service's migration adds triggers refusing UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of ``audit_log`` (`APPEND_ONLY_DDL`, copied there literally).  In
production the service's database role should also be granted only INSERT and SELECT on
``audit_log``.  On SQLite, a later migration that rebuilds ``audit_log`` in batch mode drops
its triggers: re-create them in that migration.

Auditors read the log through `audit_router`, mounted by each service::

    app.include_router(audit_router("/v1/intake/audit"), tags=["audit"])
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import BigInteger, Connection, Index, event, text
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal, Role, require_roles
from kit.db import SessionDep, UtcDateTime, utcnow
from kit.errors import problem_responses
from kit.logs import current_request_id
from kit.pagination import Page, PageParamsDep, paginate
from kit.schemas import PublicModel, Timestamp
from kit.tables import KitTable
from kit.telemetry import current_trace_id

__all__ = [
    "APPEND_ONLY_DDL",
    "AUDIT_LOCK_ID",
    "GENESIS_HASH",
    "AuditAction",
    "AuditEntry",
    "AuditEntryPublic",
    "AuditPurpose",
    "AuditScope",
    "ChainProblem",
    "ChainReport",
    "audit_router",
    "canonical_bytes",
    "entry_hash",
    "install_append_only_triggers",
    "record_access",
    "record_accesses",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
AUDIT_LOCK_ID = int.from_bytes(hashlib.sha256(b"lgnet-audit-chain").digest()[:8], "big") >> 1
_PENDING_KEY = "kit.audit.pending"
_RESOURCE_TYPE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")
_VERIFY_BATCH = 1000


class AuditAction(StrEnum):
    """What was done to the resource."""

    READ = "read"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MERGE = "merge"
    EXPORT = "export"
    ERASE = "erase"
    ANONYMISE = "anonymise"


class AuditPurpose(StrEnum):
    """Why (the processing purpose, GDPR art. 5(1)(b)): a code, never free text.

    Extend this vocabulary here, in the kit, so that every service speaks the same one.
    """

    REFERRAL_HANDLING = "referral_handling"
    TRIAGE = "triage"
    DUPLICATE_RESOLUTION = "duplicate_resolution"
    CASE_MANAGEMENT = "case_management"
    HOUSING = "housing"
    INITIATIVES = "initiatives"
    SAFEGUARDING = "safeguarding"
    SUBJECT_ACCESS_REQUEST = "subject_access_request"
    ERASURE = "erasure"
    RETENTION = "retention"
    OFFLINE_SYNC = "offline_sync"


class AuditEntry(KitTable, table=True):
    """One audited access.  Never updated or deleted (triggers refuse it)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "resource_type", "resource_id"),)

    # every read of person data adds one: 64 bits, not 32
    sequence: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    recorded_at: datetime = Field(sa_type=UtcDateTime, index=True)
    subject: str = Field(max_length=255, index=True)
    username: str = Field(max_length=255)
    client_id: str = Field(max_length=255)
    organisation: str = Field(max_length=100)
    action: str = Field(max_length=20)
    resource_type: str = Field(max_length=50)
    resource_id: uuid.UUID
    purpose: str = Field(max_length=50)
    trace_id: str | None = Field(default=None, max_length=32)
    request_id: str | None = Field(default=None, max_length=128)
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(entry: AuditEntry) -> bytes:
    """The bytes hashed for `entry`: sorted-key compact JSON of every field but ``hash``."""
    fields = {
        "sequence": entry.sequence,
        "recorded_at": _timestamp(entry.recorded_at),
        "subject": entry.subject,
        "username": entry.username,
        "client_id": entry.client_id,
        "organisation": entry.organisation,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": str(entry.resource_id),
        "purpose": entry.purpose,
        "trace_id": entry.trace_id,
        "request_id": entry.request_id,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 (hex) of `canonical_bytes(entry)`; it covers ``previous_hash``."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


# --- recording -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pending:
    fields: Mapping[str, Any]
    transaction: SessionTransaction | None  # the innermost SAVEPOINT when recorded


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
    sync_session = session.sync_session
    pending = sync_session.info.setdefault(_PENDING_KEY, [])
    now = utcnow()
    trace_id, request_id = current_trace_id(), current_request_id()
    for resource_id in resource_ids:
        if not isinstance(resource_id, uuid.UUID):
            raise TypeError("resource_id must be a UUID")
        fields = {
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
        pending.append(_Pending(fields, sync_session.get_nested_transaction()))


def _append(session: Session, pending: list[_Pending]) -> None:
    connection: Connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": AUDIT_LOCK_ID})
    head = connection.execute(
        text("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1")
    ).first()
    sequence, previous = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS_HASH)
    for item in pending:
        sequence += 1
        entry = AuditEntry(sequence=sequence, previous_hash=previous, hash="", **item.fields)
        entry.hash = previous = entry_hash(entry)
        session.add(entry)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT released: the outer transaction appends at its commit
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        _append(session, pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        return
    pending: list[_Pending] | None = session.info.get(_PENDING_KEY)
    if pending:
        # entries recorded inside the rolled-back SAVEPOINT (or one nested in it) go too
        pending[:] = [p for p in pending if not _within(p.transaction, previous_transaction)]


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@dataclass(frozen=True)
class AuditScope:
    """What a feature audits: one kind of resource, read or changed for one purpose.

    Declared once per feature (``HOUSEHOLDS = AuditScope("household",
    AuditPurpose.REFERRAL_HANDLING)``), it records an access in one line:
    ``await HOUSEHOLDS.record(session, principal, AuditAction.READ, household.id)``.
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


# --- append-only triggers ----------------------------------------------------------------

APPEND_ONLY_DDL: Mapping[str, tuple[str, ...]] = {
    "postgresql": (
        """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
    ),
}
"""The triggers each service's migration creates (copied there literally, per dialect)."""


def install_append_only_triggers(connection: Connection) -> None:
    """Create the append-only triggers on a database made with ``create_all`` (tests);
    migrated databases get them from their migration."""
    for statement in APPEND_ONLY_DDL[connection.dialect.name]:
        connection.exec_driver_sql(statement)


# --- verification ----------------------------------------------------------------------


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
        stmt = (
            select(AuditEntry)
            .where(AuditEntry.sequence > last_sequence)
            .order_by(col(AuditEntry.sequence))
            .limit(_VERIFY_BATCH)
        )
        batch = list(await session.exec(stmt))
        if not batch:
            break
        for entry in batch:
            problem = _check(entry, expected_sequence, previous)
            if problem is not None:
                return ChainReport(ok=False, entries_checked=checked, first_problem=problem)
            checked += 1
            expected_sequence, previous = entry.sequence + 1, entry.hash
        last_sequence = batch[-1].sequence
        for entry in batch:
            session.expunge(entry)  # a long chain need not stay in the session
    head = (expected_sequence - 1, previous) if checked else (None, None)
    return ChainReport(ok=True, entries_checked=checked, head_sequence=head[0], head_hash=head[1])


def _check(entry: AuditEntry, expected_sequence: int, previous: str) -> ChainProblem | None:
    if entry.sequence != expected_sequence:
        return ChainProblem(
            sequence=expected_sequence,
            kind="missing",
            detail=f"entries {expected_sequence}..{entry.sequence - 1} are missing",
        )
    if entry_hash(entry) != entry.hash:
        return ChainProblem(
            sequence=entry.sequence,
            kind="altered",
            detail="the entry's content does not match its hash",
        )
    if entry.previous_hash != previous:
        return ChainProblem(
            sequence=entry.sequence,
            kind="broken_link",
            detail="previous_hash is not the hash of the preceding entry",
        )
    return None


# --- HTTP ------------------------------------------------------------------------------


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


Auditor = Annotated[Principal, Depends(require_roles(Role.AUDITOR))]


def audit_router(prefix: str) -> APIRouter:
    """``GET <prefix>`` (newest first, cursor-paginated, filtered) and ``GET <prefix>/verify``,
    for the ``auditor`` role only; e.g. ``audit_router("/v1/intake/audit")``."""
    router = APIRouter(prefix=prefix, responses=problem_responses(401, 403))

    @router.get(
        "",
        response_model=Page[AuditEntryPublic],
        summary="Read the audit log",
        responses=problem_responses(400),
    )
    async def list_audit_entries(
        session: SessionDep,
        page: PageParamsDep,
        _auditor: Auditor,
        resource_type: Annotated[str | None, Query(max_length=50)] = None,
        resource_id: uuid.UUID | None = None,
        subject: Annotated[str | None, Query(max_length=255)] = None,
        since: Annotated[
            Timestamp | None, Query(description="Recorded at or after (inclusive).")
        ] = None,
        until: Annotated[
            Timestamp | None, Query(description="Recorded before (exclusive).")
        ] = None,
    ) -> Page[AuditEntryPublic]:
        stmt = select(AuditEntry)
        if resource_type is not None:
            stmt = stmt.where(AuditEntry.resource_type == resource_type)
        if resource_id is not None:
            stmt = stmt.where(AuditEntry.resource_id == resource_id)
        if subject is not None:
            stmt = stmt.where(AuditEntry.subject == subject)
        if since is not None:
            stmt = stmt.where(col(AuditEntry.recorded_at) >= since)
        if until is not None:
            stmt = stmt.where(col(AuditEntry.recorded_at) < until)
        result = await paginate(
            session, stmt, page, order_by=(AuditEntry.sequence,), descending=True
        )
        return result.map(AuditEntryPublic.model_validate)

    @router.get("/verify", response_model=ChainReport, summary="Verify the audit chain")
    async def verify_audit_chain(session: SessionDep, _auditor: Auditor) -> ChainReport:
        return await verify_chain(session)

    return router
