"""Check-in rules: what a scan counts as, and who gives feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.events.attendance import domain
from services.events.attendance.domain import ScanIn, Scanned, ScanOutcome

SESSION = uuid.uuid4()
REGISTRATION = uuid.uuid4()
NOW = datetime(2026, 12, 5, 17, 35, tzinfo=UTC)


def _judged(found: Scanned | None, registration_id: uuid.UUID | None = REGISTRATION) -> ScanOutcome:
    return domain.judge(ScanIn("scan-0001", registration_id), found, SESSION)


@pytest.mark.parametrize(
    ("found", "outcome"),
    [
        (Scanned(SESSION, "registered", None), ScanOutcome.CHECKED_IN),
        (Scanned(SESSION, "registered", NOW), ScanOutcome.ALREADY_CHECKED_IN),
        (Scanned(SESSION, "cancelled", None), ScanOutcome.REGISTRATION_CANCELLED),
        (Scanned(SESSION, "waitlisted", None), ScanOutcome.NOT_HOLDING_A_SEAT),
        (Scanned(SESSION, "offered", None), ScanOutcome.NOT_HOLDING_A_SEAT),
        (Scanned(SESSION, "offer_expired", None), ScanOutcome.NOT_HOLDING_A_SEAT),
        (Scanned(uuid.uuid4(), "registered", None), ScanOutcome.WRONG_SESSION),
        (None, ScanOutcome.UNKNOWN_REGISTRATION),
    ],
)
def test_what_a_scan_of_a_registration_counts_as(
    found: Scanned | None, outcome: ScanOutcome
) -> None:
    assert _judged(found) is outcome


def test_a_scan_without_a_registration_is_a_walk_in() -> None:
    assert _judged(None, registration_id=None) is ScanOutcome.WALK_IN


def test_only_check_ins_and_walk_ins_count_and_a_repeat_is_accepted_uncounted() -> None:
    assert {ScanOutcome.CHECKED_IN, ScanOutcome.WALK_IN} == domain.COUNTED
    assert ScanOutcome.ALREADY_CHECKED_IN in domain.ACCEPTED - domain.COUNTED
    refused = set(ScanOutcome) - domain.ACCEPTED
    assert {ScanOutcome.WRONG_SESSION, ScanOutcome.NONCE_REUSED} <= refused


def test_a_nonce_sent_again_is_the_same_scan_only_with_the_same_content() -> None:
    person = uuid.uuid4()
    scan = ScanIn("scan-0001", REGISTRATION, None)
    assert domain.same_scan(scan, REGISTRATION, None)
    assert not domain.same_scan(scan, uuid.uuid4(), None)
    assert not domain.same_scan(ScanIn("scan-0002", None, person), None, None)


def test_feedback_comes_from_those_who_were_there() -> None:
    domain.require_attended(NOW)
    with pytest.raises(domain.NotAttended):
        domain.require_attended(None)
