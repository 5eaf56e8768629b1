"""The hash chain: canonical bytes and hashes, appending at commit, verifying, append-only.

See the `kit.audit` package docstring for how the chain is built and what it proves.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit.models import AuditAction, AuditEntry, AuditPurpose
from kit.audit.schemas import ChainProblem, ChainReport
from kit.auth import Principal
from kit.db import utcnow
from kit.logs import current_request_id
from kit.telemetry import current_trace_id

GENESIS_HASH = "0" * 64
AUDIT_LOCK_ID = int.from_bytes(hashlib.sha256(b"lgnet-audit-chain").digest()[:8], "big") >> 1
_PENDING_KEY = "kit.audit.pending"
_RESOURCE_TYPE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")
_VERIFY_BATCH = 1000


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
