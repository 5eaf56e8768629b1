"""Housing-request, case-fact, placement and what-if rules (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kit.schemas import TargetGroup
from services.housing.cases.domain import (
    CaseNotTakenInCharge,
    acts_for,
    platform_target_group,
    require_taken_in_charge,
    vulnerability,
)
from services.housing.facilities.schemas import Letting, SexPolicy
from services.housing.matching.domain import (
    Person,
    Request,
    Sex,
    Term,
    Vacancy,
    Weights,
    score_terms,
)
from services.housing.matching.whatif import assignment_change, moves, priority, ranking
from services.housing.placements.domain import NoFreeBed, over_stay, require_room, stay_ends_on
from services.housing.requests.domain import (
    DeclinedBy,
    DeclineReason,
    Household,
    Member,
    MemberSex,
    ProposalNotLive,
    ProposalStatus,
    require_live,
    waiting_days,
)


def test_a_household_is_counted_and_banded_never_aged() -> None:
    family = Household(
        (Member(MemberSex.FEMALE, 34), Member(MemberSex.MALE, 9), Member(MemberSex.FEMALE, 17))
    )
    assert (family.size, family.adults, family.minors) == (3, 1, 2)
    assert family.age_bands() == {"14-17": 1, "25-64": 1, "6-13": 1}


def test_case_facts_give_the_platform_group_vulnerability_and_who_acts() -> None:
    assert platform_target_group("young_adult_leaving_care") is TargetGroup.YOUNG_ADULT
    assert platform_target_group("a_group_added_later") is TargetGroup.OTHER
    assert vulnerability(TargetGroup.UNACCOMPANIED_MINOR, "immediate") == 3
    assert vulnerability(TargetGroup.VULNERABLE_FAMILY, "normal") == 2
    assert vulnerability(TargetGroup.OTHER, "high") == 2
    assert vulnerability(TargetGroup.YOUNG_ADULT, "normal") == 1
    assert acts_for("aurora", lead_organisation="ponte", team_organisations={"aurora"})
    assert not acts_for("aurora", lead_organisation="ponte", team_organisations=set())
    require_taken_in_charge("transferred")  # still in charge while the transfer is decided
    with pytest.raises(CaseNotTakenInCharge):
        require_taken_in_charge("closed")


def test_a_decline_reason_says_who_declined() -> None:
    assert DeclineReason.HOUSEHOLD_LOCATION.declined_by is DeclinedBy.HOUSEHOLD
    assert DeclineReason.PROVIDER_GROUP_FIT.declined_by is DeclinedBy.PROVIDER
    assert {r.declined_by for r in DeclineReason} == set(DeclinedBy)


def test_a_proposal_is_live_until_decided_or_expired() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    require_live(ProposalStatus.LIVE, now + timedelta(seconds=1), now)
    with pytest.raises(ProposalNotLive):
        require_live(ProposalStatus.LIVE, now, now)
    with pytest.raises(ProposalNotLive):
        require_live(ProposalStatus.DECLINED, now + timedelta(days=1), now)


def test_waiting_and_stays_are_counted_in_days() -> None:
    assert waiting_days(date(2026, 11, 1), date(2026, 12, 1)) == 30
    assert waiting_days(date(2026, 12, 2), date(2026, 12, 1)) == 0
    assert stay_ends_on(date(2026, 12, 1), 90) == date(2027, 3, 1)
    assert stay_ends_on(date(2026, 12, 1), None) is None
    assert over_stay(date(2026, 12, 1), date(2026, 12, 2), None)
    assert not over_stay(date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 1))
    require_room(free_beds=2, household_size=2)
    with pytest.raises(NoFreeBed):
        require_room(free_beds=1, household_size=2)


def _request(id_: str, urgency: int, waited: int) -> Request:
    man = (Person(Sex.MALE, 20),)
    return Request(id_, man, "young_adult", urgency=urgency, waiting_days=waited)


def test_priority_is_the_score_without_the_municipio_fit() -> None:
    weights = Weights()
    request = _request("r", 2, 100)
    vacancy = Vacancy(
        "v", "f", 8, frozenset({"young_adult"}), SexPolicy.MALE, 18, 25, True, Letting.BY_BED, 2
    )
    terms = score_terms(request, vacancy, weights)
    assert priority(request, weights) == pytest.approx(sum(terms.values()) - terms[Term.PREFERENCE])


def test_the_what_if_names_who_moves_and_how_the_assignment_changes() -> None:
    urgent, patient = _request("urgent", 3, 0), _request("patient", 0, 300)
    before = ranking([urgent, patient], Weights())
    after = ranking([urgent, patient], Weights(urgency=0.5, waiting=6))
    assert before == {"urgent": 1, "patient": 2}
    up, down = moves(before, after)
    assert [(m.request_id, m.before, m.after) for m in up] == [("patient", 2, 1)]
    assert [m.request_id for m in down] == ["urgent"]
    change = assignment_change({"urgent": "u1", "other": "u2"}, {"patient": "u1", "other": "u3"})
    assert (change.housed, change.unhoused, change.moved) == (
        ["patient"],
        ["urgent"],
        {"other": ("u2", "u3")},
    )
