"""The directory's rules: a schedule's iCal fields make one rule, ages in order, who keeps an
entry and which services take referrals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from kit.errors import ValidationFailed
from services.casework.directory import domain
from services.casework.directory.domain import Frequency, Recurrence, ServiceStatus

OPEN = Recurrence(
    freq=None,
    interval=None,
    byday=None,
    bymonthday=None,
    count=None,
    dtstart=None,
    until=None,
    valid_from=None,
    valid_to=None,
    opens_at=None,
    closes_at=None,
)


def _codes(rule: Recurrence) -> set[str]:
    try:
        domain.check_schedule(rule, ("schedules", 0))
    except domain.InvalidSchedule as refused:
        return {error["code"] for error in refused.errors}
    return set()


@pytest.mark.parametrize(
    "rule",
    [
        OPEN,
        replace(OPEN, freq=Frequency.WEEKLY, byday="MO,TU", opens_at=time(9), closes_at=time(12)),
        replace(OPEN, freq=Frequency.MONTHLY, byday="1SA,-1FR", interval=2),
        replace(OPEN, freq=Frequency.MONTHLY, bymonthday="1,15", count=6),
        replace(OPEN, freq=Frequency.WEEKLY, dtstart=date(2026, 9, 1), until=date(2026, 9, 1)),
        replace(OPEN, valid_from=date(2026, 9, 1), valid_to=date(2027, 6, 30)),
    ],
)
def test_a_schedule_that_makes_one_rule_passes(rule: Recurrence) -> None:
    assert _codes(rule) == set()


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (replace(OPEN, byday="MO"), "needs_freq"),
        (replace(OPEN, count=3), "needs_freq"),
        (replace(OPEN, freq=Frequency.WEEKLY, bymonthday="1"), "weekly_monthday"),
        (replace(OPEN, freq=Frequency.WEEKLY, byday="MO,2TU"), "weekly_ordinal"),
        (
            replace(OPEN, freq=Frequency.MONTHLY, count=2, until=date(2027, 1, 1)),
            "count_and_until",
        ),
        (replace(OPEN, opens_at=time(12), closes_at=time(12)), "before_start"),
        (replace(OPEN, valid_from=date(2027, 1, 2), valid_to=date(2027, 1, 1)), "before_start"),
        (replace(OPEN, opens_at=time(9)), "half_open"),
    ],
)
def test_a_schedule_that_does_not_is_refused_with_the_reason(rule: Recurrence, code: str) -> None:
    assert code in _codes(rule)


def test_the_refusal_points_at_the_field_of_the_schedule() -> None:
    with pytest.raises(domain.InvalidSchedule) as refused:
        domain.check_schedule(replace(OPEN, byday="MO"), ("schedules", 2))
    assert refused.value.errors[0]["pointer"] == "#/schedules/2/byday"


def test_ages_in_order() -> None:
    domain.check_ages(16, 21)
    domain.check_ages(None, 21)
    domain.check_ages(18, 18)
    with pytest.raises(domain.InvalidAgeRange):
        domain.check_ages(21, 16)


def test_coordinators_keep_every_entry_and_supervisors_their_organisations() -> None:
    domain.may_keep(coordinator=True, organisation="comune-milano", network_organisation=None)
    domain.may_keep(
        coordinator=False, organisation="coop-aurora", network_organisation="coop-aurora"
    )
    for network in ("assoc-ponte", None):
        with pytest.raises(domain.NotKeepingTheEntry):
            domain.may_keep(
                coordinator=False, organisation="coop-aurora", network_organisation=network
            )


def test_only_an_active_service_of_a_network_organisation_takes_referrals() -> None:
    assert domain.takes_referrals(ServiceStatus.ACTIVE, "coop-aurora") == "coop-aurora"
    with pytest.raises(ValidationFailed):
        domain.takes_referrals(ServiceStatus.ACTIVE, None)
    for status in set(ServiceStatus) - {ServiceStatus.ACTIVE}:
        with pytest.raises(domain.NotTakingReferrals):
            domain.takes_referrals(status, "coop-aurora")


def test_iso_639_1_has_its_codes() -> None:
    assert {"it", "ar", "ti", "so", "fa", "uk"} <= domain.ISO_639_1
    assert "xx" not in domain.ISO_639_1
