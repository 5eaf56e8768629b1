"""How proposing or reading a policy fails."""

from __future__ import annotations

from kit.errors import Conflict, NotFound, ValidationFailed


class InvalidPolicyDocument(ValidationFailed):
    """The proposed document does not match the policy's schema (422 ``validation-failed``)."""


class PolicyBackdated(
    Conflict, slug="policy-backdated", title="Policy version would rewrite history"
):
    """A new version would take effect before the one in force: history is not rewritten."""


class UnknownPolicy(NotFound, slug="policy-not-found", title="Policy not found"):
    """No policy is registered under that name."""
