"""Rapid-response SLAs, without I/O: deadlines, breaches, raising each breach once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.referrals.domain import Urgency
from services.intake.referrals.lifecycle import ReferralStatus
from services.intake.referrals.sla import (
    DEFAULT_SLA_POLICY,
    Breach,
    BreachKey,
    BreachKind,
    ReferralFacts,
    SlaPolicy,
    breaches,
    deadlines,
    new_breaches,
    overdue,
)

U = Urgency
S = ReferralStatus
K = BreachKind
policy = DEFAULT_SLA_POLICY
ROME = ZoneInfo("Europe/Rome")
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def facts(**changes: Any) -> ReferralFacts:
    values: dict[str, Any] = {
        "referral_id": UUID(int=1),
        "status": S.RECEIVED,
        "received_at": RECEIVED,
        "urgency": U.HIGH,
    }
    return ReferralFacts(**(values | changes))


def kinds(found: list[Breach]) -> list[tuple[BreachKind, bool]]:
    return [(b.kind, b.overdue) for b in found]


# --- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "first_contact", "hand_over"),
    [
        (U.IMMEDIATE, 2 * H, 24 * H),
        (U.HIGH, 24 * H, 72 * H),
        (U.NORMAL, 72 * H, timedelta(days=10)),
    ],
)
def test_default_deadlines_per_urgency(
    urgency: Urgency, first_contact: timedelta, hand_over: timedelta
) -> None:
    due = deadlines(RECEIVED, urgency, policy)
    assert due.first_contact == RECEIVED + first_contact
    assert due.hand_over == RECEIVED + hand_over


def test_deadlines_count_elapsed_hours_across_the_change_to_summer_time() -> None:
    # 28 March 2026, 12:00 in Milan; the clocks go forward that night
    received = datetime(2026, 3, 28, 12, 0, tzinfo=ROME)
    due = deadlines(received, U.IMMEDIATE, policy)
    assert due.hand_over - received == 24 * H
    assert due.hand_over.astimezone(ROME).hour == 13
    assert due.hand_over.tzinfo is UTC


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadlines(datetime(2026, 3, 2, 9, 0), U.HIGH, policy)
    with pytest.raises(ValueError, match="timezone-aware"):
        breaches(facts(), datetime(2026, 3, 2, 9, 0), policy)
    with pytest.raises(ValidationError):
        facts(received_at=datetime(2026, 3, 2, 9, 0))


# --- breaches --------------------------------------------------------------------------------


def test_nothing_is_breached_before_the_deadline_nor_exactly_at_it() -> None:
    assert breaches(facts(), RECEIVED + 24 * H, policy) == []


def test_no_first_contact_after_its_deadline_is_an_open_breach() -> None:
    found = breaches(facts(), RECEIVED + 25 * H, policy)
    assert kinds(found) == [(K.FIRST_CONTACT, True)]
    assert found[0].deadline == RECEIVED + 24 * H
    assert overdue(found) == found


def test_a_timely_first_contact_leaves_only_the_hand_over_to_breach() -> None:
    contacted = facts(first_contact_at=RECEIVED + 3 * H)
    assert breaches(contacted, RECEIVED + 50 * H, policy) == []
    assert kinds(breaches(contacted, RECEIVED + 73 * H, policy)) == [(K.HAND_OVER, True)]


def test_a_late_first_contact_is_still_a_breach_but_no_longer_overdue() -> None:
    late = facts(first_contact_at=RECEIVED + 30 * H)
    found = breaches(late, RECEIVED + 31 * H, policy)
    assert kinds(found) == [(K.FIRST_CONTACT, False)]
    assert found[0].met_at == RECEIVED + 30 * H
    assert overdue(found) == []


def test_a_screened_referral_still_waiting_for_hand_over_breaches_both() -> None:
    waiting = facts(status=S.SCREENED, urgency=U.IMMEDIATE)
    assert kinds(breaches(waiting, RECEIVED + 25 * H, policy)) == [
        (K.FIRST_CONTACT, True),
        (K.HAND_OVER, True),
    ]


def test_a_hand_over_counts_as_first_contact() -> None:
    handed = facts(status=S.HANDED_OVER, handed_over_at=RECEIVED + 10 * H)
    assert breaches(handed, RECEIVED + 100 * H, policy) == []


def test_a_late_hand_over_is_a_breach_met_late() -> None:
    handed = facts(
        status=S.HANDED_OVER,
        first_contact_at=RECEIVED + H,
        handed_over_at=RECEIVED + 80 * H,
    )
    assert kinds(breaches(handed, RECEIVED + 100 * H, policy)) == [(K.HAND_OVER, False)]


@pytest.mark.parametrize("status", [S.REFERRED_ELSEWHERE, S.CLOSED_NO_ACTION])
def test_a_referral_ended_without_hand_over_breaches_nothing(status: ReferralStatus) -> None:
    assert breaches(facts(status=status), RECEIVED + timedelta(days=365), policy) == []


def test_handed_over_at_goes_with_the_handed_over_status() -> None:
    with pytest.raises(ValidationError, match="handed_over_at"):
        facts(status=S.HANDED_OVER)
    with pytest.raises(ValidationError, match="handed_over_at"):
        facts(status=S.SCREENED, handed_over_at=RECEIVED)


# --- raising once ----------------------------------------------------------------------------


def test_a_breach_already_raised_is_not_raised_again() -> None:
    found = breaches(facts(status=S.SCREENED), RECEIVED + 100 * H, policy)
    first = new_breaches(found, already_raised=set())
    assert [b.kind for b in first] == [K.FIRST_CONTACT, K.HAND_OVER]
    assert new_breaches(found, already_raised={b.key for b in first}) == []


def test_re_scoring_the_urgency_does_not_raise_the_same_missed_step_again() -> None:
    as_normal = breaches(facts(urgency=U.NORMAL), RECEIVED + 80 * H, policy)
    raised = {b.key for b in new_breaches(as_normal, already_raised=set())}
    as_immediate = breaches(facts(urgency=U.IMMEDIATE), RECEIVED + 80 * H, policy)
    assert [b.kind for b in new_breaches(as_immediate, already_raised=raised)] == [K.HAND_OVER]


def test_a_breach_listed_twice_is_raised_once() -> None:
    found = breaches(facts(), RECEIVED + 25 * H, policy)
    assert new_breaches(found + found, already_raised=()) == found


# --- the policy document ---------------------------------------------------------------------


def document(**changes: Any) -> dict[str, Any]:
    doc = DEFAULT_SLA_POLICY.model_dump(mode="json")
    doc["deadlines"] |= changes
    return doc


def test_the_default_policy_survives_a_json_round_trip_as_iso_durations() -> None:
    text = policy.model_dump_json()
    assert '"immediate":{"first_contact":"PT2H","hand_over":"P1D"}' in text
    assert SlaPolicy.model_validate_json(text) == policy


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"high": {"first_contact": "PT0S", "hand_over": "P1D"}}, "greater than 0"),
        ({"high": {"first_contact": "P4D", "hand_over": "P1D"}}, "first-contact deadline"),
        ({"high": {"first_contact": "PT1H", "hand_over": "P400D"}}, "less than or equal"),
        ({"immediate": {"first_contact": "P2D", "hand_over": "P2D"}}, "cannot be later"),
        ({"high": {"first_contact": "P1D", "hand_over": "P20D"}}, "cannot be later"),
    ],
)
def test_an_invalid_policy_document_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SlaPolicy.model_validate(document(**changes))


def test_a_policy_must_cover_every_urgency() -> None:
    doc = DEFAULT_SLA_POLICY.model_dump(mode="json")
    del doc["deadlines"]["normal"]
    with pytest.raises(ValidationError, match="missing"):
        SlaPolicy.model_validate(doc)


# --- properties ------------------------------------------------------------------------------

aware_times = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 1, 1),
    timezones=st.sampled_from([UTC, ROME, ZoneInfo("America/New_York")]),
)
durations = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=30))
urgencies = st.sampled_from(Urgency)


@st.composite
def sla_policies(draw: st.DrawFn) -> SlaPolicy:
    # draw increments so the document is valid: more urgent is never slower
    fc = sorted(draw(st.lists(durations, min_size=3, max_size=3)))
    extra = sorted(draw(st.lists(durations, min_size=3, max_size=3)))
    ho = [f + e for f, e in zip(fc, extra, strict=True)]
    return SlaPolicy.model_validate(
        {
            "deadlines": {
                u: {"first_contact": fc[n], "hand_over": ho[n]}
                for n, u in enumerate([U.IMMEDIATE, U.HIGH, U.NORMAL])
            }
        }
    )


@given(aware_times, urgencies, sla_policies())
def test_deadlines_are_after_received_at_and_first_contact_comes_first(
    received_at: datetime, urgency: Urgency, sla: SlaPolicy
) -> None:
    due = deadlines(received_at, urgency, sla)
    assert received_at < due.first_contact <= due.hand_over


@given(aware_times, urgencies, sla_policies())
def test_a_more_urgent_referral_is_never_due_later(
    received_at: datetime, urgency: Urgency, sla: SlaPolicy
) -> None:
    due, most = deadlines(received_at, urgency, sla), deadlines(received_at, U.IMMEDIATE, sla)
    assert most.first_contact <= due.first_contact
    assert most.hand_over <= due.hand_over


@given(
    st.lists(
        st.tuples(
            st.sampled_from([S.RECEIVED, S.SCREENED, S.REFERRED_ELSEWHERE]),
            urgencies,
            st.none() | st.integers(0, 300),
        ),
        max_size=6,
    ),
    st.lists(st.integers(0, 400), min_size=1, max_size=8),
)
def test_a_scheduler_raises_each_breach_exactly_once(
    referrals: list[tuple[ReferralStatus, Urgency, int | None]], ticks: list[int]
) -> None:
    pool = [
        facts(
            referral_id=uuid4(),
            status=status,
            urgency=urgency,
            first_contact_at=None if contact is None else RECEIVED + contact * H,
        )
        for status, urgency, contact in referrals
    ]
    raised: list[Breach] = []
    keys: set[BreachKey] = set()
    for hour in sorted(ticks):  # the scheduler runs at these times
        now = RECEIVED + hour * H
        found = [b for f in pool for b in breaches(f, now, policy)]
        fresh = new_breaches(found, keys)
        raised += fresh
        keys |= {b.key for b in fresh}
        assert all(b.deadline < now for b in fresh)
    assert len(raised) == len({b.key for b in raised})
    # by the last run, every breach that exists then has been raised
    last = RECEIVED + max(ticks) * H
    assert {b.key for f in pool for b in breaches(f, last, policy)} <= keys


def test_breaches_are_judged_as_of_now_even_if_later_facts_are_known() -> None:
    late = facts(first_contact_at=RECEIVED + 30 * H)
    assert kinds(breaches(late, RECEIVED + 26 * H, policy)) == [(K.FIRST_CONTACT, True)]
