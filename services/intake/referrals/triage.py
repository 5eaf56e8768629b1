"""Screening / triage: vulnerability indicators re-score a referral's urgency. Pure: no I/O.

The rule is **data**: a `TriagePolicy` document (indicator weights, score thresholds, rules that
force a minimum urgency) that the Comune's coordinator versions through the policy store, because
the co-design with the third-sector partners is reopened every year (docs/domain.md §1). The
values of `DEFAULT_TRIAGE_POLICY` are starting defaults for that co-design, not settled policy.

How `assess` decides, in order:

1. **Score** — the sum of the weights of the indicators present (each counted once), mapped to
   an urgency by the thresholds: ``score >= immediate`` → immediate, ``score >= high`` → high,
   otherwise normal.
2. **Forcing rules** — each rule whose indicators are all present sets a minimum urgency
   (e.g. an unaccompanied minor is never below high), whatever the score.
3. **Reported urgency is a floor** (safety rule, fixed in code, not in the policy): re-scoring
   may raise the urgency the reporting unit gave, never lower it. The street team saw the
   person; a weight table changed by the co-design must not silently make anyone less urgent.
4. **Operator decision** — the only way to lower an urgency is an explicit `OperatorUrgency`
   with a reason, recorded in the explanation. It may go below the score and the reported
   urgency, but never below a forcing rule (that raises `UrgencyBelowRule`, 422): if an
   indicator was ticked by mistake, the operator removes the indicator, not the rule.

Because weights are non-negative and rules only add floors, adding an indicator never lowers
the assessed urgency (tested as a property).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from kit.errors import UnprocessableContent
from services.intake.referrals.domain import URGENCY_ORDER, Urgency, most_urgent, urgency_rank

__all__ = [
    "DEFAULT_TRIAGE_POLICY",
    "URGENCY_ORDER",
    "Assessment",
    "Contribution",
    "Indicator",
    "OperatorUrgency",
    "Reason",
    "Thresholds",
    "TriagePolicy",
    "UrgencyBelowRule",
    "UrgencyRule",
    "assess",
    "most_urgent",
    "urgency_rank",
]


class Indicator(StrEnum):
    """Vulnerability indicators recorded at screening (the intake issue's list)."""

    UNACCOMPANIED_MINOR = "unaccompanied_minor"
    PREGNANCY = "pregnancy"
    DISABILITY = "disability"
    SERIOUS_ILLNESS = "serious_illness"
    TRAFFICKING_OR_EXPLOITATION = "trafficking_or_exploitation"
    VIOLENCE = "violence"
    HOMELESSNESS = "homelessness"
    NO_DOCUMENTS = "no_documents"
    NO_INCOME = "no_income"
    YOUNG_CHILDREN = "young_children"  # young children in the household


class UrgencyBelowRule(
    UnprocessableContent, slug="urgency-below-triage-rule", title="Urgency below a triage rule"
): ...


_DOCUMENT = ConfigDict(frozen=True, extra="forbid")

Weight = Annotated[StrictInt, Field(ge=0, le=1000)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class Thresholds(BaseModel):
    """The lowest score that makes a referral high, and immediate; ``1 <= high < immediate``."""

    model_config = _DOCUMENT

    high: Annotated[StrictInt, Field(ge=1)]
    immediate: Annotated[StrictInt, Field(ge=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.high < self.immediate:
            raise ValueError("thresholds must be ordered: high < immediate")
        return self

    def urgency_for(self, score: int) -> Urgency:
        if score >= self.immediate:
            return Urgency.IMMEDIATE
        if score >= self.high:
            return Urgency.HIGH
        return Urgency.NORMAL


class UrgencyRule(BaseModel):
    """When all of ``when_all`` are present, the urgency is at least ``at_least``."""

    model_config = _DOCUMENT

    name: Name
    when_all: Annotated[frozenset[Indicator], Field(min_length=1)]
    at_least: Literal[Urgency.HIGH, Urgency.IMMEDIATE]
    reason: Text


class TriagePolicy(BaseModel):
    """The triage rule document: a weight for every indicator, thresholds, forcing rules."""

    model_config = _DOCUMENT

    weights: dict[Indicator, Weight]
    thresholds: Thresholds
    rules: tuple[UrgencyRule, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Self:
        # a forgotten indicator would silently weigh nothing: the document names them all
        missing = [i.value for i in Indicator if i not in self.weights]
        if missing:
            raise ValueError(f"weights must give every indicator a weight; missing: {missing}")
        names = [rule.name for rule in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("rule names must be unique")
        return self


def _floor(
    indicator: Indicator, at_least: Literal[Urgency.HIGH, Urgency.IMMEDIATE], reason: str
) -> UrgencyRule:
    """A rule that one indicator alone sets a minimum urgency, named after the indicator."""
    name = indicator.value.replace("_", "-")
    return UrgencyRule(name=name, when_all=frozenset({indicator}), at_least=at_least, reason=reason)


DEFAULT_TRIAGE_POLICY: Final = TriagePolicy(
    # Defaults for the co-design to set. Weights roughly follow how fast harm can happen:
    # exploitation and being a child alone weigh most; lacking documents or income alone does
    # not make a referral urgent, but adds to other indicators.
    weights={
        Indicator.TRAFFICKING_OR_EXPLOITATION: 8,
        Indicator.UNACCOMPANIED_MINOR: 5,
        Indicator.VIOLENCE: 5,
        Indicator.SERIOUS_ILLNESS: 4,
        Indicator.PREGNANCY: 3,
        Indicator.DISABILITY: 3,
        Indicator.YOUNG_CHILDREN: 3,
        Indicator.HOMELESSNESS: 3,
        Indicator.NO_DOCUMENTS: 1,
        Indicator.NO_INCOME: 1,
    },
    # high from 4 (one serious indicator, or two lighter ones); immediate from 8 (e.g. a minor
    # alone who sleeps rough: 5 + 3; a pregnant woman on the street with young children: 9).
    thresholds=Thresholds(high=4, immediate=8),
    rules=(
        _floor(
            Indicator.UNACCOMPANIED_MINOR,
            Urgency.HIGH,
            "Law 47/2017 (legge Zampa): an unaccompanied foreign minor is owed dedicated "
            "first reception and a guardian, and is presumed a minor while an age "
            "assessment is pending, so the indicator counts even if age is in doubt.",
        ),
        _floor(
            Indicator.TRAFFICKING_OR_EXPLOITATION,
            Urgency.IMMEDIATE,
            "Signs of trafficking or exploitation: the person may be under someone's "
            "control now; protection cannot wait for the next working day.",
        ),
    ),
)
"""The triage policy used until a coordinator publishes a version (co-design defaults)."""


class OperatorUrgency(BaseModel):
    """An operator's explicit urgency, the only way to lower one, with the reason why."""

    model_config = _DOCUMENT

    urgency: Urgency
    reason: Text


class Contribution(BaseModel):
    model_config = _DOCUMENT

    indicator: Indicator
    weight: int


ReasonKind = Literal["score", "rule", "reported", "operator"]


class Reason(BaseModel):
    """One line of the explanation: what proposed which urgency, and why."""

    model_config = _DOCUMENT

    kind: ReasonKind
    urgency: Urgency
    detail: str
    rule: str | None = None  # the rule's name, for kind == "rule"


class Assessment(BaseModel):
    """The outcome of `assess`: the urgency, the score and every reason that weighed in."""

    model_config = _DOCUMENT

    indicators: tuple[Indicator, ...]  # present, once each, in vocabulary order
    score: int
    contributions: tuple[Contribution, ...]
    score_urgency: Urgency
    urgency: Urgency
    decided_by: ReasonKind
    explanation: tuple[Reason, ...]


def assess(
    indicators: Iterable[Indicator],
    *,
    reported_urgency: Urgency,
    policy: TriagePolicy,
    operator: OperatorUrgency | None = None,
) -> Assessment:
    """Re-score a referral's urgency at screening (see the module docstring for the rule).

    The final urgency is the most urgent of the score's, the forcing rules' and the reported
    one — unless ``operator`` sets it, which may lower it but not below a forcing rule
    (`UrgencyBelowRule`).
    """
    present = frozenset(indicators)
    ordered = tuple(i for i in Indicator if i in present)
    contributions = tuple(Contribution(indicator=i, weight=policy.weights[i]) for i in ordered)
    score = sum(c.weight for c in contributions)
    score_urgency = policy.thresholds.urgency_for(score)

    terms = " + ".join(f"{c.indicator} {c.weight}" for c in contributions) or "no indicators"
    explanation = [
        Reason(
            kind="score",
            urgency=score_urgency,
            detail=(
                f"score {score} ({terms}); thresholds: high from {policy.thresholds.high}, "
                f"immediate from {policy.thresholds.immediate}"
            ),
        )
    ]
    fired = [rule for rule in policy.rules if rule.when_all <= present]
    explanation += [
        Reason(kind="rule", urgency=rule.at_least, rule=rule.name, detail=rule.reason)
        for rule in fired
    ]
    rule_floor = most_urgent(Urgency.NORMAL, *(rule.at_least for rule in fired))
    explanation.append(
        Reason(
            kind="reported",
            urgency=reported_urgency,
            detail="the urgency the reporting unit gave; re-scoring never lowers it",
        )
    )
    # the first reason that reaches the most urgent level decides: score, then rules, then report
    decided = max(explanation, key=lambda reason: urgency_rank(reason.urgency))

    if operator is not None:
        if urgency_rank(operator.urgency) < urgency_rank(rule_floor):
            names = ", ".join(r.name for r in fired if r.at_least == rule_floor)
            raise UrgencyBelowRule(
                f"An operator cannot set urgency {operator.urgency}: rule {names} requires at "
                f"least {rule_floor}.",
                extensions={"minimum": rule_floor.value},
            )
        decided = Reason(kind="operator", urgency=operator.urgency, detail=operator.reason)
        explanation.append(decided)

    return Assessment(
        indicators=ordered,
        score=score,
        contributions=contributions,
        score_urgency=score_urgency,
        urgency=decided.urgency,
        decided_by=decided.kind,
        explanation=tuple(explanation),
    )
