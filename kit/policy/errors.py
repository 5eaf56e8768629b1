"""How proposing or reading a policy fails."""

from __future__ import annotations

from kit.errors import Conflict, NotFound, UnprocessableContent


class InvalidPolicyDocument(UnprocessableContent):
    slug = "validation-failed"
    title = "Validation Failed"


class PolicyBackdated(Conflict):
    slug = "policy-backdated"
    title = "Policy version would rewrite history"


class UnknownPolicy(NotFound):
    slug = "policy-not-found"
    title = "Policy not found"
