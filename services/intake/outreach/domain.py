"""Offline batch sync rules: item identity, fingerprints, result shapes, conflict states. Pure.

A mobile unit captures contacts without network and uploads them later, possibly more than
once (a lost answer, a retry after a crash). Each item carries a client-generated ``client_id``;
its first final result is kept, so a retry answers the same result (``replayed``) and stores
nothing twice. A rejection is not final: the device may fix the item and send it again.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Final

from kit.errors import Conflict, NotFound, PayloadTooLarge, UnprocessableContent


class SyncKind(StrEnum):
    PERSON = "person"  # a new person
    PERSON_UPDATE = "person_update"  # edits to a known person, made from ``base_version``
    CONTACT = "contact"  # a street contact: a referral


class ItemStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DUPLICATE_OF = "duplicate_of"  # created, but likely the same as an existing person
    CONFLICT = "conflict"  # queued for an operator; nothing changed
    REJECTED = "rejected"  # invalid or refused; nothing stored, may be sent again


FINAL_STATUSES: Final = frozenset(set(ItemStatus) - {ItemStatus.REJECTED})
"""Results kept for replay; a rejection is not kept, so a corrected retry is processed."""


class ConflictStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    APPLY = "apply"  # apply the device's changes on the current version
    DISCARD = "discard"  # keep the server's version


RESOLUTION_OUTCOME: Final = {Resolution.APPLY: "applied", Resolution.DISCARD: "discarded"}


# --- errors ----------------------------------------------------------------------------------


class BatchTooLarge(
    PayloadTooLarge, slug="sync-batch-too-large", title="Too many items in one batch"
): ...


class ClientIdReused(
    UnprocessableContent,
    slug="client-id-reused",
    title="The client_id was already used for a different item",
): ...


class ClientIdInFlight(
    Conflict,
    slug="client-id-in-flight",
    title="Another upload of this item is in progress; send it again later",
): ...


class UnknownClientRef(
    UnprocessableContent,
    slug="unknown-client-ref",
    title="A client_ref names no person created by a sync of your organisation",
): ...


class UnknownBaseVersion(
    UnprocessableContent,
    slug="unknown-base-version",
    title="The base_version is newer than the person's current version",
): ...


class SyncConflictNotFound(
    NotFound, slug="sync-conflict-not-found", title="Sync conflict not found"
): ...


class SyncConflictResolved(
    Conflict, slug="sync-conflict-resolved", title="The sync conflict was already resolved"
): ...


def check_batch_size(count: int, limit: int) -> None:
    if count > limit:
        raise BatchTooLarge(f"A batch holds at most {limit} items; this one has {count}.")


def check_base_version(base_version: int, current: int) -> None:
    """A device can only have seen a version the server made."""
    if base_version > current:
        raise UnknownBaseVersion(
            f"base_version {base_version} is newer than the current version {current}."
        )


def check_open(status: str) -> None:
    """A conflict is resolved once: a second resolution would undo or repeat the first."""
    if status != ConflictStatus.OPEN:
        raise SyncConflictResolved("The conflict was already resolved.")


# --- identity --------------------------------------------------------------------------------


def client_id_of(raw: object) -> uuid.UUID | None:
    """The item's ``client_id`` if it has a valid one (to label even a rejected item)."""
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("client_id")
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def fingerprint(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the item's canonical JSON (sorted keys, compact): a retry of the same item
    has the same fingerprint however the device serialises it; another item has another."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- results ---------------------------------------------------------------------------------


def kind_of(raw: object) -> str | None:
    if isinstance(raw, Mapping) and raw.get("kind") in set(SyncKind):
        return str(raw["kind"])
    return None


def summarise(statuses: Sequence[str], replayed: Sequence[bool]) -> dict[str, int]:
    """Counts per status (every status present, zeros included) and how many were replays."""
    counts = {str(s): 0 for s in ItemStatus}
    for status in statuses:
        counts[status] += 1
    counts["replayed"] = sum(replayed)
    return counts
