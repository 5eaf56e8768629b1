"""Principal: the organisation claim's shapes, roles, service accounts, coordinators."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from kit.auth import InvalidToken, OrganisationError, Principal, Role
from kit.testing.tokens import REMOVE, LocalIssuer


@pytest.fixture
def issuer(local_issuer: LocalIssuer) -> LocalIssuer:
    return local_issuer


def principal(issuer: LocalIssuer, **changes: Any) -> Principal:
    return Principal.from_claims(issuer.claims(**changes))


@pytest.mark.parametrize(
    "claim",
    [
        ["coop-aurora"],  # default: list of aliases
        {"coop-aurora": {}},  # JSON type
        {"coop-aurora": {"id": "0b5c…", "city": ["Milano"]}},  # with id and attributes
        "coop-aurora",  # single-valued mapper
        ["coop-aurora", "coop-aurora"],
    ],
)
def test_every_shape_of_the_organisation_claim_is_read(issuer: LocalIssuer, claim: Any) -> None:
    assert principal(issuer, organization=claim).organisation == "coop-aurora"


@pytest.mark.parametrize("claim", [REMOVE, None, [], {}])
def test_a_token_without_organisation_is_refused(issuer: LocalIssuer, claim: Any) -> None:
    with pytest.raises(OrganisationError, match="no organisation"):
        principal(issuer, organization=claim)


@pytest.mark.parametrize(
    "claim", [["coop-aurora", "comune-milano"], {"coop-aurora": {}, "comune-milano": {}}]
)
def test_a_token_with_several_organisations_is_refused(issuer: LocalIssuer, claim: Any) -> None:
    with pytest.raises(OrganisationError, match="several organisations"):
        principal(issuer, organization=claim)


@pytest.mark.parametrize("claim", [42, [42], [""], "", [["coop-aurora"]]])
def test_a_malformed_organisation_claim_is_an_invalid_token(
    issuer: LocalIssuer, claim: Any
) -> None:
    with pytest.raises(InvalidToken, match="organization"):
        principal(issuer, organization=claim)


def test_malformed_claims_are_reported_before_a_missing_organisation(
    issuer: LocalIssuer,
) -> None:
    with pytest.raises(InvalidToken):
        principal(issuer, organization=REMOVE, azp=REMOVE)


def test_a_person_is_read_from_the_claims(issuer: LocalIssuer) -> None:
    claims = issuer.claims(username="bruno", roles=("case-worker", "case-supervisor"))
    person = Principal.from_claims(claims)
    assert person.subject == claims["sub"]
    assert person.username == "bruno"
    assert person.client_id == "lgnet-web"
    assert person.token_id == claims["jti"]
    assert person.organisation == "coop-aurora"
    assert not person.is_service_account
    assert not person.is_coordinator


def test_keycloak_default_roles_are_dropped(issuer: LocalIssuer) -> None:
    person = principal(issuer, roles=("case-worker",))
    assert person.roles == frozenset({"case-worker"})


@pytest.mark.parametrize("realm_access", [REMOVE, {}, {"roles": []}])
def test_no_realm_roles_means_no_roles(issuer: LocalIssuer, realm_access: Any) -> None:
    assert principal(issuer, realm_access=realm_access).roles == frozenset()


@pytest.mark.parametrize("realm_access", [[], {"roles": "coordinator"}, {"roles": [1]}])
def test_malformed_realm_roles_are_an_invalid_token(issuer: LocalIssuer, realm_access: Any) -> None:
    with pytest.raises(InvalidToken, match="realm_access"):
        principal(issuer, realm_access=realm_access)


@pytest.mark.parametrize("claim", ["sub", "preferred_username", "azp"])
def test_a_missing_identity_claim_is_an_invalid_token(issuer: LocalIssuer, claim: str) -> None:
    with pytest.raises(InvalidToken, match=claim):
        principal(issuer, **{claim: REMOVE})


def test_a_missing_jti_leaves_no_token_id(issuer: LocalIssuer) -> None:
    assert principal(issuer, jti=REMOVE).token_id is None


@pytest.mark.parametrize("client_id", ["partner-coop-aurora", "Partner-Coop-Aurora"])
def test_a_service_account_is_recognised(issuer: LocalIssuer, client_id: str) -> None:
    system = Principal.from_claims(issuer.service_account_claims(client_id))
    assert system.is_service_account
    assert system.client_id == client_id


@pytest.mark.parametrize(
    ("username", "client_id"),
    [
        ("service-account-partner-x", "lgnet-web"),  # a person who chose such a username
        ("service-account-partner-x", "partner-y"),  # another client's service account name
        ("alice", "partner-x"),
    ],
)
def test_only_the_clients_own_service_account_counts(
    issuer: LocalIssuer, username: str, client_id: str
) -> None:
    assert not principal(issuer, username=username, client_id=client_id).is_service_account


def test_a_coordinator_is_whoever_holds_the_coordinator_role(issuer: LocalIssuer) -> None:
    assert principal(issuer, organisation="comune-milano", roles=("coordinator",)).is_coordinator
    assert not principal(issuer, organisation="comune-milano", roles=()).is_coordinator


def test_has_role_is_true_for_any_of_the_roles(issuer: LocalIssuer) -> None:
    person = principal(issuer, roles=("case-worker",))
    assert person.has_role("case-worker")
    assert person.has_role(Role.COORDINATOR, Role.CASE_WORKER)
    assert not person.has_role("coordinator", "auditor")
    assert not person.has_role()
    assert not person.has_role("offline_access")


def test_a_principal_is_immutable(issuer: LocalIssuer) -> None:
    person = principal(issuer)
    with pytest.raises(FrozenInstanceError):
        person.organisation = "comune-milano"  # type: ignore[misc]
