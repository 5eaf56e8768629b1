"""Intake's versioned policies: the triage rule and the rapid-response deadlines.

Comune coordinators change them through ``/v1/intake/policies`` (kit.policy); a referral is
screened under the triage rule in force when it is screened, and judged against the
deadlines in force when it was received.
"""

from __future__ import annotations

from typing import Any

from kit.policy import PolicyKind
from services.intake.referrals.sla import DEFAULT_SLA_POLICY, SlaPolicy
from services.intake.referrals.triage import DEFAULT_TRIAGE_POLICY, TriagePolicy

TRIAGE = PolicyKind(
    "intake.triage",
    TriagePolicy,
    DEFAULT_TRIAGE_POLICY,
    description="Vulnerability indicator weights, urgency thresholds and rules for screening.",
)
SLA = PolicyKind(
    "intake.sla",
    SlaPolicy,
    DEFAULT_SLA_POLICY,
    description="Deadlines for first contact and hand-over, per urgency.",
)
KINDS: list[PolicyKind[Any]] = [TRIAGE, SLA]
