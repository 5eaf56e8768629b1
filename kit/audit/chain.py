"""The hash chain: canonical bytes and hashes, appending at commit, the append-only triggers.

See the `kit.audit` package docstring for how the chain is built and what it proves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, event
from sqlalchemy.orm import Session, SessionTransaction

from kit.audit import repository
from kit.audit.models import AuditEntry
from kit.audit.schemas import ChainProblem
from kit.db import defer_writes
from kit.migration_steps import audit_policy_v1

GENESIS_HASH = "0" * 64
_PENDING_KEY = "kit.audit.pending"
_TABLE: Table = AuditEntry.__table__  # type: ignore[attr-defined]


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_HASHED = (
    "sequence",
    "recorded_at",
    "subject",
    "username",
    "client_id",
    "organisation",
    "action",
    "resource_type",
    "resource_id",
    "purpose",
    "trace_id",
    "request_id",
    "previous_hash",
)
"""Every field of an entry but ``hash``, which hashes them."""


def _canonical(values: Mapping[str, Any]) -> bytes:
    fields = {name: values[name] for name in _HASHED}
    fields["recorded_at"] = _timestamp(fields["recorded_at"])
    fields["resource_id"] = str(fields["resource_id"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_bytes(entry: AuditEntry) -> bytes:
    """The bytes hashed for `entry`: sorted-key compact JSON of every field but ``hash``."""
    return _canonical({name: getattr(entry, name) for name in _HASHED})


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 (hex) of `canonical_bytes(entry)`; it covers ``previous_hash``."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


# --- appending at commit -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pending:
    fields: Mapping[str, Any]
    transaction: SessionTransaction | None  # the innermost SAVEPOINT when recorded


def enqueue(session: Session, fields: Iterable[Mapping[str, Any]]) -> None:
    """Queue entries (their fields but sequence and hashes) for appending when `session`
    commits; a rollback of the transaction, or of the SAVEPOINT they were queued in,
    drops them."""
    pending = session.info.setdefault(_PENDING_KEY, [])
    savepoint = session.get_nested_transaction()
    pending.extend(_Pending(item, savepoint) for item in fields)


def _append(session: Session, pending: list[_Pending]) -> None:
    connection = session.connection()
    head = repository.lock_chain_and_read_head(connection)
    sequence, previous = head if head is not None else (0, GENESIS_HASH)
    rows = []
    for item in pending:
        sequence += 1
        row = {"trace_id": None, "request_id": None, **item.fields}
        row["sequence"], row["previous_hash"] = sequence, previous
        row["hash"] = previous = hashlib.sha256(_canonical(row)).hexdigest()
        rows.append(row)
    repository.insert_entries(connection, rows)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT released: the outer transaction appends at its commit
    if not session.info.get(_PENDING_KEY):
        return
    if defer_writes(session):
        # a reader on SQLite: appended in the writing transaction that follows its read,
        # under the writer's turn and BEGIN IMMEDIATE, which serialise appends there
        return
    _append(session, session.info.pop(_PENDING_KEY))


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

APPEND_ONLY_DDL: Mapping[str, Sequence[str]] = audit_policy_v1.APPEND_ONLY_DDL
"""The triggers each service's migration creates, per dialect: those of the migration step
`kit.migration_steps.audit_policy_v1`, so a database made with ``create_all`` gets the same."""


def install_append_only_triggers(connection: Connection) -> None:
    """Create the append-only triggers on a database made with ``create_all`` (tests);
    migrated databases get them from their migration."""
    for statement in APPEND_ONLY_DDL[connection.dialect.name]:
        connection.exec_driver_sql(statement)


# --- verification ----------------------------------------------------------------------


def check_entry(entry: AuditEntry, expected_sequence: int, previous: str) -> ChainProblem | None:
    """The problem with `entry` if it is not the `expected_sequence`-th entry following
    the hash `previous` (see `kit.audit.service.verify_chain`), else None."""
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
