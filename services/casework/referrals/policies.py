"""The referral policy: how long a receiving organisation has to answer (``kit.policy``,
served with casework's other policies at ``/v1/casework/policies``)."""

from __future__ import annotations

from kit.policy import PolicyKind
from services.casework.referrals.domain import DEFAULT_REFERRAL_POLICY, ReferralPolicy

REFERRALS = PolicyKind(
    "casework.referrals",
    ReferralPolicy,
    DEFAULT_REFERRAL_POLICY,
    description="How long the organisation running a service has to answer a referral.",
)
