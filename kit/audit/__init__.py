"""The audit log: append-only, hash-chained record of every read and change of person data.

Who (subject, username, client, organisation), did what (`AuditAction`), to which resource
(type and id — ids only, never names), why (`AuditPurpose`, a code from a small vocabulary,
never free text), when, under which trace and request.  A use case records the access in
the caller's session::

    PERSONS = AuditScope("person", AuditPurpose.CASE_MANAGEMENT)   # once, in the feature

    person = await repository.get(session, person_id)
    await PERSONS.record(session, principal, AuditAction.READ, person.id)
    await PERSONS.record(session, principal, AuditAction.LIST, *(p.id for p in page.items))

The entry is appended when that session **commits** (a ``before_commit`` hook), in the same
transaction: a rolled-back change — or a rolled-back SAVEPOINT — leaves no entry, and a read
is audited once its transaction commits.  Appending at commit time keeps the chain lock
short and taken last, so it never waits on a row lock while holding the chain (no deadlock).

The chain: entry *n* stores ``previous_hash`` = hash of entry *n-1* (`GENESIS_HASH` for the
first) and ``hash`` = SHA-256 of its canonical serialisation (`canonical_bytes`), which
includes its sequence number and ``previous_hash``.  Appends are serialised so the chain
never forks: on PostgreSQL by ``pg_advisory_xact_lock(AUDIT_LOCK_ID)`` (under READ
COMMITTED, the default — the head is read after the lock is granted), on SQLite by the
writer's turn and ``BEGIN IMMEDIATE`` of the writing transaction that appends (a reader's
entries are appended in a short writing transaction after its read: `kit.db.defer_writes`);
the primary key on
``sequence`` refuses a fork in any case.  `verify_chain` recomputes everything.  A hash chain
without a key cannot prove the tail was not cut or extended by someone able to write the
table: keep the head (`ChainReport.head_sequence`/``head_hash``) somewhere else from time to
time and compare.

Append-only: each service's migration adds triggers refusing UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of ``audit_log`` (`APPEND_ONLY_DDL`, read from the kit's migration step).  In
production the service's database role should also be granted only INSERT and SELECT on
``audit_log``.  On SQLite, a later migration that rebuilds ``audit_log`` in batch mode drops
its triggers: re-create them in that migration.

Auditors read the log through `audit_router`, mounted by each service::

    app.include_router(audit_router("/v1/intake/audit"), tags=["audit"])
"""

from kit.audit.chain import (
    APPEND_ONLY_DDL,
    GENESIS_HASH,
    canonical_bytes,
    entry_hash,
    install_append_only_triggers,
)
from kit.audit.models import AuditAction, AuditEntry, AuditPurpose
from kit.audit.repository import AUDIT_LOCK_ID
from kit.audit.router import audit_router
from kit.audit.schemas import AuditEntryPublic, ChainProblem, ChainReport
from kit.audit.service import AuditScope, record_access, record_accesses, verify_chain

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
