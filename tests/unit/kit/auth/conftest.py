"""Fixtures for kit.auth unit tests: a verifier trusting the local stand-in for the realm."""

from __future__ import annotations

import pytest

from kit.auth import TokenVerifier
from kit.testing.tokens import LocalIssuer


@pytest.fixture
def verifier(local_issuer: LocalIssuer) -> TokenVerifier:
    return local_issuer.verifier()
