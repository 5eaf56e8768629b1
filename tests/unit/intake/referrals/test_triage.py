"""The triage rule, without I/O: named rules, policy validation and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.referrals.domain import Urgency
from services.intake.referrals.triage import (
    DEFAULT_TRIAGE_POLICY,
    Indicator,
    OperatorUrgency,
    Thresholds,
    TriagePolicy,
    UrgencyBelowRule,
    UrgencyRule,
    assess,
    urgency_rank,
)

Ind = Indicator
U = Urgency
policy = DEFAULT_TRIAGE_POLICY


def document(**changes: Any) -> dict[str, Any]:
    doc = DEFAULT_TRIAGE_POLICY.model_dump(mode="json")
    doc.update(changes)
    return doc


# --- the default rule ------------------------------------------------------------------------


def test_no_indicators_keep_a_normal_referral_normal() -> None:
    result = assess([], reported_urgency=U.NORMAL, policy=policy)
    assert (result.score, result.urgency, result.decided_by) == (0, U.NORMAL, "score")


def test_the_score_adds_the_weights_of_the_indicators_present_once_each() -> None:
    result = assess(
        [Ind.HOMELESSNESS, Ind.NO_INCOME, Ind.HOMELESSNESS],
        reported_urgency=U.NORMAL,
        policy=policy,
    )
    assert result.score == 3 + 1
    assert result.indicators == (Ind.HOMELESSNESS, Ind.NO_INCOME)
    assert [(c.indicator, c.weight) for c in result.contributions] == [
        (Ind.HOMELESSNESS, 3),
        (Ind.NO_INCOME, 1),
    ]
    assert result.urgency is U.HIGH


def test_a_pregnant_woman_on_the_street_with_young_children_is_immediate() -> None:
    result = assess(
        [Ind.PREGNANCY, Ind.HOMELESSNESS, Ind.YOUNG_CHILDREN],
        reported_urgency=U.NORMAL,
        policy=policy,
    )
    assert (result.score, result.urgency, result.decided_by) == (9, U.IMMEDIATE, "score")


def test_no_documents_alone_does_not_make_a_referral_urgent() -> None:
    assert assess([Ind.NO_DOCUMENTS], reported_urgency=U.NORMAL, policy=policy).urgency is U.NORMAL


def test_an_unaccompanied_minor_is_never_below_high_whatever_the_weights() -> None:
    light = TriagePolicy.model_validate(
        document(weights={i.value: 0 for i in Indicator}, thresholds={"high": 1, "immediate": 2})
    )
    result = assess([Ind.UNACCOMPANIED_MINOR], reported_urgency=U.NORMAL, policy=light)
    assert result.score_urgency is U.NORMAL
    assert (result.urgency, result.decided_by) == (U.HIGH, "rule")
    assert any(
        r.rule == "unaccompanied-minor" and "47/2017" in r.detail for r in result.explanation
    )


def test_signs_of_trafficking_make_a_referral_immediate() -> None:
    result = assess([Ind.TRAFFICKING_OR_EXPLOITATION], reported_urgency=U.NORMAL, policy=policy)
    assert result.urgency is U.IMMEDIATE


def test_a_rule_fires_only_when_all_its_indicators_are_present() -> None:
    combined = TriagePolicy.model_validate(
        document(
            rules=[
                {
                    "name": "pregnant-and-homeless",
                    "when_all": ["pregnancy", "homelessness"],
                    "at_least": "immediate",
                    "reason": "no shelter late in pregnancy",
                }
            ]
        )
    )
    assert assess([Ind.PREGNANCY], reported_urgency=U.NORMAL, policy=combined).urgency is U.NORMAL
    both = assess([Ind.PREGNANCY, Ind.HOMELESSNESS], reported_urgency=U.NORMAL, policy=combined)
    assert (both.urgency, both.decided_by) == (U.IMMEDIATE, "rule")


# --- the reporter's urgency and the operator's decision -------------------------------------


def test_re_scoring_never_lowers_the_reported_urgency() -> None:
    result = assess([], reported_urgency=U.IMMEDIATE, policy=policy)
    assert result.score_urgency is U.NORMAL
    assert (result.urgency, result.decided_by) == (U.IMMEDIATE, "reported")


def test_re_scoring_raises_the_reported_urgency() -> None:
    result = assess([Ind.VIOLENCE, Ind.HOMELESSNESS], reported_urgency=U.NORMAL, policy=policy)
    assert result.urgency is U.IMMEDIATE


def test_an_operator_may_lower_the_urgency_with_a_reason_kept_in_the_explanation() -> None:
    decision = OperatorUrgency(urgency=U.NORMAL, reason="already housed by a relative tonight")
    result = assess(
        [Ind.HOMELESSNESS], reported_urgency=U.IMMEDIATE, policy=policy, operator=decision
    )
    assert (result.urgency, result.decided_by) == (U.NORMAL, "operator")
    assert result.explanation[-1].detail == "already housed by a relative tonight"


def test_an_operator_cannot_lower_below_a_forcing_rule() -> None:
    decision = OperatorUrgency(urgency=U.NORMAL, reason="looks older than 18")
    with pytest.raises(UrgencyBelowRule, match="unaccompanied-minor") as raised:
        assess([Ind.UNACCOMPANIED_MINOR], reported_urgency=U.HIGH, policy=policy, operator=decision)
    assert raised.value.status == 422
    assert raised.value.extensions == {"minimum": "high"}


def test_an_operator_decision_needs_a_reason() -> None:
    with pytest.raises(ValidationError):
        OperatorUrgency(urgency=U.NORMAL, reason="   ")


def test_the_explanation_lists_the_score_each_fired_rule_and_the_report() -> None:
    result = assess(
        [Ind.UNACCOMPANIED_MINOR, Ind.TRAFFICKING_OR_EXPLOITATION],
        reported_urgency=U.HIGH,
        policy=policy,
    )
    assert [(r.kind, r.urgency) for r in result.explanation] == [
        ("score", U.IMMEDIATE),
        ("rule", U.HIGH),
        ("rule", U.IMMEDIATE),
        ("reported", U.HIGH),
    ]
    assert "score 13 (unaccompanied_minor 5 + trafficking_or_exploitation 8)" in (
        result.explanation[0].detail
    )


# --- the policy document ---------------------------------------------------------------------


def test_the_default_policy_survives_a_json_round_trip() -> None:
    assert TriagePolicy.model_validate_json(policy.model_dump_json()) == policy


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights": {**document()["weights"], "pregnancy": -1}}, "greater than or equal to 0"),
        ({"weights": {"pregnancy": 3}}, "missing"),
        ({"weights": {**document()["weights"], "pets": 1}}, "pets"),
        ({"thresholds": {"high": 8, "immediate": 4}}, "ordered"),
        ({"thresholds": {"high": 4, "immediate": 4}}, "ordered"),
        ({"thresholds": {"high": 0, "immediate": 4}}, "greater than or equal to 1"),
        ({"surprise": True}, "Extra inputs"),
        (
            {"rules": [{"name": "r", "when_all": [], "at_least": "high", "reason": "x"}]},
            "at least 1",
        ),
        (
            {
                "rules": [
                    {"name": "r", "when_all": ["pregnancy"], "at_least": "normal", "reason": "x"}
                ]
            },
            "at_least",
        ),
        ({"rules": [document()["rules"][0]] * 2}, "unique"),
    ],
)
def test_an_invalid_policy_document_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TriagePolicy.model_validate(document(**changes))


def test_a_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        policy.thresholds.high = 1


# --- properties ------------------------------------------------------------------------------

indicator_sets = st.frozensets(st.sampled_from(Indicator))
urgencies = st.sampled_from(Urgency)


@st.composite
def policies(draw: st.DrawFn) -> TriagePolicy:
    high = draw(st.integers(1, 30))
    return TriagePolicy(
        weights={i: draw(st.integers(0, 20)) for i in Indicator},
        thresholds=Thresholds(high=high, immediate=draw(st.integers(high + 1, 60))),
        rules=tuple(
            UrgencyRule(name=f"rule-{n}", when_all=when, at_least=at_least, reason="test")
            for n, (when, at_least) in enumerate(
                draw(
                    st.lists(
                        st.tuples(
                            st.frozensets(st.sampled_from(Indicator), min_size=1, max_size=3),
                            st.sampled_from([U.HIGH, U.IMMEDIATE]),
                        ),
                        max_size=3,
                    )
                )
            )
        ),
    )


@given(policies(), indicator_sets, st.sampled_from(Indicator), urgencies)
def test_adding_an_indicator_never_lowers_the_urgency(
    policy: TriagePolicy, present: frozenset[Indicator], extra: Indicator, reported: Urgency
) -> None:
    before = assess(present, reported_urgency=reported, policy=policy)
    after = assess(present | {extra}, reported_urgency=reported, policy=policy)
    assert after.score >= before.score
    assert urgency_rank(after.urgency) >= urgency_rank(before.urgency)


@given(policies(), indicator_sets, urgencies)
def test_the_urgency_is_never_below_the_report_nor_the_score_nor_a_fired_rule(
    policy: TriagePolicy, present: frozenset[Indicator], reported: Urgency
) -> None:
    result = assess(present, reported_urgency=reported, policy=policy)
    floors = [reported, result.score_urgency]
    floors += [rule.at_least for rule in policy.rules if rule.when_all <= present]
    assert urgency_rank(result.urgency) == max(map(urgency_rank, floors))
    assert result.urgency in {r.urgency for r in result.explanation if r.kind == result.decided_by}


@given(policies(), indicator_sets, urgencies, urgencies)
def test_an_operator_decision_is_applied_unless_a_rule_forbids_it(
    policy: TriagePolicy, present: frozenset[Indicator], reported: Urgency, chosen: Urgency
) -> None:
    rule_floor = max(
        (urgency_rank(r.at_least) for r in policy.rules if r.when_all <= present), default=0
    )
    decision = OperatorUrgency(urgency=chosen, reason="seen in person")
    if urgency_rank(chosen) < rule_floor:
        with pytest.raises(UrgencyBelowRule):
            assess(present, reported_urgency=reported, policy=policy, operator=decision)
    else:
        result = assess(present, reported_urgency=reported, policy=policy, operator=decision)
        assert (result.urgency, result.decided_by) == (chosen, "operator")


@given(indicator_sets, urgencies)
def test_the_order_of_the_indicators_does_not_matter(
    present: frozenset[Indicator], reported: Urgency
) -> None:
    ordered = sorted(present)
    assert assess(ordered, reported_urgency=reported, policy=policy) == assess(
        reversed(ordered), reported_urgency=reported, policy=policy
    )
