"""Registration rules without I/O: seats, the line, offers, contacts and tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import ValidationFailed
from services.events.registrations import domain
from services.events.registrations.domain import (
    NoLiveOffer,
    NotForThePublic,
    Registrant,
    RegistrationClosed,
    RegistrationNotLive,
    RegistrationStatus,
    Seats,
)

_S = RegistrationStatus
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_offered_seats_count_as_taken_and_free_never_goes_negative() -> None:
    assert Seats(capacity=10, registered=7, offered=2, waitlisted=5).free == 1
    assert Seats(capacity=5, registered=7).free == 0  # capacity lowered below the registered


def test_a_new_registration_waits_once_the_seats_are_taken() -> None:
    assert domain.placed(Seats(capacity=2, registered=1)) is _S.REGISTERED
    assert domain.placed(Seats(capacity=2, registered=1, offered=1)) is _S.WAITLISTED


@given(
    capacity=st.integers(1, 50),
    moves=st.lists(st.sampled_from(list(_S)), max_size=60),
)
def test_seats_follow_every_move_and_never_overbook(capacity: int, moves: list[_S]) -> None:
    seats = Seats(capacity=capacity)
    for _ in moves:
        status = domain.placed(seats)
        seats = seats.moved(None, status)
        assert seats.registered + seats.offered <= capacity
    assert seats.registered == min(len(moves), capacity)
    assert seats.waitlisted == max(0, len(moves) - capacity)


def test_moving_between_statuses_keeps_the_total_of_live_ones() -> None:
    seats = Seats(capacity=3, registered=3, waitlisted=2)
    after = seats.moved(_S.REGISTERED, _S.CANCELLED).moved(_S.WAITLISTED, _S.OFFERED)
    assert (after.registered, after.offered, after.waitlisted) == (2, 1, 1)
    assert after.moved(_S.OFFERED, _S.OFFER_EXPIRED).offered == 0


def test_freed_seats_go_to_as_many_in_line_as_there_are_seats() -> None:
    free_two = Seats(capacity=5, registered=3)
    assert domain.promoted(free_two, 10, auto_confirm=False) == (2, _S.OFFERED)
    assert domain.promoted(free_two, 1, auto_confirm=True) == (1, _S.REGISTERED)
    assert domain.promoted(Seats(capacity=1, offered=1), 4, auto_confirm=False)[0] == 0


def test_cancelling_frees_a_seat_only_if_it_held_one() -> None:
    assert domain.cancelled(_S.REGISTERED)
    assert domain.cancelled(_S.OFFERED)
    assert not domain.cancelled(_S.WAITLISTED)
    for ended in (_S.CANCELLED, _S.OFFER_EXPIRED):
        with pytest.raises(RegistrationNotLive):
            domain.cancelled(ended)


def test_an_offer_is_confirmed_only_while_live() -> None:
    expires = NOW + timedelta(hours=1)
    domain.require_live_offer(_S.OFFERED, expires, NOW)
    with pytest.raises(NoLiveOffer):
        domain.require_live_offer(_S.OFFERED, expires, expires)
    with pytest.raises(NoLiveOffer):
        domain.require_live_offer(_S.WAITLISTED, None, NOW)


@pytest.mark.parametrize(
    ("initiative", "session"),
    [("draft", "scheduled"), ("completed", "scheduled"), ("published", "cancelled")],
)
def test_only_a_published_initiatives_scheduled_session_takes_registrations(
    initiative: str, session: str
) -> None:
    domain.check_open(initiative_status="published", session_status="scheduled")
    with pytest.raises(RegistrationClosed):
        domain.check_open(initiative_status=initiative, session_status=session)


def test_an_initiative_for_beneficiaries_takes_no_public_registrants() -> None:
    domain.check_audience("beneficiaries", Registrant.BENEFICIARY)
    domain.check_audience("both", Registrant.PUBLIC)
    with pytest.raises(NotForThePublic):
        domain.check_audience("beneficiaries", Registrant.PUBLIC)


def test_a_registration_is_seen_by_its_registrar_and_those_who_run_it() -> None:
    assert domain.visible(registrar="coop-aurora", organisation="coop-aurora", runs_it=False)
    assert domain.visible(registrar=None, organisation="assoc-ponte", runs_it=True)
    assert not domain.visible(registrar="coop-aurora", organisation="assoc-ponte", runs_it=False)


@pytest.mark.parametrize(
    ("given_", "kept"),
    [
        ("+39 02 1234 5678", "+390212345678"),
        ("0039 (02) 123-45678", "+390212345678"),
        ("+39.333.1234567", "+393331234567"),
    ],
)
def test_phone_numbers_are_kept_as_plus_and_digits(given_: str, kept: str) -> None:
    assert domain.normalised_phone(given_) == kept


@pytest.mark.parametrize("bad", ["02 1234567", "+39 02 12x4567", "+0123456789", "+1234"])
def test_a_phone_number_not_in_international_form_is_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        domain.normalised_phone(bad)


def test_emails_are_kept_lower_case_and_tokens_only_as_their_hash() -> None:
    assert domain.normalised_email(" Giulia@Example.ORG ") == "giulia@example.org"
    kept = domain.token_hash("secret-token")
    assert len(kept) == 64
    assert "secret-token" not in kept
    assert kept == domain.token_hash("secret-token")


# --- erasure -------------------------------------------------------------------------------


def test_only_a_public_registrant_not_yet_erased_is_erased() -> None:
    domain.require_erasable(Registrant.PUBLIC, None)
    with pytest.raises(domain.NotAPublicRegistrant):
        domain.require_erasable(Registrant.BENEFICIARY, None)
    with pytest.raises(domain.AlreadyErased):
        domain.require_erasable(Registrant.PUBLIC, NOW)


@pytest.mark.parametrize("status", list(RegistrationStatus))
def test_an_erasure_cancels_a_live_registration_only_for_a_session_to_come(
    status: RegistrationStatus,
) -> None:
    to_come, begun = NOW + timedelta(days=1), NOW - timedelta(minutes=1)
    assert domain.cancelled_by_erasure(status, to_come, NOW) is (status in domain.LIVE)
    assert domain.cancelled_by_erasure(status, begun, NOW) is False  # the counts stay


def test_the_retention_cutoff_is_the_period_before_now() -> None:
    assert domain.retention_cutoff(NOW, timedelta(days=30)) == NOW - timedelta(days=30)
