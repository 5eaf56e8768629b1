"""Following intake's persons: a merge repoints cases and notes, a split undoes it, an erasure
destroys what casework says about the person, a withdrawn consent restricts, a rectified birth
date is read again (the minors' track). Never commits;
every handler is idempotent (a redelivered event changes nothing more)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.query import insert_once
from services.casework.cases import service as cases
from services.casework.minors import service as minors
from services.casework.notes import service as notes
from services.casework.persons import repository
from services.casework.persons.models import PersonMerge, PersonRestriction
from services.casework.persons.schemas import (
    ConsentWithdrawnIn,
    PersonErasedIn,
    PersonMergedIn,
    PersonSplitIn,
    PersonUpdatedIn,
)
from services.casework.referrals import service as referrals
from services.casework.visibility import HEALTH_DATA, NETWORK_SHARING

RESTRICTING = frozenset({NETWORK_SHARING, HEALTH_DATA})
"""The purposes whose withdrawal changes what casework shows (visibility.py applies them)."""


async def updated(session: AsyncSession, update_in: PersonUpdatedIn) -> None:
    """Only a changed birth date matters to casework: its copy is read again (later, by a
    job: never inside this transaction)."""
    await minors.birth_date_changed(
        session, update_in.person_ref, update_in.version, update_in.changed
    )


async def merged(session: AsyncSession, merge_in: PersonMergedIn) -> None:
    if await session.get(PersonMerge, merge_in.merged_ref) is not None:
        return  # followed already
    await minors.person_merged(session, merge_in.merged_ref, merge_in.survivor_ref)
    moved, dropped = await cases.move_person(session, merge_in.merged_ref, merge_in.survivor_ref)
    note_ids = await notes.repoint(session, merge_in.merged_ref, merge_in.survivor_ref)
    # the same human: what they withdrew holds for the survivor too (and stays after a split)
    for purpose in RESTRICTING:
        restriction = await session.get(PersonRestriction, (merge_in.merged_ref, purpose))
        if restriction is not None:
            await _restrict(
                session,
                merge_in.survivor_ref,
                purpose,
                restriction.consent_id,
                restriction.withdrawn_at,
            )
    session.add(
        PersonMerge(
            merged_ref=merge_in.merged_ref,
            survivor_ref=merge_in.survivor_ref,
            case_ids=[str(i) for i in moved],
            dropped_case_ids=[str(i) for i in dropped],
            note_ids=[str(i) for i in note_ids],
            merged_at=merge_in.merged_at,
        )
    )
    await session.flush()


async def split(session: AsyncSession, split_in: PersonSplitIn) -> None:
    merge = await session.get(PersonMerge, split_in.restored_ref)
    if merge is None or merge.survivor_ref != split_in.survivor_ref:
        return  # never followed, or undone already
    await cases.restore_person(
        session,
        split_in.restored_ref,
        from_ref=split_in.survivor_ref,
        moved=[uuid.UUID(i) for i in merge.case_ids],
        dropped=[uuid.UUID(i) for i in merge.dropped_case_ids],
    )
    await notes.restore(session, [uuid.UUID(i) for i in merge.note_ids], split_in.restored_ref)
    await session.delete(merge)
    await session.flush()


async def erased(session: AsyncSession, erased_in: PersonErasedIn) -> int:
    """What casework says of the person is destroyed — notes, referrals' texts, the minors'
    track's identifying data —; the pseudonymous links stay. How many notes were erased is
    returned."""
    refs = [erased_in.person_ref, *erased_in.merged_refs]
    await minors.erase_about(session, refs)
    await referrals.erase_about(session, refs)
    return await notes.erase_about(session, refs)


async def consent_withdrawn(session: AsyncSession, withdrawal_in: ConsentWithdrawnIn) -> None:
    if withdrawal_in.purpose in RESTRICTING and withdrawal_in.legal_basis == "consent":
        await _restrict(
            session,
            withdrawal_in.person_ref,
            withdrawal_in.purpose,
            withdrawal_in.consent_id,
            withdrawal_in.withdrawn_at,
        )


async def _restrict(
    session: AsyncSession,
    person_ref: uuid.UUID,
    purpose: str,
    consent_id: uuid.UUID,
    withdrawn_at: datetime,
) -> None:
    table = PersonRestriction.__table__  # type: ignore[attr-defined]
    await insert_once(
        session,
        table,
        person_ref=person_ref,
        purpose=purpose,
        consent_id=consent_id,
        withdrawn_at=withdrawn_at,
    )


async def held_on_person(session: AsyncSession, person_ref: uuid.UUID) -> list[dict[str, Any]]:
    """The purposes the person withdrew consent for, as casework follows them."""
    rows = await repository.restrictions_of(session, person_ref)
    return [row.model_dump(mode="json") for row in rows]
