"""Fixtures for every unit test: a local stand-in for the Keycloak realm (no servers)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kit.testing.tokens import LocalIssuer, generate_rsa_key


@pytest.fixture(scope="session")
def realm_key() -> rsa.RSAPrivateKey:
    return generate_rsa_key()  # generated once: it takes a while


@pytest.fixture
def local_issuer(realm_key: rsa.RSAPrivateKey) -> LocalIssuer:
    return LocalIssuer(key=realm_key, kid="realm-key-1")
