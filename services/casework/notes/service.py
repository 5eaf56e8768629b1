"""Note use cases: write one, read those your level allows. Never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import NotFound, ValidationFailed
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.cases import service as cases
from services.casework.cases.schemas import CaseFacts, Reach
from services.casework.notes import domain, repository
from services.casework.notes.events import NoteWritten
from services.casework.notes.models import Note
from services.casework.notes.schemas import NoteCreate

NOTES = AuditScope("case_note", AuditPurpose.CASE_MANAGEMENT)
"""What the team writes about a person: every read of a note is audited, note by note."""


class NoteNotFound(NotFound, slug="note-not-found", title="Note not found"): ...


async def _reader(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[CaseFacts, domain.Reader]:
    case = await cases.get(session=session, principal=principal, case_id=case_id, reach=Reach.NOTES)
    membership = await cases.membership_of(session, case.id, principal)
    return CaseFacts.model_validate(case), domain.Reader(
        user=principal.subject,
        of_lead_organisation=principal.organisation == case.lead_organisation
        and principal.has_role(Role.CASE_WORKER, Role.CASE_SUPERVISOR),
        team_role=membership.role if membership is not None else None,
        coordinator=principal.is_coordinator,
        granted=principal.organisation != case.lead_organisation
        and membership is None
        and not principal.is_coordinator,
    )


async def write(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, note_in: NoteCreate
) -> Note:
    facts, reader = await _reader(session, principal, case_id)
    domain.may_write(reader, health=note_in.health)
    if note_in.person_ref is not None:
        persons = (await cases.persons_of(session, [facts.id]))[facts.id]
        if note_in.person_ref not in persons:
            raise ValidationFailed.for_field(
                "person_ref", "is not a person of this case", code="unknown_person"
            )
    note = Note(
        case_id=facts.id,
        **note_in.model_dump(),
        author=principal.subject,
        author_organisation=principal.organisation,
        written_at=utcnow(),
    )
    session.add(note)
    await session.flush()
    await NOTES.record(session, principal, AuditAction.CREATE, note.id)
    data = NoteWritten.payload.of(note, entry_id=note.id, lead_organisation=facts.lead_organisation)
    await record_event(
        session, NoteWritten, data, subject=str(facts.id), organisation=facts.lead_organisation
    )
    return note


async def list_readable(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, page: PageParams
) -> Page[Note]:
    """The case's notes `principal` may read, oldest first (each read audited)."""
    facts, reader = await _reader(session, principal, case_id)
    found = await repository.list_readable(
        session, facts.id, reader.user, domain.readable(reader), page
    )
    return await NOTES.listed(session, principal, found)


async def get(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, note_id: uuid.UUID
) -> Note:
    facts, reader = await _reader(session, principal, case_id)
    note = await repository.get_readable(
        session, facts.id, note_id, reader.user, domain.readable(reader)
    )
    if note is None:
        raise NoteNotFound(f"No note {note_id} you may read on this case.")
    return await NOTES.read(session, principal, note)


# --- persons (intake's person events) ---------------------------------------------------

ERASED_BODY = "[erased: the person's data was erased]"


async def erase_about(session: AsyncSession, person_refs: list[uuid.UUID]) -> int:
    """Destroy what the notes say about these persons (their erasure): the notes naming them,
    and the unnamed notes of the cases that concern them alone. Levels and dates stay (for the
    statistics and the audit); how many notes were erased is returned."""
    sole = await cases.sole_person_cases(session, person_refs)
    notes = await repository.about(session, person_refs, sole)
    for note in notes:
        note.body = ERASED_BODY
    await session.flush()
    return len(notes)


async def repoint(session: AsyncSession, from_ref: uuid.UUID, to_ref: uuid.UUID) -> list[uuid.UUID]:
    """Notes naming `from_ref` now name `to_ref` (a merge); the ids of those moved."""
    moved = await repository.naming(session, from_ref)
    for note in moved:
        note.person_ref = to_ref
    await session.flush()
    return [note.id for note in moved]


async def restore(session: AsyncSession, note_ids: list[uuid.UUID], person_ref: uuid.UUID) -> None:
    """Undo `repoint` for the notes given (a split)."""
    for note_id in note_ids:
        note = await repository.get(session, note_id)
        if note is not None:
            note.person_ref = person_ref
    await session.flush()


async def held_on_person(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, person_ref: uuid.UUID
) -> list[dict[str, Any]]:
    """The notes of the case about the person (naming them, or naming no one) that
    `principal` may read, as JSON values: subject access never widens a note's level."""
    _, reader = await _reader(session, principal, case_id)
    notes = await repository.readable_about(
        session, case_id, person_ref, reader.user, domain.readable(reader)
    )
    await NOTES.record(session, principal, AuditAction.EXPORT, *(n.id for n in notes))
    return [note.model_dump(mode="json") for note in notes]


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: the case's notes keep their level and date, not their text or person."""
    for note in await repository.of_case(session, case_id):
        note.body, note.person_ref = cases.ANONYMISED, None
    await session.flush()
