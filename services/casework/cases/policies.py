"""Casework's versioned policies: plan review cadences and what follows a closure.

Comune coordinators change them through ``/v1/casework/policies`` (kit.policy), with an
effective date; a case's review falls due under the cadence in force, and a closed case is
re-opened or anonymised under the closure policy in force.
"""

from __future__ import annotations

from typing import Any

from kit.policy import PolicyKind
from services.casework.cases.closure import DEFAULT_CLOSURE_POLICY, ClosurePolicy
from services.casework.cases.reviews import DEFAULT_REVIEW_POLICY, ReviewPolicy

REVIEWS = PolicyKind(
    "casework.reviews",
    ReviewPolicy,
    DEFAULT_REVIEW_POLICY,
    description="How often a running case's plan is reviewed, per target group.",
)
CLOSURE = PolicyKind(
    "casework.closure",
    ClosurePolicy,
    DEFAULT_CLOSURE_POLICY,
    description="How long a closed case may be re-opened, and when it is anonymised.",
)
KINDS: list[PolicyKind[Any]] = [REVIEWS, CLOSURE]
