"""The minors' track rules: birthdays (29 February too), the transition window, the age
assessment's steps, the extension to 21."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import ValidationFailed
from services.casework.minors import domain
from services.casework.minors.domain import (
    Assessment,
    AssessmentMethod,
    AssessmentOutcome,
    AssessmentStatus,
    ComingOfAgeUnknown,
    Extension,
    IllegalAssessmentTransition,
    month_end,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("born", "eighteen", "twenty_one"),
    [
        (date(2008, 12, 1), date(2026, 12, 1), date(2029, 12, 1)),
        (date(2009, 1, 1), date(2027, 1, 1), date(2030, 1, 1)),  # the estimate's 1 January
        # born on 29 February: in a year without one, the last day of February (art. 2963 c.c.)
        (date(2008, 2, 29), date(2026, 2, 28), date(2029, 2, 28)),
        (date(2012, 2, 29), date(2030, 2, 28), date(2033, 2, 28)),
    ],
)
def test_the_18th_and_21st_birthdays(born: date, eighteen: date, twenty_one: date) -> None:
    assert domain.coming_of_age(born) == eighteen
    assert domain.support_limit(born) == twenty_one


def test_a_leap_day_birth_keeps_its_day_in_a_leap_year() -> None:
    assert domain.birthday(date(2008, 2, 29), 20) == date(2028, 2, 29)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_one_is_18_from_the_birthday_on_and_never_before(born: date) -> None:
    eighteen = domain.coming_of_age(born)
    assert domain.turned_adult(eighteen, today=eighteen)
    assert not domain.turned_adult(eighteen, today=eighteen - timedelta(days=1))
    assert (eighteen.year - born.year) == 18
    assert eighteen - born >= timedelta(days=18 * 365 + 3)


def test_the_transition_window_opens_the_lead_before_the_birthday() -> None:
    eighteen = date(2027, 6, 1)
    lead = timedelta(days=183)
    opens = domain.transition_opens_on(eighteen, lead)
    assert opens == date(2026, 11, 30)
    assert domain.transition_due(eighteen, today=opens, lead=lead)
    assert not domain.transition_due(eighteen, today=opens - timedelta(days=1), lead=lead)
    assert domain.transition_due(eighteen, today=eighteen + timedelta(days=400), lead=lead)


def _assessment(status: AssessmentStatus, **changes: object) -> Assessment:
    fields: dict[str, object] = {
        "method": None,
        "requested_on": None,
        "outcome": None,
        "outcome_on": None,
        **changes,
    }
    return Assessment(status=status, **fields)  # type: ignore[arg-type]


REQUESTED = _assessment(AssessmentStatus.REQUESTED, requested_on=date(2026, 10, 1))
IN_PROGRESS = _assessment(
    AssessmentStatus.IN_PROGRESS,
    requested_on=date(2026, 10, 1),
    method=AssessmentMethod.MULTIDISCIPLINARY,
)
COMPLETED = _assessment(
    AssessmentStatus.COMPLETED,
    requested_on=date(2026, 10, 1),
    method=AssessmentMethod.MULTIDISCIPLINARY,
    outcome=AssessmentOutcome.INCONCLUSIVE,
    outcome_on=date(2026, 11, 2),
)


def test_an_assessment_walks_requested_in_progress_completed_contested() -> None:
    assert domain.assess(None, REQUESTED, today=TODAY) == REQUESTED
    assert domain.assess(AssessmentStatus.REQUESTED, IN_PROGRESS, today=TODAY)
    assert domain.assess(AssessmentStatus.IN_PROGRESS, COMPLETED, today=TODAY)
    contested = replace(COMPLETED, status=AssessmentStatus.CONTESTED)
    assert domain.assess(AssessmentStatus.COMPLETED, contested, today=TODAY) == contested
    redone = domain.assess(AssessmentStatus.CONTESTED, IN_PROGRESS, today=TODAY)
    assert redone.status is AssessmentStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("current", "proposed"),
    [
        (AssessmentStatus.COMPLETED, IN_PROGRESS),  # a decided assessment is contested first
        (AssessmentStatus.IN_PROGRESS, REQUESTED),
        (None, Assessment(AssessmentStatus.CONTESTED, None, None, None, None)),
    ],
)
def test_illegal_steps_are_409(current: AssessmentStatus | None, proposed: Assessment) -> None:
    with pytest.raises(IllegalAssessmentTransition):
        domain.assess(current, proposed, today=TODAY)


@pytest.mark.parametrize(
    ("proposed", "field", "code"),
    [
        (_assessment(AssessmentStatus.REQUESTED), "requested_on", "missing"),
        (_assessment(AssessmentStatus.IN_PROGRESS, requested_on=TODAY), "method", "missing"),
        (
            _assessment(
                AssessmentStatus.COMPLETED, method=AssessmentMethod.DOCUMENTARY, outcome_on=TODAY
            ),
            "outcome",
            "missing",
        ),
        (
            _assessment(AssessmentStatus.REQUESTED, requested_on=TODAY, outcome_on=TODAY),
            "outcome_on",
            "premature",
        ),
        (
            _assessment(AssessmentStatus.REQUESTED, requested_on=TODAY + timedelta(days=1)),
            "requested_on",
            "date_in_future",
        ),
        (
            _assessment(
                AssessmentStatus.COMPLETED,
                method=AssessmentMethod.DOCUMENTARY,
                requested_on=TODAY,
                outcome=AssessmentOutcome.MINOR,
                outcome_on=TODAY - timedelta(days=1),
            ),
            "outcome_on",
            "dates_out_of_order",
        ),
    ],
)
def test_what_a_status_needs_is_422(proposed: Assessment, field: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        domain.assess(None, proposed, today=TODAY)
    error = refused.value.errors[0]
    assert error["pointer"] == f"#/{field}"
    assert error["code"] == code


def test_documents_settle_an_assessment_without_a_request() -> None:
    documentary = _assessment(
        AssessmentStatus.COMPLETED,
        method=AssessmentMethod.DOCUMENTARY,
        outcome=AssessmentOutcome.MINOR,
        outcome_on=TODAY,
    )
    assert domain.assess(AssessmentStatus.NOT_STARTED, documentary, today=TODAY)


@pytest.mark.parametrize(
    ("outcome", "minor"),
    [
        (None, True),
        (AssessmentOutcome.MINOR, True),
        (AssessmentOutcome.INCONCLUSIVE, True),
        (AssessmentOutcome.ADULT, False),
    ],
)
def test_minority_is_presumed_unless_found_adult(
    outcome: AssessmentOutcome | None, minor: bool
) -> None:
    assert domain.presumed_minor(outcome) is minor


BORN = date(2008, 3, 10)  # 18 on 2026-03-10, 21 on 2029-03-10


def test_an_extension_runs_after_18_and_up_to_the_21st_birthday() -> None:
    up_to_21 = Extension(decree_on=date(2026, 2, 1), support_ends_on=date(2029, 3, 10))
    assert domain.extend(up_to_21, birth_date=BORN, today=TODAY) == up_to_21
    assert domain.whole_months(domain.coming_of_age(BORN), up_to_21.support_ends_on) == 36


@pytest.mark.parametrize(
    ("ends", "code"),
    [
        (date(2029, 3, 11), "beyond_support_limit"),
        (date(2026, 3, 10), "not_after_majority"),
        (date(2025, 12, 31), "not_after_majority"),
    ],
)
def test_an_extension_outside_18_to_21_is_422(ends: date, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        domain.extend(Extension(date(2026, 2, 1), ends), birth_date=BORN, today=TODAY)
    assert refused.value.errors[0]["code"] == code


def test_an_extension_needs_the_birth_date_and_a_decree_not_in_the_future() -> None:
    with pytest.raises(ComingOfAgeUnknown):
        domain.extend(Extension(TODAY, date(2029, 1, 1)), birth_date=None, today=TODAY)
    with pytest.raises(ValidationFailed):
        domain.extend(
            Extension(TODAY + timedelta(days=1), date(2029, 1, 1)), birth_date=BORN, today=TODAY
        )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 3, 10), date(2026, 3, 9), 0),
        (date(2026, 3, 10), date(2026, 4, 9), 0),
        (date(2026, 3, 10), date(2026, 4, 10), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 0),
    ],
)
def test_whole_months(start: date, end: date, months: int) -> None:
    assert domain.whole_months(start, end) == months


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2027, 1, 15), date(2027, 1, 31)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2027, 2, 28), date(2027, 2, 28)),
        (date(2027, 12, 31), date(2027, 12, 31)),
    ],
)
def test_the_tracks_steps_go_by_the_month(day: date, end: date) -> None:
    assert month_end(day) == end
