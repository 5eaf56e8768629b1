"""Offline batch sync use cases: store a mobile unit's batch item by item; the conflict queue.
Never commits.

Each item runs in its own SAVEPOINT: a refused item is rolled back with everything it wrote
(rows, outbox events, audit entries), and the good items of the batch stay. Its final result
is kept in ``sync_items`` in the same SAVEPOINT, so a retry replays it instead of storing the
item twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import JsonValue, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import ProblemError, ValidationFailed
from kit.pagination import Page, PageParams
from services.intake.outreach import repository
from services.intake.outreach.domain import (
    RESOLUTION_OUTCOME,
    ClientIdInFlight,
    ClientIdReused,
    ConflictStatus,
    ItemStatus,
    Resolution,
    SyncConflictNotFound,
    SyncKind,
    UnknownClientRef,
    check_base_version,
    check_batch_size,
    check_open,
    client_id_of,
    fingerprint,
    kind_of,
    summarise,
)
from services.intake.outreach.models import SyncConflict, SyncItem
from services.intake.outreach.schemas import (
    SYNC_ITEM,
    BatchResult,
    ContactItem,
    ItemResult,
    PersonItem,
    PersonUpdateItem,
    SyncBatchIn,
)
from services.intake.persons import service as persons_service
from services.intake.persons.schemas import PersonPatch
from services.intake.referrals import service as referrals_service
from services.intake.visibility import VisibleLookup

log = logging.getLogger(__name__)

PURPOSE = AuditPurpose.OFFLINE_SYNC
CONFLICTS = AuditScope("sync_conflict", PURPOSE)
_visible_conflict = VisibleLookup(
    repository.get_conflict, SyncConflictNotFound, "sync conflict"
).get

_PENDING = "pending"  # the row's status until the item's result is known (never committed)


class _Taken(Exception):
    """Another transaction stored this client_id first (a concurrent retry)."""


async def sync_batch(
    *, session: AsyncSession, principal: Principal, batch_in: SyncBatchIn, max_items: int
) -> BatchResult:
    """Store what is good in the batch, answer every item in order (see module docstring)."""
    check_batch_size(len(batch_in.items), max_items)
    owner = principal.organisation
    ids = [cid for cid in map(client_id_of, batch_in.items) if cid is not None]
    stored = await repository.stored_items(session, owner, ids)
    results = [
        await _sync_item(session, principal, batch_in.device_id, index, raw, stored)
        for index, raw in enumerate(batch_in.items)
    ]
    summary = summarise([r.status for r in results], [r.replayed for r in results])
    log.info("offline sync from device %s: %s", batch_in.device_id, summary)
    return BatchResult(results=results, summary=summary)


def _rejected(client_id: uuid.UUID | None, refusal: ProblemError) -> ItemResult:
    """An item's rejection, its problem document within the 200 batch answer."""
    return ItemResult(client_id=client_id, status=ItemStatus.REJECTED, problem=refusal.problem())


def invalid_item(exc: ValidationError, index: int, raw: JsonValue) -> ValidationFailed:
    """The field errors of item `index`, pointing into the request body (``#/items/3/…``);
    the tag a tagged union puts first in each error's location (the item's kind) is left out."""
    kind = kind_of(raw)
    errors = [
        {**e, "loc": e["loc"][1:]} if kind is not None and e["loc"][:1] == (kind,) else e
        for e in exc.errors()
    ]
    return ValidationFailed.from_pydantic(
        errors, loc_prefix=("body", "items", index), detail="The item has invalid fields."
    )


def _replay(earlier: SyncItem, client_id: uuid.UUID, print_: str) -> ItemResult:
    if earlier.fingerprint != print_:
        reused = ClientIdReused(f"client_id {client_id} was used for another item.")
        return _rejected(client_id, reused)
    return ItemResult.model_validate({**earlier.response, "replayed": True})


