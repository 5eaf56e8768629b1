"""Person use cases: register, read, rectify, search for duplicates. Never commits.

Every read or change of a person's data is audited (kit.audit) in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, UnprocessableContent, require_found
from kit.etag import require_if_match
from kit.events.types import EventData, EventType
from kit.idempotency import forget_responses_about
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.intake.persons import repository
from services.intake.persons.candidates import Candidate as Candidate
from services.intake.persons.candidates import facts as facts
from services.intake.persons.candidates import facts_of
from services.intake.persons.candidates import find_candidates as find_candidates
from services.intake.persons.domain import (
    ERASED_FIELDS,
    MATCHED_FIELDS,
    ErasureGround,
    PersonNotActive,
    PersonStatus,
    age_band,
    changed_fields,
    conflicting_fields,
)
from services.intake.persons.domain import EditConflict as EditConflict
from services.intake.persons.events import (
    PersonErased,
    PersonErasedData,
    PersonProfileData,
    PersonRegistered,
    PersonRegisteredData,
    PersonUpdated,
    PersonUpdatedData,
)
from services.intake.persons.matching import PersonFacts, blocking_keys
from services.intake.persons.models import Person as Person
from services.intake.persons.models import PersonRevision
from services.intake.persons.repository import PersonFilter as PersonFilter
from services.intake.persons.reviews import service as reviews
from services.intake.persons.schemas import PersonFields, PersonPatch
from services.intake.visibility import VisibleLookup

PERSON = "person"
PERSONS = AuditScope(PERSON, AuditPurpose.REFERRAL_HANDLING)
DUPLICATES = AuditScope(PERSON, AuditPurpose.DUPLICATE_RESOLUTION)
"""Persons read or merged to resolve duplicates (the match search, merges)."""

P = TypeVar("P", bound=PersonProfileData)
E = TypeVar("E", bound=EventData)


class PersonNotFound(NotFound, slug="person-not-found", title="Person not found"): ...


_visible = VisibleLookup(repository.get_visible, PersonNotFound, "person").get


class NameRequired(
    UnprocessableContent, slug="name-required", title="A person needs a given or a family name"
): ...


def facts_of_fields(fields: PersonFields) -> PersonFacts:
    """What duplicate detection compares of a person described in a request."""
    return facts_of(fields, document_numbers=(d.number for d in fields.documents))


def _stored(fields: PersonFields | PersonPatch, include: set[str] | None = None) -> dict[str, Any]:
    """Request values as the table stores them: enums as strings, nested models as dicts
    without empty keys, the birth date a date (the JSON dump would make it text)."""
    out = fields.model_dump(mode="json", include=include)
    for name in ("documents", "contacts"):
        if out.get(name) is not None:
            out[name] = [{k: v for k, v in item.items() if v is not None} for item in out[name]]
    if "birth_date" in out:
        out["birth_date"] = fields.birth_date
    return out


async def register(
    *,
    session: AsyncSession,
    principal: Principal,
    fields: PersonFields,
    purpose: AuditPurpose = AuditPurpose.REFERRAL_HANDLING,
    person_id: uuid.UUID | None = None,
) -> tuple[Person, list[Candidate]]:
    """Store a new person, index them for duplicate detection, queue possible duplicates."""
    now = utcnow()
    person = Person(
        status=PersonStatus.ACTIVE,
        registered_by_organisation=principal.organisation,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        **_stored(fields),
    )
    if person_id is not None:
        person.id = person_id
    session.add(person)
    await session.flush()
    candidates = await _index(session, principal, person, new=True)
    registered = _profile(PersonRegisteredData, person, registered_at=now)
    await _publish(
        session, principal, person, AuditAction.CREATE, purpose, PersonRegistered, registered
    )
    return person, candidates


async def _index(
    session: AsyncSession, principal: Principal, person: Person, *, new: bool = False
) -> list[Candidate]:
    """(Re)index ``person`` for duplicate detection; queue and return who may be the same."""
    found = facts(person)
    birth_year = person.birth_date.year if person.birth_date else None
    await repository.replace_keys(session, person.id, blocking_keys(found), birth_year, new=new)
    candidates = await find_candidates(session, found, exclude=person.id)
    await reviews.keep(session, principal, person, candidates)
    return candidates


async def _publish(
    session: AsyncSession,
    principal: Principal,
    person: Person,
    action: AuditAction,
    purpose: AuditPurpose,
    kind: EventType[E],
    data: E,
) -> None:
    """The end of every change of a person: the change audited under ``purpose``, and the
    event that tells the other services, in the same transaction."""
    await AuditScope(PERSON, purpose).record(session, principal, action, person.id)
    await record_event(
        session, kind, data, subject=str(person.id), organisation=principal.organisation
    )


def _profile(data: type[P], person: Person, **fields: Any) -> P:
    """An event payload of `PersonProfileData`'s kind about `person`: its coarse profile,
    `fields` and any other field read from the row."""
    band = person.erased_age_band or age_band(person.birth_date, utcnow().date())
    return data.of(person, person_ref=person.id, age_band=band, **fields)


async def get(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    purpose: AuditPurpose = AuditPurpose.REFERRAL_HANDLING,
) -> Person:
    person = await _visible(session, principal, person_id)
    return await AuditScope(PERSON, purpose).read(session, principal, person)


BIRTH_DATES = AuditScope(PERSON, AuditPurpose.CASE_MANAGEMENT)
"""Birth dates read by casework for the minors' track (the transition at 18)."""


