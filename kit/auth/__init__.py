"""Keycloak JWT verification and the caller's :class:`Principal`, for the gateway and every service.

- :mod:`kit.auth.jwks` — the realm's signing keys, cached (TTL, key rotation, rate-limited
  refresh, stale keys while Keycloak is unreachable);
- :mod:`kit.auth.verify` — :class:`TokenVerifier`: signature, algorithm allow-list, claims;
- :mod:`kit.auth.principal` — :class:`Principal` from the claims (organisation, roles);
- :mod:`kit.auth.dependencies` — FastAPI: ``install_auth``, ``CurrentPrincipal``, ``require_roles``.

Wiring a service::

    jwks = JWKSCache(issuer=settings.oidc_issuer)
    install_auth(app, TokenVerifier(settings.oidc_issuer, "lgnet-api", jwks))
"""

from kit.auth.dependencies import (
    AuthenticationUnavailable,
    CurrentPrincipal,
    MissingRole,
    NetworkPrincipal,
    OrganisationRequired,
    TokenRejected,
    authenticate,
    bearer_scheme,
    get_network_principal,
    get_principal,
    install_auth,
    require_roles,
)
from kit.auth.jwks import JWKSCache, JWKSUnavailable, UnknownKey, VerificationKey, parse_jwks
from kit.auth.principal import SYSTEM_ROLES, OrganisationError, Principal, Role
from kit.auth.verify import DEFAULT_ALGORITHMS, MAX_LEEWAY, InvalidToken, TokenVerifier

__all__ = [
    "DEFAULT_ALGORITHMS",
    "MAX_LEEWAY",
    "SYSTEM_ROLES",
    "AuthenticationUnavailable",
    "CurrentPrincipal",
    "InvalidToken",
    "JWKSCache",
    "JWKSUnavailable",
    "MissingRole",
    "NetworkPrincipal",
    "OrganisationError",
    "OrganisationRequired",
    "Principal",
    "Role",
    "TokenRejected",
    "TokenVerifier",
    "UnknownKey",
    "VerificationKey",
    "authenticate",
    "bearer_scheme",
    "get_network_principal",
    "get_principal",
    "install_auth",
    "parse_jwks",
    "require_roles",
]
