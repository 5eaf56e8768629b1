"""The realm ``lgnet`` as the services see it: tokens, organisations, partner provisioning.

Every token an LGNet API accepts — a person's or a partner system's — is RS256-signed by the
realm, is meant for ``lgnet-api``, names the caller's roles and exactly one organisation, with
the same claim shapes whoever the caller is.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from keycloak import KeycloakAdmin

from deploy.local.keycloak import API_AUDIENCE, REALM, admin_client
from deploy.local.provision import (
    PartnerUserIn,
    ProvisionedPartner,
    ProvisioningError,
    provision_partner,
)
from deploy.local.realm import (
    DEMO_PASSWORD,
    DEMO_USERS,
    LGNET_ROLES,
    PARTNER_SYSTEMS,
    PLATFORM_SYSTEMS,
    Realm,
)
from deploy.local.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def realm(stack: Stack) -> Realm:
    return Realm(stack.keycloak_url)


@pytest.fixture(scope="module")
def admin(stack: Stack) -> KeycloakAdmin:
    return admin_client(stack.keycloak_url)


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims["aud"]  # a single audience is serialised as a string
    return [aud] if isinstance(aud, str) else list(aud)


def test_issuer_is_fixed_to_the_loopback_url(stack: Stack, realm: Realm) -> None:
    port = urlsplit(stack.keycloak_url).port
    assert realm.issuer == f"http://127.0.0.1:{port}/realms/{REALM}"
    # whatever host name a client used, the issuer does not change
    via_localhost = httpx.get(
        f"http://localhost:{port}/realms/{REALM}/.well-known/openid-configuration"
    ).json()
    assert via_localhost["issuer"] == realm.issuer


def test_every_role_has_a_demo_user() -> None:
    assert set().union(*(roles for _, roles in DEMO_USERS.values())) == LGNET_ROLES
    intake_orgs = {org for org, roles in DEMO_USERS.values() if "intake-operator" in roles}
    assert len(intake_orgs) >= 2  # cross-organisation visibility can be tested


@pytest.mark.parametrize(("username", "expected"), DEMO_USERS.items(), ids=list(DEMO_USERS))
def test_demo_user_token_names_audience_roles_and_organisation(
    realm: Realm, username: str, expected: tuple[str, set[str]]
) -> None:
    organisation, roles = expected
    claims = realm.verify(realm.user_token(username))

    assert API_AUDIENCE in _audiences(claims)
    assert claims["preferred_username"] == username
    assert set(claims["realm_access"]["roles"]) == roles  # LGNet roles only, nothing else
    assert claims["organization"] == [organisation]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        pytest.param(
            {
                "grant_type": "password",
                "client_id": "lgnet-cli",
                "username": "intake.aurora",
                "password": "not-the-password",
            },
            "invalid_grant",
            id="a-user-with-a-wrong-password",
        ),
        pytest.param(
            {
                "grant_type": "client_credentials",
                "client_id": "partner-coop-aurora",
                "client_secret": "wrong",
            },
            None,
            id="a-partner-system-with-a-wrong-secret",
        ),
    ],
)
def test_wrong_credentials_get_no_token(
    realm: Realm, form: dict[str, str], error: str | None
) -> None:
    response = httpx.post(realm.token_endpoint, data=form)
    assert response.status_code == 401
    if error is not None:
        assert response.json()["error"] == error


@pytest.mark.parametrize(
    ("client_id", "expected"), PARTNER_SYSTEMS.items(), ids=list(PARTNER_SYSTEMS)
)
def test_partner_system_token_names_its_organisation(
    realm: Realm, client_id: str, expected: tuple[str, str, set[str]]
) -> None:
    secret, organisation, roles = expected
    claims = realm.verify(realm.system_token(client_id, secret))

    assert API_AUDIENCE in _audiences(claims)
    assert claims["azp"] == client_id
    assert claims["preferred_username"] == f"service-account-{client_id}"
    assert set(claims["realm_access"]["roles"]) == roles
    assert claims["organization"] == [organisation]


@pytest.mark.parametrize(
    ("client_id", "expected"), PLATFORM_SYSTEMS.items(), ids=list(PLATFORM_SYSTEMS)
)
def test_a_platform_service_account_carries_its_system_role_alone(
    realm: Realm, client_id: str, expected: tuple[str, str, set[str]]
) -> None:
    secret, organisation, roles = expected
    claims = realm.verify(realm.system_token(client_id, secret))
    assert claims["azp"] == client_id
    assert set(claims["realm_access"]["roles"]) == roles
    assert not roles & LGNET_ROLES  # no role of a person or a partner
    assert claims["organization"] == [organisation]


def test_user_and_system_tokens_have_the_same_claim_shapes(realm: Realm) -> None:
    user = realm.verify(realm.user_token("intake.aurora"))
    system = realm.verify(
        realm.system_token("partner-coop-aurora", "local-only-coop-aurora-secret")
    )
    for claims in (user, system):
        assert isinstance(claims["organization"], list)
        assert all(isinstance(alias, str) for alias in claims["organization"])
        assert isinstance(claims["realm_access"]["roles"], list)
        assert isinstance(claims["preferred_username"], str)
    assert jwt.get_unverified_header(realm.user_token("intake.aurora"))["alg"] == "RS256"


def test_web_client_needs_pkce_s256_and_has_no_password_grant(realm: Realm) -> None:
    base = {
        "client_id": "lgnet-web",
        "response_type": "code",
        "redirect_uri": "http://localhost:5173/callback",
        "scope": "openid",
    }
    without_pkce = httpx.get(realm.authorization_endpoint, params=base)
    assert without_pkce.status_code == 302
    assert parse_qs(urlsplit(without_pkce.headers["location"]).query)["error"] == [
        "invalid_request"
    ]
    plain = httpx.get(
        realm.authorization_endpoint,
        params={**base, "code_challenge": "x" * 43, "code_challenge_method": "plain"},
    )
    assert parse_qs(urlsplit(plain.headers["location"]).query)["error"] == ["invalid_request"]

    password_grant = httpx.post(
        realm.token_endpoint,
        data={
            "grant_type": "password",
            "client_id": "lgnet-web",
            "username": "intake.aurora",
            "password": DEMO_PASSWORD,
        },
    )
    assert password_grant.status_code in (400, 401)
    assert password_grant.json()["error"] == "unauthorized_client"


def test_browser_login_with_pkce_gives_the_same_claims(realm: Realm) -> None:
    """What a front-end does: authorization code + PKCE S256, login form, code exchange."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    redirect_uri = "http://localhost:5173/callback"
    with httpx.Client() as browser:
        login_page = browser.get(
            realm.authorization_endpoint,
            params={
                "client_id": "lgnet-web",
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": "openid",
                "state": "s1",
                "code_challenge": challenge.decode(),
                "code_challenge_method": "S256",
            },
        )
        assert login_page.status_code == 200
        # with organisations enabled the login is identity-first: username, then password
        password_page = _submit_login_form(browser, login_page, username="caseworker.ponte")
        submitted = _submit_login_form(browser, password_page, password=DEMO_PASSWORD)
        assert submitted.status_code == 302, submitted.text[:500]
        query = parse_qs(urlsplit(submitted.headers["location"]).query)
        assert query["state"] == ["s1"]
        token = realm.token(
            grant_type="authorization_code",
            client_id="lgnet-web",
            code=query["code"][0],
            redirect_uri=redirect_uri,
            code_verifier=verifier,
        )
    claims = realm.verify(token)
    assert claims["azp"] == "lgnet-web"
    assert claims["preferred_username"] == "caseworker.ponte"
    assert set(claims["realm_access"]["roles"]) == {"case-worker"}
    assert claims["organization"] == ["assoc-ponte"]


