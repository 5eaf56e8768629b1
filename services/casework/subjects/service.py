"""Subject access (GDPR art. 15): what casework holds on a person, gathered from each feature
for the caller — the cases they see, the notes their level allows — for the platform-wide
export the integrators-and-access work assembles. Each case's and note's export is audited."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound
from services.casework.approvals import service as approvals
from services.casework.cases import service as cases
from services.casework.minors import service as minors
from services.casework.notes import service as notes
from services.casework.persons import service as persons
from services.casework.plans import service as plans
from services.casework.referrals import service as referrals
from services.casework.sharing import service as sharing
from services.casework.subjects.schemas import CaseHeld, SubjectExport
from services.casework.transfers import service as transfers


class SubjectNotFound(NotFound, slug="subject-not-found", title="No case of this person"):
    """No case concerning the person is visible to the caller (404, as for one case)."""


async def export(
    *, session: AsyncSession, principal: Principal, person_ref: uuid.UUID
) -> SubjectExport:
    held = await cases.held_on_person(session, principal, person_ref)
    if not held:
        raise SubjectNotFound(f"No case concerning person {person_ref} is visible to you.")
    found = []
    for item in held:
        case_id = uuid.UUID(item["case"]["id"])
        found.append(
            CaseHeld(
                **item,
                plan_versions=await plans.held_on_case(session, case_id),
                approvals=await approvals.held_on_case(session, case_id),
                notes=await notes.held_on_person(session, principal, case_id, person_ref),
                transfers=await transfers.held_on_case(session, case_id),
                **await sharing.held_on_case(session, case_id),
                minors_track=await minors.held_on_case(session, principal, case_id),
                referrals=await referrals.held_on_case(session, case_id),
            )
        )
    return SubjectExport(
        person_ref=person_ref,
        exported_at=utcnow(),
        cases=found,
        consent_withdrawals=await persons.held_on_person(session, person_ref),
        birth_date_copy=await minors.birth_date_held(session, person_ref),
    )
