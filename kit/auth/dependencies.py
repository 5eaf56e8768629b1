"""FastAPI wiring: the bearer scheme, ``get_principal``/``CurrentPrincipal``, ``require_roles``.

Every service and the gateway verify the caller's token themselves (zero trust)::

    install_auth(app, TokenVerifier(issuer, "lgnet-api", JWKSCache(issuer=issuer)))

    @router.get("/cases/{case_id}")
    async def read_case(case_id: UUID, principal: CurrentPrincipal) -> CasePublic: ...

    @router.post("/policies", dependencies=[Depends(require_roles(Role.COORDINATOR))])
    async def change_policy(...) -> ...: ...

Outcomes, as ``application/problem+json`` (with ``kit.problems.install_problem_handlers``):

- no bearer token: 401, ``WWW-Authenticate: Bearer`` (RFC 6750 §3.1: no error code);
- a token that fails verification or lacks a claim LGNet reads: 401 ``invalid-token``,
  ``WWW-Authenticate: Bearer error="invalid_token"``;
- an authentic token naming no or several organisations: 403 ``organisation-required``;
- authenticated without any of the required roles: 403 ``role-required``;
- the realm's keys cannot be had (Keycloak down, nothing cached): 503 — the token may be fine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, ClassVar

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kit.auth.jwks import JWKSUnavailable
from kit.auth.principal import OrganisationError, Principal, Role
from kit.auth.verify import InvalidToken, TokenVerifier
from kit.errors import Forbidden, ProblemError, Unauthorized

__all__ = [
    "AuthenticationUnavailable",
    "CurrentPrincipal",
    "MissingRole",
    "NetworkPrincipal",
    "OrganisationRequired",
    "TokenRejected",
    "authenticate",
    "bearer_scheme",
    "get_network_principal",
    "get_principal",
    "install_auth",
    "require_roles",
]

_STATE_KEY = "token_verifier"

bearer_scheme = HTTPBearer(
    bearerFormat="JWT",
    scheme_name="KeycloakBearer",
    description="An access token of the Keycloak realm `lgnet` with audience `lgnet-api`.",
    auto_error=False,  # we answer ourselves, as problem+json
)


class TokenRejected(Unauthorized):
    slug = "invalid-token"
    title = "Invalid Token"

    def __init__(self, reason: str) -> None:
        # reasons are kit.auth's fixed phrases (nothing from the token); keep the header valid
        description = "".join(c for c in reason if c.isprintable() and c not in '"\\')
        super().__init__(
            f"The bearer token was rejected: {reason}.",
            headers={
                "WWW-Authenticate": (
                    f'Bearer error="invalid_token", error_description="{description}"'
                )
            },
        )


class OrganisationRequired(Forbidden):
    slug = "organisation-required"
    title = "Organisation Required"
    default_headers: ClassVar[Mapping[str, str]] = {
        "WWW-Authenticate": 'Bearer error="insufficient_scope"'
    }


class MissingRole(Forbidden):
    slug = "role-required"
    title = "Role Required"


class AuthenticationUnavailable(
    ProblemError, status=503, slug="authentication-unavailable", title="Authentication Unavailable"
):
    default_headers: ClassVar[Mapping[str, str]] = {"Retry-After": "10"}


def install_auth(app: FastAPI, verifier: TokenVerifier) -> None:
    """Make ``verifier`` the one ``get_principal`` uses for requests to ``app``.

    The verifier's JWKS cache lives as long as the app: close it in the lifespan's shutdown
    (``await verifier.jwks.aclose()``).
    """
    setattr(app.state, _STATE_KEY, verifier)


async def authenticate(verifier: TokenVerifier, token: str) -> Principal:
    """The principal of a bearer ``token``, or the problem to answer (401, 403 or 503).

    ``get_principal`` uses it; so can code outside FastAPI's dependencies (the gateway's proxy).
    """
    try:
        return Principal.from_claims(await verifier.verify(token))
    except InvalidToken as error:
        raise TokenRejected(error.reason) from None
    except OrganisationError as error:
        raise OrganisationRequired(
            f"LGNet needs exactly one organisation: {error.reason}."
        ) from None
    except JWKSUnavailable:
        raise AuthenticationUnavailable(
            "The identity provider's signing keys are unavailable; try again shortly."
        ) from None


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The verified caller of this request (also left on ``request.state.principal``)."""
    if credentials is None:
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier | None = getattr(request.app.state, _STATE_KEY, None)
    if verifier is None:
        raise RuntimeError("kit.auth.install_auth(app, verifier) was not called")
    principal = await authenticate(verifier, credentials.credentials)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_network_principal(principal: CurrentPrincipal) -> Principal:
    """The caller, unless it is a platform service account (`SYSTEM_ROLES`: 403), which may
    call only the one route its role is required by."""
    if principal.is_system:
        raise MissingRole("A platform service account may call only the route it exists for.")
    return principal


NetworkPrincipal = Annotated[Principal, Depends(get_network_principal)]
"""`CurrentPrincipal` for routes open to any person or partner system of the network."""


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting a principal holding at least one of ``roles`` (403 otherwise).

    It returns the principal, so it serves as a route's ``dependencies=[Depends(...)]`` entry or
    as a parameter: ``principal: Annotated[Principal, Depends(require_roles(Role.AUDITOR))]``.
    Roles are `Role` members: a name outside the realm's vocabulary is a `ValueError` at once.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role")
    roles = tuple(Role(role) for role in roles)
    wanted = ", ".join(sorted(roles))

    async def principal_with_role(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise MissingRole(f"This needs one of the roles: {wanted}.")
        return principal

    return principal_with_role