async def birth_date(
    *, session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> Person:
    """The person, whatever their status or who registered them, for the read of their birth
    date alone (casework's service account: the route admits no one else); audited."""
    person = require_found(
        await repository.get(session, person_id), PersonNotFound(f"No person {person_id}.")
    )
    return await BIRTH_DATES.read(session, principal, person)


async def list_visible(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    where: PersonFilter,
) -> Page[Person]:
    found = await repository.list_visible(session, principal, page, where=where)
    return await PERSONS.listed(session, principal, found)


async def for_change(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> Person:
    """The visible person, locked for change; only an active one may change."""
    person = await _visible(session, principal, person_id, for_update=True)
    if person.status != PersonStatus.ACTIVE:
        raise PersonNotActive(f"Person {person_id} is {person.status}; change its survivor.")
    return person


async def rectify(
    *,
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    if_match: str | None,
    patch: PersonPatch,
) -> Person:
    """Rectification (GDPR art. 16): change the fields given, under the current version."""
    person = await for_change(session, principal, person_id)
    require_if_match(if_match, person.version)
    proposed = proposed_changes(patch)
    await apply_changes(
        session, principal, person, proposed, purpose=AuditPurpose.REFERRAL_HANDLING
    )
    return person


async def locked(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    """The person, locked, whatever their status and whoever sees them (a split restores a
    record merged away, which no one sees on its own)."""
    return await repository.get_for_update(session, person_id)


def proposed_changes(patch: PersonPatch) -> dict[str, Any]:
    """The fields a patch sets, as `apply_changes` takes them (only those present)."""
    return _stored(patch, include=patch.model_fields_set)


async def apply_changes(
    session: AsyncSession,
    principal: Principal,
    person: Person,
    proposed: Mapping[str, Any],
    *,
    purpose: AuditPurpose,
    base_version: int | None = None,
) -> list[str]:
    """Apply ``proposed`` field values to an active, locked ``person``; returns what changed.

    With ``base_version`` (an offline edit made from that version) a field someone else
    changed after it is an `EditConflict`, never a silent overwrite.
    """
    changed = changed_fields(repository.row(person), proposed)
    if base_version is not None and base_version != person.version:
        later = await repository.changed_since(session, person.id, base_version)
        clash = conflicting_fields(changed, later)
        if clash:
            raise EditConflict(
                f"Person {person.id} changed since version {base_version}: {', '.join(clash)}.",
                extensions={"conflicting_fields": clash, "server_version": person.version},
            )
    if not changed:
        return []
    for name in changed:
        setattr(person, name, proposed[name])
    if person.given_name is None and person.family_name is None:
        raise NameRequired("A person needs a given or a family name.")
    now = utcnow()
    person.version += 1
    person.updated_at = now
    session.add(
        PersonRevision(
            person_id=person.id,
            version=person.version,
            changed_fields=changed,
            changed_by=principal.subject,
            changed_at=now,
        )
    )
    await session.flush()
    if any(name in MATCHED_FIELDS for name in changed):
        await _index(session, principal, person)
    updated = _profile(PersonUpdatedData, person, changed=changed)
    await _publish(session, principal, person, AuditAction.UPDATE, purpose, PersonUpdated, updated)
    return changed


async def match(
    *, session: AsyncSession, principal: Principal, query: PersonFacts
) -> tuple[list[Candidate], set[uuid.UUID]]:
    """Search for persons who may be ``query``; nothing stored. Returns the candidates and
    which of them the caller may see in full (those reads are audited)."""
    candidates = await find_candidates(session, query)
    visible = await repository.visible_ids(session, principal, [c.person.id for c in candidates])
    await DUPLICATES.record(session, principal, AuditAction.READ, *sorted(visible, key=str))
    return candidates, visible


visible_ids = repository.visible_ids
"""Which of some persons the principal sees (``active_only``: and not merged or erased); for
the features linking persons (referrals, households). Not audited: ids only."""


# --- what the registry holds about a person (subject rights) --------------------------------


async def merged_into(session: AsyncSession, survivor_id: uuid.UUID) -> list[Person]:
    """Every record merged, directly or through another, into ``survivor_id``."""
    return await repository.merged_into(session, survivor_id)


async def export_for(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[dict[str, Any]]:
    """Subject access: which fields each version of these persons changed (who changed them
    left out)."""
    return [
        r.model_dump(mode="json", exclude={"changed_by"})
        for r in await repository.revisions(session, list(person_ids))
    ]


async def erase(
    session: AsyncSession, principal: Principal, person: Person, ground: ErasureGround
) -> list[uuid.UUID]:
    """Erasure (art. 17) of the registry's part, on a person locked by `for_change`: the
    identifying fields of the person and of every record merged into them go; the pseudonymous
    reference stays, with sex, nationality and the age band at erasure, for statistics;
    ``lgnet.intake.person.erased`` tells every other service to act. Returns the ids of every
    record erased (the person's first)."""
    merged = await repository.merged_into(session, person.id)
    now = utcnow()
    for record in (person, *merged):
        record.erased_age_band = age_band(record.birth_date, now.date())
        for name, value in ERASED_FIELDS.items():
            setattr(record, name, value)
        record.status = PersonStatus.ERASED
        record.erased_at = now
        record.updated_at = now
        record.version += 1
    ids = [person.id, *(p.id for p in merged)]
    await repository.delete_keys(session, ids)
    for erased_id in ids:
        await forget_responses_about(session, str(erased_id))
    await session.flush()
    erased = PersonErasedData.of(
        person, person_ref=person.id, merged_refs=[p.id for p in merged], ground=ground
    )
    await _publish(
        session, principal, person, AuditAction.ERASE, AuditPurpose.ERASURE, PersonErased, erased
    )
    return ids
