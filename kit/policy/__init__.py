"""Versioned policy: the rules Comune coordinators change through the API, never a redeploy.

The network's rules are co-designed with the third-sector partners and reopened at least
once a year (docs/domain.md §1): SLA deadlines, triage weights, housing matching weights, indicator
definitions.  Each is a `PolicyKind` — a name, a pydantic schema and a built-in default —
whose versions are appended to ``policy_versions`` and never changed.  A version is in force
from its ``effective_from``; an event is judged under the version in force when it
happened::

    SLA_POLICY = PolicyKind("intake.sla", SlaPolicy, default=SlaPolicy())

    sla = await current(session, SLA_POLICY, at=referral.received_at)

A coordinator proposes a new version (`propose`: validated; ``effective_from`` may be in the
future; it may not precede the latest version's, so the past is not rewritten), with a
required justification (``why``).  A service mounts the HTTP API for its kinds::

    app.include_router(policy_router("/v1/intake/policies", [SLA_POLICY, TRIAGE_POLICY]))

A schema may evolve only compatibly: new fields need defaults, since old versions are read
back through the current schema.
"""

from kit.policy.errors import InvalidPolicyDocument, PolicyBackdated, UnknownPolicy
from kit.policy.kinds import PolicyKind, PolicyVersionRecord
from kit.policy.models import PolicyVersion
from kit.policy.router import policy_router
from kit.policy.schemas import PolicyProposal, PolicyVersionPublic
from kit.policy.service import current, current_version, history, propose

__all__ = [
    "InvalidPolicyDocument",
    "PolicyBackdated",
    "PolicyKind",
    "PolicyProposal",
    "PolicyVersion",
    "PolicyVersionPublic",
    "PolicyVersionRecord",
    "UnknownPolicy",
    "current",
    "current_version",
    "history",
    "policy_router",
    "propose",
]
