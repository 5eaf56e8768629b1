"""Attendance use cases: check-in scans in batches (from devices that may have been
offline), the session's attendance and its sheet, and feedback. Never commits."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Collection

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction, AuditPurpose, AuditScope
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict
from kit.outbox import record_event
from services.events.attendance import domain, repository
from services.events.attendance.domain import ScanIn, Scanned, ScanOutcome
from services.events.attendance.events import (
    AttendanceRecorded,
    AttendanceRecordedData,
    FeedbackGiven,
    FeedbackGivenData,
)
from services.events.attendance.models import Feedback, Scan
from services.events.attendance.schemas import (
    Attendance,
    FeedbackIn,
    FeedbackSummary,
    ScanBatch,
    ScanBatchResult,
    ScanResult,
)
from services.events.registrations import service as registrations
from services.events.sessions import service as sessions

SHEETS = AuditScope("attendance_sheet", AuditPurpose.INITIATIVES)
BENEFICIARY = "beneficiary"


class FeedbackGivenAlready(Conflict):
    slug = "feedback-given-already"
    title = "Feedback was given already"


async def check_in(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    batch: ScanBatch,
) -> ScanBatchResult:
    """Each scan of the batch judged and kept under its nonce (under the session's lock, so
    two uploads of the same scans count once); a nonce seen before answers as then."""
    await sessions.run_by(session, principal, initiative_id)
    held = await sessions.locked(session, initiative_id, session_id)
    sessions.require_scheduled(held)
    kept = await repository.scans_by_nonce(session, held.id, [s.nonce for s in batch.scans])
    wanted = {s.registration_id for s in batch.scans if s.registration_id and s.nonce not in kept}
    found = await registrations.for_check_in(session, wanted)
    now = utcnow()
    results: list[ScanResult] = []
    beneficiaries: list[uuid.UUID] = []
    for given in batch.scans:
        scan = ScanIn(given.nonce, given.registration_id, given.person_ref)
        before = kept.get(scan.nonce)
        if before is not None:
            results.append(_replayed(scan, before))
            continue
        registration = found.get(scan.registration_id) if scan.registration_id else None
        seen = (
            None
            if registration is None
            else Scanned(registration.session_id, registration.status, registration.checked_in_at)
        )
        outcome = domain.judge(scan, seen, held.id)
        if outcome is ScanOutcome.CHECKED_IN and registration is not None:
            registrations.check_in(registration, given.scanned_at)
            if registration.registrant == BENEFICIARY and registration.person_ref is not None:
                beneficiaries.append(registration.person_ref)
        row = Scan(
            session_id=held.id,
            nonce=scan.nonce,
            registration_id=scan.registration_id,
            walk_in=scan.registration_id is None,
            person_ref=scan.person_ref,
            outcome=outcome,
            scanned_at=given.scanned_at,
            device=batch.device,
            recorded_by=principal.subject,
            recorded_at=now,
        )
        session.add(row)
        kept[scan.nonce] = row
        results.append(_result(scan, outcome, counted=outcome in domain.COUNTED, replayed=False))
    await session.flush()
    answer = _answer(results)
    if answer.checked_in or answer.walk_ins:
        totals = await repository.outcome_counts(session, held.id)
        await record_event(
            session,
            AttendanceRecorded,
            AttendanceRecordedData(
                initiative_id=initiative_id,
                session_id=held.id,
                checked_in=answer.checked_in,
                walk_ins=answer.walk_ins,
                refused=answer.refused,
                beneficiaries_checked_in=beneficiaries,
                total_checked_in=totals.get(ScanOutcome.CHECKED_IN, 0),
                total_walk_ins=totals.get(ScanOutcome.WALK_IN, 0),
                recorded_at=now,
            ),
            subject=str(initiative_id),
            organisation=principal.organisation,
        )
    return answer


async def attendance(
    *, session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID
) -> Attendance:
    found = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    counts = await repository.outcome_counts(session, found.id)
    registered = await registrations.holding_seats(session, found.id)
    checked_in = counts.get(ScanOutcome.CHECKED_IN, 0)
    return Attendance(
        session_id=found.id,
        registered=registered,
        checked_in=checked_in,
        walk_ins=counts.get(ScanOutcome.WALK_IN, 0),
        no_shows=max(registered - checked_in, 0),
    )


SHEET_COLUMNS = (
    "registration_id",
    "registrant",
    "person_ref",
    "name",
    "status",
    "checked_in_at",
)


async def sheet(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
) -> str:
    """The session's attendance sheet as CSV, for those who run it (audited: it names the
    public registrants)."""
    await sessions.run_by(session, principal, initiative_id)
    found = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    rows = await registrations.attendees(session, found.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.id,
                row.registrant,
                row.person_ref or "",
                _cell(row.name or ""),
                row.status,
                sessions.local_time(found, row.checked_in_at).isoformat()
                if row.checked_in_at
                else "",
            ]
        )
    await SHEETS.record(session, principal, AuditAction.EXPORT, found.id)
    return out.getvalue()


async def give_feedback(
    *,
    session: AsyncSession,
    principal: Principal,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    feedback_in: FeedbackIn,
) -> Feedback:
    """An attendee's feedback, once, as those who run the session collect it."""
    await sessions.run_by(session, principal, initiative_id)
    found = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    registration = await registrations.in_session(session, found.id, registration_id)
    domain.require_attended(registration.checked_in_at)
    if await repository.feedback_of(session, registration.id) is not None:
        raise FeedbackGivenAlready("This registrant has given feedback on the session already.")
    given = Feedback(
        session_id=found.id,
        registration_id=registration.id,
        **feedback_in.model_dump(),
        created_at=utcnow(),
    )
    session.add(given)
    await session.flush()
    await record_event(
        session,
        FeedbackGiven,
        FeedbackGivenData(
            initiative_id=initiative_id,
            session_id=found.id,
            registrant=registration.registrant,
            usefulness=given.usefulness,
            given_at=given.created_at,
        ),
        subject=str(initiative_id),
        organisation=principal.organisation,
    )
    return given


