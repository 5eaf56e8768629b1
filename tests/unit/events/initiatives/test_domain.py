"""Initiative rules, without I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.events.initiatives.domain import (
    ENDED,
    TRANSITIONS,
    EndsBeforeItStarts,
    IllegalTransition,
    InitiativeEnded,
    InitiativeStatus,
    NotOrganising,
    NotRunning,
    OrganiserAmongPartners,
    check_partners,
    check_period,
    distinct,
    languages,
    may_change,
    may_run,
    require_open,
    transition,
)

S = InitiativeStatus
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


def test_a_one_day_initiative_starts_and_ends_the_same_day() -> None:
    check_period(date(2026, 12, 5), date(2026, 12, 5))


def test_an_initiative_cannot_end_before_it_starts() -> None:
    with pytest.raises(EndsBeforeItStarts) as refused:
        check_period(date(2026, 12, 5), date(2026, 12, 4))
    assert refused.value.status == 422
    assert refused.value.type == "urn:lgnet:problem:initiative-ends-before-it-starts"
    assert [e["pointer"] for e in refused.value.extensions["errors"]] == ["#/ends_on"]


@given(days, st.integers(min_value=0, max_value=400))
def test_any_end_on_or_after_the_start_is_accepted(starts_on: date, length: int) -> None:
    check_period(starts_on, starts_on + timedelta(days=length))


@given(days, st.integers(min_value=1, max_value=400))
def test_any_end_before_the_start_is_refused(ends_on: date, gap: int) -> None:
    with pytest.raises(EndsBeforeItStarts):
        check_period(ends_on + timedelta(days=gap), ends_on)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.PUBLISHED),
        (S.DRAFT, S.CANCELLED),
        (S.PUBLISHED, S.COMPLETED),
        (S.PUBLISHED, S.CANCELLED),
    ],
)
def test_the_legal_moves(current: InitiativeStatus, target: InitiativeStatus) -> None:
    assert transition(current, target) is target


@given(st.sampled_from(InitiativeStatus), st.sampled_from(InitiativeStatus))
def test_every_other_move_is_a_409(current: InitiativeStatus, target: InitiativeStatus) -> None:
    if target in TRANSITIONS[current]:
        return
    with pytest.raises(IllegalTransition) as refused:
        transition(current, target)
    assert refused.value.status == 409
    assert refused.value.type == "urn:lgnet:problem:illegal-initiative-transition"
    assert f"is {current} cannot become {target}" in str(refused.value)


def test_a_draft_is_never_completed_and_an_ended_initiative_never_moves() -> None:
    assert S.COMPLETED not in TRANSITIONS[S.DRAFT]
    assert {S.COMPLETED, S.CANCELLED} == ENDED
    for status in InitiativeStatus:
        if status in ENDED:
            with pytest.raises(InitiativeEnded) as refused:
                require_open(status)
            assert refused.value.status == 409
        else:
            require_open(status)


def test_the_organiser_or_a_coordinator_changes_an_initiative_but_not_a_partner() -> None:
    may_change(initiative_organiser="assoc-ponte", organisation="assoc-ponte", coordinator=False)
    may_change(initiative_organiser="assoc-ponte", organisation="comune-milano", coordinator=True)
    with pytest.raises(NotOrganising) as refused:
        may_change(
            initiative_organiser="assoc-ponte", organisation="coop-aurora", coordinator=False
        )
    assert refused.value.status == 403
    assert refused.value.type == "urn:lgnet:problem:not-organising-the-initiative"


@pytest.mark.parametrize(
    ("organisation", "coordinator"),
    [("assoc-ponte", False), ("coop-aurora", False), ("comune-milano", True)],
    ids=["organiser", "partner", "coordinator"],
)
def test_the_organiser_its_partners_and_coordinators_run_it(
    organisation: str, coordinator: bool
) -> None:
    may_run(
        initiative_organiser="assoc-ponte",
        partners=["coop-aurora"],
        organisation=organisation,
        coordinator=coordinator,
    )


def test_another_organisation_does_not_run_it() -> None:
    with pytest.raises(NotRunning) as refused:
        may_run(
            initiative_organiser="assoc-ponte",
            partners=["coop-aurora"],
            organisation="osservatorio-monitoraggio",
            coordinator=False,
        )
    assert refused.value.status == 403
    assert refused.value.type == "urn:lgnet:problem:not-running-the-initiative"


def test_the_organiser_is_not_its_own_partner() -> None:
    check_partners(["coop-aurora"], organiser="assoc-ponte")
    with pytest.raises(OrganiserAmongPartners) as refused:
        check_partners(["coop-aurora", "assoc-ponte"], organiser="assoc-ponte")
    assert refused.value.status == 422
    assert [e["pointer"] for e in refused.value.extensions["errors"]] == ["#/partner_organisations"]


@given(st.lists(st.sampled_from(["lavoro", "casa", "lingua", "salute"])))
def test_distinct_keeps_each_value_once_where_it_first_came(values: list[str]) -> None:
    kept = distinct(values)
    assert set(kept) == set(values)
    assert len(kept) == len(set(kept))
    assert kept == sorted(kept, key=values.index)


def test_an_initiative_always_has_text_in_italian() -> None:
    assert languages({}) == ["it"]
    assert languages({"en": {}, "ar": {}}) == ["ar", "en", "it"]
