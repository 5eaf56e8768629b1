"""Who is calling: the :class:`Principal` built from a verified Keycloak access token.

Claims read (Keycloak 26, realm ``lgnet``):

- ``sub`` → ``subject`` (the Keycloak user id; stable, use it for ownership and audit).
- ``preferred_username`` → ``username``; ``azp`` → ``client_id`` (the client that got the token).
- ``realm_access.roles`` → ``roles``, without Keycloak's defaults (``offline_access``,
  ``uma_authorization``, ``default-roles-<realm>``).
- ``organization`` → ``organisation`` (the organisation's alias). The built-in ``organization``
  client scope's mapper writes it as a list of aliases ``["coop-aurora"]`` (default), as an
  object ``{"coop-aurora": {...}}`` when it adds the organisation's id or attributes, or as a
  bare string when it is configured single-valued: all three are accepted.
- ``jti`` → ``token_id`` (absent from some Keycloak token profiles, hence optional).

Every LGNet principal belongs to exactly one organisation: record-level rules, the audit log and
the events all need the caller's organisation. A token naming none or several is authentic but
not usable for LGNet: :class:`OrganisationError`, answered 403 (see ``kit.auth.dependencies``).
Re-presenting the same credentials cannot fix that, which is why it is not a 401.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kit.auth.verify import InvalidToken

__all__ = ["KEYCLOAK_DEFAULT_ROLES", "SYSTEM_ROLES", "OrganisationError", "Principal", "Role"]

SERVICE_ACCOUNT_PREFIX = "service-account-"
# Roles Keycloak gives everyone; they say nothing about what a caller may do in LGNet.
KEYCLOAK_DEFAULT_ROLES = frozenset({"offline_access", "uma_authorization"})
_DEFAULT_COMPOSITE_PREFIX = "default-roles-"


class Role(StrEnum):
    """The realm roles LGNet's rules refer to (docs/architecture.md §6).

    Plain strings compare equal."""

    INTAKE_OPERATOR = "intake-operator"
    CASE_WORKER = "case-worker"
    CASE_SUPERVISOR = "case-supervisor"
    HOUSING_COORDINATOR = "housing-coordinator"
    INITIATIVE_ORGANIZER = "initiative-organizer"
    COORDINATOR = "coordinator"
    OBSERVATORY_ANALYST = "observatory-analyst"
    AUDITOR = "auditor"
    PLATFORM_ADMIN = "platform-admin"
    BIRTH_DATE_READER = "birth-date-reader"
    """Casework's own service account: reads minors' birth dates from intake, nothing else."""


SYSTEM_ROLES = frozenset({Role.BIRTH_DATE_READER})
"""Roles of the platform's own service accounts, one read each: never granted to a person or a
partner (the realm maps them to no other client), admitted by no gateway route, and refused by
every route of a service but the one they exist for."""


class OrganisationError(Exception):
    """The token does not name exactly one organisation; ``reason`` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _organisations(claim: Any) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, str):
        aliases: list[Any] = [claim]
    elif isinstance(claim, Mapping):
        aliases = list(claim)
    elif isinstance(claim, list):
        aliases = claim
    else:
        raise InvalidToken("token 'organization' claim is malformed")
    if not all(isinstance(alias, str) and alias for alias in aliases):
        raise InvalidToken("token 'organization' claim is malformed")
    return sorted(set(aliases))


def _roles(claims: Mapping[str, Any]) -> frozenset[str]:
    realm_access = claims.get("realm_access", {})
    roles = realm_access.get("roles", []) if isinstance(realm_access, Mapping) else None
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("token 'realm_access' claim is malformed")
    return frozenset(
        role
        for role in roles
        if role not in KEYCLOAK_DEFAULT_ROLES and not role.startswith(_DEFAULT_COMPOSITE_PREFIX)
    )


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidToken(f"token lacks the {name!r} claim")
    return value


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a person or a partner system's service account."""

    subject: str
    username: str
    client_id: str
    organisation: str
    roles: frozenset[str]
    token_id: str | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """The principal of verified access-token claims.

        Raises :class:`~kit.auth.verify.InvalidToken` when a claim LGNet reads is missing or
        malformed, :class:`OrganisationError` when the token names no or several organisations.
        """
        # malformed claims (401) are reported before organisation problems (403)
        subject = _text(claims, "sub")
        username = _text(claims, "preferred_username")
        client_id = _text(claims, "azp")
        roles = _roles(claims)
        organisations = _organisations(claims.get("organization"))
        if not organisations:
            raise OrganisationError("token names no organisation")
        if len(organisations) > 1:
            raise OrganisationError(
                "token names several organisations; request the scope organization:<alias>"
            )
        token_id = claims.get("jti")
        return cls(
            subject=subject,
            username=username,
            client_id=client_id,
            organisation=organisations[0],
            roles=roles,
            token_id=token_id if isinstance(token_id, str) and token_id else None,
        )

    @property
    def is_service_account(self) -> bool:
        """Whether this is a client's service account (client-credentials grant).

        Keycloak names the service-account user of client ``x`` ``service-account-x``
        (lower-cased, as all usernames); matching it against ``azp`` — not only the prefix —
        means a person cannot pass as a system by choosing such a username.
        """
        return self.username == (SERVICE_ACCOUNT_PREFIX + self.client_id).lower()

    @property
    def is_coordinator(self) -> bool:
        """Whether this is a Comune coordinator (who sees every record).

        Decided by the realm role ``coordinator`` alone: which organisation is the Comune is
        deployment data, not kit code, and granting that role only to the Comune's people is the
        realm's job (kept as code, provisioning tested). An organisation check here would only
        hide a wrongly granted role, not make it harmless.
        """
        return Role.COORDINATOR in self.roles

    @property
    def is_system(self) -> bool:
        """Whether the principal holds a platform service account's role (`SYSTEM_ROLES`)."""
        return not self.roles.isdisjoint(SYSTEM_ROLES)

    def has_role(self, *roles: str) -> bool:
        """Whether the principal holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)
