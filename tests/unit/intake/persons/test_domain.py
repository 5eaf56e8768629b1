"""Person rules: age bands, edit conflicts, consent withdrawal. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.persons.domain import (
    EDITABLE_FIELDS,
    ERASED_FIELDS,
    AgeBand,
    AlreadyWithdrawn,
    NotWithdrawable,
    age_band,
    age_on,
    changed_fields,
    check_withdrawable,
    conflicting_fields,
)

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2026, 1, 1), AgeBand.UNDER_6),
        (date(2012, 11, 26), AgeBand.CHILD),  # 13 until tomorrow
        (date(2012, 11, 25), AgeBand.ADOLESCENT),  # 14 today
        (date(2008, 11, 26), AgeBand.ADOLESCENT),  # still a minor
        (date(2008, 11, 25), AgeBand.YOUNG_ADULT),  # 18 today: neomaggiorenne
        (date(2001, 1, 1), AgeBand.ADULT),
        (date(1950, 6, 1), AgeBand.SENIOR),
        (None, AgeBand.UNKNOWN),
        (date(2027, 1, 1), AgeBand.UNKNOWN),  # in the future: not an age
    ],
)
def test_age_bands_turn_on_the_birthday(born: date | None, band: AgeBand) -> None:
    assert age_band(born, TODAY) is band


def test_a_29_february_birthday_counts_from_1_march_in_other_years() -> None:
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_changed_fields_lists_only_editable_fields_whose_value_differs() -> None:
    current = {"given_name": "Awa", "family_name": "Diallo", "sex": None}
    proposed = {"given_name": "Awa", "sex": "female", "family_name": "Dialo", "id": "x"}
    assert changed_fields(current, proposed) == ["family_name", "sex"]


def test_an_edit_conflicts_only_on_fields_changed_since_its_base_version() -> None:
    later = [["birth_date"], ["contacts", "languages"]]
    assert conflicting_fields(["given_name", "sex"], later) == []
    assert conflicting_fields(["contacts", "sex", "birth_date"], later) == [
        "contacts",
        "birth_date",
    ]
    assert conflicting_fields(["contacts"], []) == []


def test_only_a_consent_can_be_withdrawn_and_only_once() -> None:
    check_withdrawable("consent", withdrawn=False)
    with pytest.raises(NotWithdrawable):
        check_withdrawable("public_task", withdrawn=False)
    with pytest.raises(AlreadyWithdrawn):
        check_withdrawable("consent", withdrawn=True)


def test_erasure_destroys_every_identifying_field_and_keeps_coarse_ones() -> None:
    identifying = {"given_name", "family_name", "alternative_names", "birth_date"}
    identifying |= {"documents", "contacts", "languages"}
    assert identifying <= set(ERASED_FIELDS)
    assert set(ERASED_FIELDS) <= set(EDITABLE_FIELDS)
    assert "sex" not in ERASED_FIELDS
    assert "nationality" not in ERASED_FIELDS