async def feedback_summary(
    *, session: AsyncSession, initiative_id: uuid.UUID, session_id: uuid.UUID
) -> FeedbackSummary:
    found = await sessions.get(session=session, initiative_id=initiative_id, session_id=session_id)
    counts = await repository.usefulness_counts(session, found.id)
    answers = sum(counts.values())
    total = sum(score * n for score, n in counts.items())
    return FeedbackSummary(
        session_id=found.id,
        answers=answers,
        mean_usefulness=round(total / answers, 2) if answers else None,
        by_usefulness={str(score): counts.get(score, 0) for score in range(1, 6)},
        found_useful=counts.get(4, 0) + counts.get(5, 0),
    )


# --- steps -------------------------------------------------------------------------------


def _replayed(scan: ScanIn, before: Scan) -> ScanResult:
    if not domain.same_scan(scan, before.registration_id, before.person_ref):
        return _result(scan, ScanOutcome.NONCE_REUSED, counted=False, replayed=False)
    return _result(scan, ScanOutcome(before.outcome), counted=False, replayed=True)


def _result(scan: ScanIn, outcome: ScanOutcome, *, counted: bool, replayed: bool) -> ScanResult:
    return ScanResult(
        nonce=scan.nonce,
        outcome=outcome,
        registration_id=scan.registration_id,
        counted=counted,
        replayed=replayed,
    )


def _answer(results: list[ScanResult]) -> ScanBatchResult:
    counted = [r for r in results if r.counted]
    return ScanBatchResult(
        results=results,
        checked_in=sum(r.outcome is ScanOutcome.CHECKED_IN for r in counted),
        walk_ins=sum(r.outcome is ScanOutcome.WALK_IN for r in counted),
        refused=sum(r.outcome not in domain.ACCEPTED for r in results),
    )


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def erase_comments(session: AsyncSession, registration_ids: Collection[uuid.UUID]) -> None:
    """With a registrant's erasure: their feedback's comment goes, its score stays."""
    await repository.erase_comments(session, registration_ids)
