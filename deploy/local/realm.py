"""The demo realm's users and partner systems, and a client for its token endpoint.

Everything here is LOCAL ONLY: the passwords and secrets are those of
deploy/keycloak/lgnet-realm.json, a development realm. Used by tests, the demo data loader
and the benchmarks.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from deploy.local.keycloak import API_AUDIENCE, REALM, admin_client
from kit.auth import SYSTEM_ROLES, Role

DEMO_PASSWORD = "lgnet-demo"  # local-only demo password, see deploy/keycloak/README.md
# the roles of people and partner systems; the platform's own service accounts hold the others
LGNET_ROLES = {role.value for role in Role if role not in SYSTEM_ROLES}
AURORA_SECRET = "local-only-coop-aurora-secret"
# username -> (organisation alias, realm roles): the demo users of deploy/keycloak/lgnet-realm.json
DEMO_USERS = {
    "intake.aurora": ("coop-aurora", {"intake-operator"}),
    "intake.ponte": ("assoc-ponte", {"intake-operator"}),
    "caseworker.aurora": ("coop-aurora", {"case-worker"}),
    "caseworker.ponte": ("assoc-ponte", {"case-worker"}),
    "supervisor.aurora": ("coop-aurora", {"case-supervisor"}),
    "supervisor.ponte": ("assoc-ponte", {"case-supervisor"}),
    "housing.ponte": ("assoc-ponte", {"housing-coordinator"}),
    "organizer.ponte": ("assoc-ponte", {"initiative-organizer"}),
    "coordinator.comune": ("comune-milano", {"coordinator"}),
    "analyst.comune": ("comune-milano", {"observatory-analyst"}),
    "analyst.osservatorio": ("osservatorio-monitoraggio", {"observatory-analyst"}),
    "auditor.comune": ("comune-milano", {"auditor"}),
    "admin.comune": ("comune-milano", {"platform-admin"}),
}
# client id -> (local-only secret, organisation alias, realm roles)
PARTNER_SYSTEMS = {
    "partner-coop-aurora": (
        "local-only-coop-aurora-secret",
        "coop-aurora",
        {"intake-operator", "case-worker"},
    ),
    "partner-assoc-ponte": (
        "local-only-assoc-ponte-secret",
        "assoc-ponte",
        {"intake-operator", "case-worker", "housing-coordinator", "initiative-organizer"},
    ),
    "partner-osservatorio-monitoraggio": (
        "local-only-osservatorio-monitoraggio-secret",
        "osservatorio-monitoraggio",
        {"observatory-analyst"},
    ),
}

CASEWORK_CLIENT_ID = "lgnet-casework"
CASEWORK_SECRET = "local-only-casework-secret"
# client id -> (local-only secret, organisation alias, realm roles): the platform's own services
PLATFORM_SYSTEMS = {
    CASEWORK_CLIENT_ID: (CASEWORK_SECRET, "comune-milano", {"birth-date-reader"}),
}


WEB_CLIENT_ID = "lgnet-web"
"""The public browser client (code flow with PKCE): the dashboard signs in with it."""


def allow_web_origin(keycloak_url: str, origin: str) -> bool:
    """Let ``lgnet-web`` send a browser back to pages of `origin` (a stack's gateway), and so
    answer its token requests from there (its web origins are its redirect URIs'): a test
    profile's gateway port is none of the realm file's. Idempotent; whether it changed."""
    admin = admin_client(keycloak_url)
    client_id = admin.get_client_id(WEB_CLIENT_ID)
    if client_id is None:
        raise RuntimeError(f"the realm has no client {WEB_CLIENT_ID}")
    client = admin.get_client(client_id)
    wanted = f"{origin.rstrip('/')}/*"
    if wanted in client["redirectUris"]:
        return False
    admin.update_client(client_id, {"redirectUris": [*client["redirectUris"], wanted]})
    return True


class Realm:
    """Token endpoint, issuer and signing keys of the realm, read from its discovery document."""

    def __init__(self, keycloak_url: str) -> None:
        discovery = httpx.get(f"{keycloak_url}/realms/{REALM}/.well-known/openid-configuration")
        discovery.raise_for_status()
        config = discovery.json()
        self.issuer: str = config["issuer"]
        self.token_endpoint: str = config["token_endpoint"]
        self.authorization_endpoint: str = config["authorization_endpoint"]
        self.jwks_uri: str = config["jwks_uri"]
        self.jwks = jwt.PyJWKClient(config["jwks_uri"])
        self._cache: dict[str, tuple[str, float]] = {}

    def token(self, **form: str) -> str:
        response = httpx.post(self.token_endpoint, data=form)
        if response.status_code != 200:
            raise RuntimeError(f"token request refused ({response.status_code}): {response.text}")
        return str(response.json()["access_token"])

    def headers(self, username: str) -> dict[str, str]:
        """``Authorization`` for a demo user (its cached token)."""
        return {"Authorization": f"Bearer {self.cached_user_token(username)}"}

    def subject(self, username: str) -> str:
        """A demo user's Keycloak subject (``sub``): how casework names a team member."""
        token = self.cached_user_token(username)
        return str(jwt.decode(token, options={"verify_signature": False})["sub"])

    def cached_user_token(self, username: str) -> str:
        """A demo user's token, reused while it has more than a minute to live."""
        cached = self._cache.get(username)
        if cached is None or cached[1] - time.time() < 60:
            token = self.user_token(username)
            expires = jwt.decode(token, options={"verify_signature": False})["exp"]
            cached = self._cache[username] = (token, float(expires))
        return cached[0]

    def user_token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """LOCAL ONLY: the password grant of the dev/test client ``lgnet-cli``."""
        return self.token(
            grant_type="password", client_id="lgnet-cli", username=username, password=password
        )

    def system_token(self, client_id: str, secret: str) -> str:
        return self.token(
            grant_type="client_credentials", client_id=client_id, client_secret=secret
        )

    def verify(self, token: str) -> dict[str, Any]:
        """The claims, once signature (RS256 only), issuer, audience and expiry are checked."""
        key = self.jwks.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=API_AUDIENCE,
            issuer=self.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        return claims