async def _sync_item(
    session: AsyncSession,
    principal: Principal,
    device_id: str,
    index: int,
    raw: JsonValue,
    stored: dict[uuid.UUID, SyncItem],
) -> ItemResult:
    try:
        item = SYNC_ITEM.validate_python(raw)
    except ValidationError as exc:
        return _rejected(client_id_of(raw), invalid_item(exc, index, raw))
    assert isinstance(raw, Mapping)  # an object, or validation would have failed
    print_ = fingerprint(raw)
    earlier = stored.get(item.client_id)
    if earlier is not None:
        return _replay(earlier, item.client_id, print_)
    entry = SyncItem(
        owner=principal.organisation,
        client_id=item.client_id,
        device_id=device_id,
        kind=item.kind,
        status=_PENDING,
        fingerprint=print_,
        received_by=principal.subject,
        received_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(entry)
            try:
                # first, so that a concurrent upload of the same item waits here (PostgreSQL)
                await session.flush()
            except IntegrityError as exc:
                raise _Taken from exc
            result = await _process(session, principal, device_id, item)
            entry.status = result.status
            entry.resource_id = result.resource_id
            entry.response = result.model_dump(mode="json", exclude={"replayed"})
            await session.flush()
    except _Taken:
        earlier = await repository.stored_item(session, principal.organisation, item.client_id)
        if earlier is None:
            busy = ClientIdInFlight(
                f"client_id {item.client_id} is being stored by another upload."
            )
            return _rejected(item.client_id, busy)
        stored[item.client_id] = earlier
        return _replay(earlier, item.client_id, print_)
    except ProblemError as exc:
        return _rejected(item.client_id, exc)
    stored[item.client_id] = entry
    return result


async def _process(
    session: AsyncSession,
    principal: Principal,
    device_id: str,
    item: PersonItem | PersonUpdateItem | ContactItem,
) -> ItemResult:
    if isinstance(item, PersonItem):
        return await _register(session, principal, item)
    if isinstance(item, PersonUpdateItem):
        return await _update(session, principal, device_id, item)
    return await _contact(session, principal, item)


async def _register(session: AsyncSession, principal: Principal, item: PersonItem) -> ItemResult:
    """A new person is registered even when they likely are someone known: a fuzzy match can
    be wrong, and what the unit captured must not be lost. The pair waits in the duplicate
    review queue (a merge later moves links to the survivor); the answer names the existing
    person so the device can show and use that record."""
    person, candidates = await persons_service.register(
        session=session, principal=principal, fields=item.person, purpose=PURPOSE
    )
    likely = next((c for c in candidates if c.likely), None)
    if likely is None:
        return ItemResult(
            client_id=item.client_id, status=ItemStatus.CREATED, resource_id=person.id
        )
    return ItemResult(
        client_id=item.client_id,
        status=ItemStatus.DUPLICATE_OF,
        resource_id=person.id,
        duplicate_of=likely.person.id,
        score=likely.match.score,
    )


async def _update(
    session: AsyncSession, principal: Principal, device_id: str, item: PersonUpdateItem
) -> ItemResult:
    person = await persons_service.for_change(session, principal, item.person_id)
    check_base_version(item.base_version, person.version)
    proposed = persons_service.proposed_changes(item.changes)
    try:
        await persons_service.apply_changes(
            session, principal, person, proposed, purpose=PURPOSE, base_version=item.base_version
        )
    except persons_service.EditConflict as exc:
        fields = [str(f) for f in exc.extensions.get("conflicting_fields", [])]
        conflict = SyncConflict(
            organisation=principal.organisation,
            device_id=device_id,
            client_id=item.client_id,
            person_id=person.id,
            base_version=item.base_version,
            server_version=person.version,
            proposed=item.changes.model_dump(mode="json", include=item.changes.model_fields_set),
            conflicting_fields=fields,
            status=ConflictStatus.OPEN,
            created_by=principal.subject,
            created_at=utcnow(),
        )
        session.add(conflict)
        await session.flush()
        await CONFLICTS.record(session, principal, AuditAction.CREATE, conflict.id)
        return ItemResult(
            client_id=item.client_id,
            status=ItemStatus.CONFLICT,
            resource_id=person.id,
            conflict_id=conflict.id,
            conflicting_fields=fields,
        )
    return ItemResult(client_id=item.client_id, status=ItemStatus.UPDATED, resource_id=person.id)


async def _contact(session: AsyncSession, principal: Principal, item: ContactItem) -> ItemResult:
    contact = item.contact
    refs = [p.client_ref for p in contact.persons if p.client_ref is not None]
    known = await repository.stored_items(session, principal.organisation, refs)
    person_ids: list[uuid.UUID] = []
    for concerned in contact.persons:
        if concerned.person_id is not None:
            person_ids.append(concerned.person_id)
        elif concerned.client_ref is not None:
            earlier = known.get(concerned.client_ref)
            if earlier is None or earlier.kind != SyncKind.PERSON or earlier.resource_id is None:
                raise UnknownClientRef(
                    f"No person item {concerned.client_ref} was stored by your organisation."
                )
            person_ids.append(earlier.resource_id)
        elif concerned.person is not None:
            person, _ = await persons_service.register(
                session=session, principal=principal, fields=concerned.person, purpose=PURPOSE
            )
            person_ids.append(person.id)
    referral = await referrals_service.receive(
        session=session, principal=principal, referral_in=contact.as_referral(person_ids)
    )
    return ItemResult(client_id=item.client_id, status=ItemStatus.CREATED, resource_id=referral.id)


# --- the conflict queue ----------------------------------------------------------------------


async def list_conflicts(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    status: ConflictStatus | None = None,
    person_id: uuid.UUID | None = None,
) -> Page[SyncConflict]:
    where = repository.ConflictFilter(status=status, person_id=person_id)
    found = await repository.list_conflicts(session, principal, page, where=where)
    return await CONFLICTS.listed(session, principal, found)


async def get_conflict(
    *, session: AsyncSession, principal: Principal, conflict_id: uuid.UUID
) -> SyncConflict:
    conflict = await _visible_conflict(session, principal, conflict_id, for_update=False)
    return await CONFLICTS.read(session, principal, conflict)


async def resolve_conflict(
    *,
    session: AsyncSession,
    principal: Principal,
    conflict_id: uuid.UUID,
    resolution: Resolution,
) -> SyncConflict:
    """Apply the device's changes on the person's current version, or discard them; once."""
    conflict = await _visible_conflict(session, principal, conflict_id, for_update=True)
    check_open(conflict.status)
    if resolution == Resolution.APPLY:
        person = await persons_service.for_change(session, principal, conflict.person_id)
        patch = PersonPatch.model_validate(conflict.proposed)
        await persons_service.apply_changes(
            session, principal, person, persons_service.proposed_changes(patch), purpose=PURPOSE
        )
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolution = RESOLUTION_OUTCOME[resolution]
    conflict.resolved_by = principal.subject
    conflict.resolved_at = utcnow()
    session.add(conflict)
    await session.flush()
    await CONFLICTS.record(session, principal, AuditAction.UPDATE, conflict.id)
    return conflict


# --- what offline sync holds about a person (subject rights) --------------------------------


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: the offline edits queued on these persons, and what they proposed (the
    staff and device who sent them left out)."""
    return [
        c.model_dump(mode="json", exclude={"created_by", "resolved_by", "device_id", "client_id"})
        for c in await repository.conflicts_of(session, person_ids)
    ]


async def erase_for(
    session: AsyncSession, principal: Principal, person_ids: Collection[uuid.UUID]
) -> None:
    """Erasure (art. 17): the values an offline edit proposed for an erased person are
    destroyed; an open conflict on them is closed as discarded (there is nothing to apply)."""
    now = utcnow()
    for conflict in await repository.conflicts_of(session, person_ids):
        conflict.proposed = {}
        if conflict.status == ConflictStatus.OPEN:
            conflict.status = ConflictStatus.RESOLVED
            conflict.resolution = RESOLUTION_OUTCOME[Resolution.DISCARD]
            conflict.resolved_by = principal.subject
            conflict.resolved_at = now
        session.add(conflict)
    await session.flush()