def _submit_login_form(
    browser: httpx.Client, page: httpx.Response, **fields: str
) -> httpx.Response:
    match = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    assert match, f"no login form in {page.text[:300]}"
    # Keycloak's cookies are "Secure"; browsers send them to http://127.0.0.1 (a secure
    # context) but httpx's cookie jar does not, so they are sent by hand
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    return browser.post(html.unescape(match.group(1)), data=fields, headers={"Cookie": cookies})


@pytest.fixture
def partner_alias(admin: KeycloakAdmin) -> Iterator[str]:
    """A fresh partner alias; the partner is removed afterwards (the realm stays as imported)."""
    alias = f"test-{uuid.uuid4().hex[:8]}"
    yield alias
    for org in admin.get_organizations():
        if org.get("alias") == alias:
            for member in admin.get_organization_members(org["id"]):
                if not member["username"].startswith("service-account-"):
                    admin.delete_user(member["id"])
            admin.delete_organization(org["id"])
    client_uuid = admin.get_client_id(f"partner-{alias}")
    if client_uuid:
        admin.delete_client(client_uuid)


def test_provisioned_partner_works_and_provisioning_is_idempotent(
    admin: KeycloakAdmin, realm: Realm, partner_alias: str
) -> None:
    alias = partner_alias
    users: list[PartnerUserIn | str] = [
        PartnerUserIn(f"intake.{alias}", ("intake-operator",)),
        f"worker.{alias}:case-worker,case-supervisor",
    ]
    first = provision_partner(admin, alias=alias, name="Cooperativa di Prova", users=users)

    system = realm.verify(realm.system_token(first.client_id, first.client_secret))
    assert system["organization"] == [alias]
    assert set(system["realm_access"]["roles"]) == {"intake-operator", "case-worker"}
    assert API_AUDIENCE in _audiences(system)

    worker = first.user(f"worker.{alias}")
    assert worker.password is not None  # a new user gets a generated password
    person = realm.verify(realm.user_token(worker.username, worker.password))
    assert person["organization"] == [alias]
    assert set(person["realm_access"]["roles"]) == {"case-worker", "case-supervisor"}
    # a provisioned partner's tokens look exactly like the demo partners'
    demo = realm.verify(realm.system_token("partner-coop-aurora", "local-only-coop-aurora-secret"))
    assert set(system) == set(demo)

    again = provision_partner(admin, alias=alias, name="Cooperativa di Prova", users=users)
    assert _same_partner(first, again)
    assert all(u.password is None for u in again.users)  # existing passwords untouched
    assert realm.verify(realm.user_token(worker.username, worker.password))["organization"] == [
        alias
    ]
    assert len([o for o in admin.get_organizations() if o["alias"] == alias]) == 1
    org_members = admin.get_organization_members(first.organization_id)
    assert {m["username"] for m in org_members} == {
        f"intake.{alias}",
        f"worker.{alias}",
        f"service-account-partner-{alias}",
    }


def test_provisioning_refuses_an_account_of_another_organisation(
    admin: KeycloakAdmin, partner_alias: str
) -> None:
    with pytest.raises(ProvisioningError, match="already belongs to coop-aurora"):
        provision_partner(
            admin, alias=partner_alias, name="Prova", users=("intake.aurora:intake-operator",)
        )


def test_provisioning_refuses_comune_roles_to_partners(
    admin: KeycloakAdmin, partner_alias: str
) -> None:
    with pytest.raises(ProvisioningError, match="Comune role"):
        provision_partner(
            admin, alias=partner_alias, name="Prova", users=(f"x.{partner_alias}:coordinator",)
        )
    assert not [o for o in admin.get_organizations() if o["alias"] == partner_alias]


def _same_partner(a: ProvisionedPartner, b: ProvisionedPartner) -> bool:
    return (
        a.organization_id == b.organization_id
        and a.client_secret == b.client_secret
        and a.service_account_id == b.service_account_id
        and [(u.username, u.user_id) for u in a.users] == [(u.username, u.user_id) for u in b.users]
    )
