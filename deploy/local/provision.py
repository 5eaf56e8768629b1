"""Provision a partner organisation in Keycloak: one command, idempotent, no clicks.

    uv run python -m deploy.local.provision partner --alias coop-x --name "Cooperativa X" \\
        --user intake.x:intake-operator --user worker.x:case-worker,case-supervisor \\
        --keycloak-url http://127.0.0.1:18180

creates (or brings up to date) the Keycloak organisation ``coop-x``, the confidential
client-credentials client ``partner-coop-x`` whose service account is a member of that
organisation, and the listed users, also members of it; it prints the client secret and the
passwords it set as JSON. Running it again changes nothing that is already right: it adds what
is missing and never removes roles, users or members.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

from deploy.local.keycloak import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    API_AUDIENCE,
    REALM,
    admin_client,
)
from kit.auth import SYSTEM_ROLES, Role

# the platform's own service accounts' roles are never mapped to, nor granted to, a partner
LGNET_ROLES = tuple(role.value for role in Role if role not in SYSTEM_ROLES)
# The Comune's own roles are never handed to a partner by a script.
COMUNE_ONLY_ROLES = frozenset({"coordinator", "auditor", "platform-admin"})
PARTNER_ROLES = tuple(r for r in LGNET_ROLES if r not in COMUNE_ONLY_ROLES)
DEFAULT_SYSTEM_ROLES = ("intake-operator", "case-worker")
# The same default scopes as the partner clients of deploy/keycloak/lgnet-realm.json, so that a
# provisioned partner's tokens have exactly the shape of the demo partners' tokens.
CLIENT_SCOPES = (
    "basic",
    "profile",
    "email",
    "roles",
    "web-origins",
    "acr",
    "organization",
    "service_account",
)
AUDIENCE_MAPPER: dict[str, Any] = {
    "name": f"audience {API_AUDIENCE}",
    "protocol": "openid-connect",
    "protocolMapper": "oidc-audience-mapper",
    "consentRequired": False,
    "config": {
        "included.custom.audience": API_AUDIENCE,
        "access.token.claim": "true",
        "id.token.claim": "false",
        "introspection.token.claim": "true",
        "lightweight.claim": "false",
    },
}
_ALIAS = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


class ProvisioningError(RuntimeError):
    """The requested partner cannot be provisioned as asked (bad input or a conflicting state)."""


@dataclass(frozen=True)
class PartnerUserIn:
    """A user of the partner organisation: username, realm roles, optional e-mail."""

    username: str
    roles: tuple[str, ...]
    email: str | None = None

    @classmethod
    def parse(cls, spec: str) -> PartnerUserIn:
        """Parse ``username:role[,role][:email]``, e.g. ``intake.x:intake-operator``."""
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ProvisioningError(f"user {spec!r}: expected username:role[,role][:email]")
        roles = tuple(r.strip() for r in parts[1].split(",") if r.strip())
        return cls(parts[0].strip(), roles, parts[2].strip() if len(parts) == 3 else None)


@dataclass(frozen=True)
class ProvisionedUser:
    username: str
    user_id: str
    roles: tuple[str, ...]
    password: str | None  # the password this run set; None when left as it was


@dataclass(frozen=True)
class ProvisionedPartner:
    alias: str
    name: str
    organization_id: str
    client_id: str
    client_secret: str
    service_account_id: str
    system_roles: tuple[str, ...]
    users: tuple[ProvisionedUser, ...]

    def user(self, username: str) -> ProvisionedUser:
        return next(u for u in self.users if u.username == username)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def partner_client_id(alias: str) -> str:
    return f"partner-{alias}"


def provision_partner(
    admin: KeycloakAdmin,
    *,
    alias: str,
    name: str,
    users: Iterable[PartnerUserIn | str] = (),
    system_roles: Sequence[str] = DEFAULT_SYSTEM_ROLES,
    password: str | None = None,
) -> ProvisionedPartner:
    """Create or complete partner ``alias``: organisation, service-account client, users.

    ``admin`` must point at the ``lgnet`` realm. ``password`` is set on every listed user when
    given; otherwise a user created now gets a random password (returned) and an existing user
    keeps theirs. An account that already belongs to another organisation is refused: LGNet
    tokens name exactly one organisation.
    """
    if not _ALIAS.match(alias):
        raise ProvisioningError(f"alias {alias!r}: lower-case letters, digits and '-' only")
    wanted = [u if isinstance(u, PartnerUserIn) else PartnerUserIn.parse(u) for u in users]
    _check_roles(system_roles, f"partner system {alias}")
    for user_in in wanted:
        if not _USERNAME.match(user_in.username):
            raise ProvisioningError(f"username {user_in.username!r} is not valid")
        _check_roles(user_in.roles, user_in.username)

    organization_id = _ensure_organization(admin, alias=alias, name=name)
    client_uuid = _ensure_client(admin, alias=alias, name=name)
    secret = str(admin.get_client_secrets(client_uuid)["value"])
    service_account = admin.get_client_service_account_user(client_uuid)
    service_account_id = str(service_account["id"])
    _ensure_realm_roles(admin, service_account_id, system_roles)
    _ensure_member(admin, service_account_id, organization_id, str(service_account["username"]))

    provisioned = tuple(
        _ensure_user(admin, user_in, alias=alias, org_id=organization_id, password=password)
        for user_in in wanted
    )
    return ProvisionedPartner(
        alias=alias,
        name=name,
        organization_id=organization_id,
        client_id=partner_client_id(alias),
        client_secret=secret,
        service_account_id=service_account_id,
        system_roles=tuple(system_roles),
        users=provisioned,
    )


def _check_roles(roles: Sequence[str], who: str) -> None:
    if not roles:
        raise ProvisioningError(f"{who}: at least one role is needed")
    for role in roles:
        if role in COMUNE_ONLY_ROLES:
            raise ProvisioningError(f"{who}: {role} is a Comune role, not granted to partners")
        if role not in PARTNER_ROLES:
            raise ProvisioningError(
                f"{who}: unknown role {role!r} (one of {', '.join(PARTNER_ROLES)})"
            )


def _ensure_organization(admin: KeycloakAdmin, *, alias: str, name: str) -> str:
    for org in admin.get_organizations():
        if org.get("alias") == alias:
            if org.get("name") != name or not org.get("enabled", True):
                admin.update_organization(org["id"], {**org, "name": name, "enabled": True})
            return str(org["id"])
    created = admin.create_organization(
        {"alias": alias, "name": name, "enabled": True, "attributes": {"kind": ["partner"]}}
    )
    if created:
        return created
    # older python-keycloak versions do not return the id: look it up
    return next(str(o["id"]) for o in admin.get_organizations() if o.get("alias") == alias)


def _ensure_client(admin: KeycloakAdmin, *, alias: str, name: str) -> str:
    client_id = partner_client_id(alias)
    client_uuid = admin.get_client_id(client_id)
    if client_uuid is None:
        client_uuid = admin.create_client(
            {
                "clientId": client_id,
                "name": f"Partner system: {name}",
                "description": f"Client-credentials service account of {alias}'s own system.",
                "enabled": True,
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "protocol": "openid-connect",
                "standardFlowEnabled": False,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "serviceAccountsEnabled": True,
                # tokens carry LGNet roles only (see the scope mappings below)
                "fullScopeAllowed": False,
                "attributes": {"lgnet.organization": alias},
                "protocolMappers": [AUDIENCE_MAPPER],
                "defaultClientScopes": list(CLIENT_SCOPES),
                "optionalClientScopes": [],
            }
        )
    else:
        client = admin.get_client(client_uuid)
        if not client.get("serviceAccountsEnabled") or not client.get("enabled"):
            admin.update_client(
                client_uuid, {**client, "serviceAccountsEnabled": True, "enabled": True}
            )
        if not any(
            m.get("name") == AUDIENCE_MAPPER["name"]
            for m in admin.get_mappers_from_client(client_uuid)
        ):
            admin.add_mapper_to_client(client_uuid, AUDIENCE_MAPPER)
        has = {s["name"] for s in admin.get_client_default_client_scopes(client_uuid)}
        scope_ids = {s["name"]: s["id"] for s in admin.get_client_scopes()}
        for scope in CLIENT_SCOPES:
            if scope not in has and scope in scope_ids:
                admin.add_client_default_client_scope(
                    client_uuid,
                    scope_ids[scope],
                    {"realm": REALM, "client": client_uuid, "clientScopeId": scope_ids[scope]},
                )
    mapped = {r["name"] for r in admin.get_realm_roles_of_client_scope(client_uuid)}
    missing = [admin.get_realm_role(r) for r in LGNET_ROLES if r not in mapped]
    if missing:
        admin.assign_realm_roles_to_client_scope(client_uuid, missing)
    return str(client_uuid)


def _ensure_realm_roles(admin: KeycloakAdmin, user_id: str, roles: Sequence[str]) -> None:
    has = {r["name"] for r in admin.get_realm_roles_of_user(user_id)}
    missing = [admin.get_realm_role(r) for r in roles if r not in has]
    if missing:
        admin.assign_realm_roles(user_id, missing)


def _ensure_member(admin: KeycloakAdmin, user_id: str, org_id: str, username: str) -> None:
    orgs = admin.get_user_organizations(user_id)
    if any(o["id"] == org_id for o in orgs):
        return
    if orgs:
        others = ", ".join(str(o.get("alias")) for o in orgs)
        raise ProvisioningError(f"{username} already belongs to {others}")
    admin.organization_user_add(user_id, org_id)


def _ensure_user(
    admin: KeycloakAdmin,
    user_in: PartnerUserIn,
    *,
    alias: str,
    org_id: str,
    password: str | None,
) -> ProvisionedUser:
    user_id = admin.get_user_id(user_in.username)
    set_password = password
    if user_id is None:
        # Keycloak's user profile requires first name, last name and e-mail before a user can
        # log in; a partner fixes them later in the account console.
        user_id = admin.create_user(
            {
                "username": user_in.username,
                "enabled": True,
                "firstName": user_in.username,
                "lastName": alias,  # the display name may hold characters a person name may not
                "email": user_in.email or f"{user_in.username}@{alias}.example",
                "emailVerified": True,
            }
        )
        set_password = password or secrets.token_urlsafe(18)
    _ensure_member(admin, user_id, org_id, user_in.username)
    _ensure_realm_roles(admin, user_id, user_in.roles)
    if set_password is not None:
        admin.set_user_password(user_id, set_password, temporary=False)
    return ProvisionedUser(user_in.username, user_id, user_in.roles, set_password)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local.provision", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    partner = commands.add_parser("partner", help="provision a partner organisation (idempotent)")
    partner.add_argument("--alias", required=True, help="organisation alias, e.g. coop-aurora")
    partner.add_argument("--name", required=True, help="organisation display name")
    partner.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="USERNAME:ROLE[,ROLE][:EMAIL]",
        help="a user of the organisation (repeatable)",
    )
    partner.add_argument(
        "--system-role",
        action="append",
        metavar="ROLE",
        help=f"realm role of the partner system's service account (repeatable; default "
        f"{' '.join(DEFAULT_SYSTEM_ROLES)})",
    )
    partner.add_argument(
        "--password", help="password to set on the listed users (default: random for new users)"
    )
    partner.add_argument(
        "--keycloak-url",
        default=os.environ.get("LGNET_KEYCLOAK_URL"),
        required="LGNET_KEYCLOAK_URL" not in os.environ,
        help="e.g. http://127.0.0.1:18180 (env LGNET_KEYCLOAK_URL)",
    )
    partner.add_argument(
        "--admin-username", default=os.environ.get("LGNET_KEYCLOAK_ADMIN_USERNAME", ADMIN_USERNAME)
    )
    partner.add_argument(
        "--admin-password", default=os.environ.get("LGNET_KEYCLOAK_ADMIN_PASSWORD", ADMIN_PASSWORD)
    )
    args = parser.parse_args(argv)

    admin = admin_client(
        args.keycloak_url, username=args.admin_username, password=args.admin_password
    )
    try:
        result = provision_partner(
            admin,
            alias=args.alias,
            name=args.name,
            users=args.user,
            system_roles=args.system_role or DEFAULT_SYSTEM_ROLES,
            password=args.password,
        )
    except ProvisioningError as exc:
        print(f"provision: {exc}", file=sys.stderr)
        return 2
    except KeycloakError as exc:  # partial work is kept: running again completes it
        print(f"provision: Keycloak refused: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
