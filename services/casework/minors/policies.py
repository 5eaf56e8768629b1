"""The minors' track's versioned policy: how long before the 18th birthday the transition plan
opens. Comune coordinators change it through ``/v1/casework/policies`` (kit.policy), with an
effective date; the transition job reads the version in force when it runs."""

from __future__ import annotations

from kit.policy import PolicyKind
from services.casework.minors.domain import DEFAULT_MINORS_POLICY, MinorsPolicy

MINORS = PolicyKind(
    "casework.minors",
    MinorsPolicy,
    DEFAULT_MINORS_POLICY,
    description="How long before a minor's 18th birthday their transition plan opens.",
)
