"""TokenVerifier: every rejection case, leeway bounds, the algorithm attacks.

The claim cases use tokens signed by the key the verifier trusts, so only the claim check can be
what rejects them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from kit.auth import InvalidToken, JWKSUnavailable, TokenVerifier
from kit.testing.tokens import (
    REMOVE,
    LocalIssuer,
    alg_none,
    b64url,
    generate_rsa_key,
    hs256_with_public_key,
    public_jwk,
    resign,
    tamper_payload,
    unknown_kid,
)


async def rejection(verifier: TokenVerifier, token: str) -> str:
    """The reason the verifier gives for rejecting ``token`` (fails if it accepts it)."""
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    reason = caught.value.reason
    for part in token.split("."):
        assert len(part) < 3 or part not in str(caught.value)
    return reason


def offset_clock(seconds: float) -> Callable[[], float]:
    return lambda: time.time() + seconds


async def test_a_valid_token_is_accepted(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    claims = await verifier.verify(local_issuer.token())
    assert claims["preferred_username"] == "alice"
    assert claims["iss"] == local_issuer.issuer


async def test_an_audience_given_as_a_string_is_accepted(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    assert await verifier.verify(local_issuer.token(aud="lgnet-api"))


# --- claims ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": -15}, "token has expired"),  # leeway is 10 s
        ({"nbf": +15}, "token is not yet valid"),
        ({"iat": +15}, "token is not yet valid"),
    ],
)
async def test_time_claims_beyond_the_leeway_are_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, changes: dict[str, int], reason: str
) -> None:
    now = int(time.time())
    token = local_issuer.token(**{name: now + delta for name, delta in changes.items()})
    assert await rejection(verifier, token) == reason


@pytest.mark.parametrize("changes", [{"exp": -5}, {"nbf": +5}, {"iat": +5}])
async def test_time_claims_within_the_leeway_are_accepted(
    verifier: TokenVerifier, local_issuer: LocalIssuer, changes: dict[str, int]
) -> None:
    now = int(time.time())
    assert await verifier.verify(
        local_issuer.token(**{name: now + delta for name, delta in changes.items()})
    )


async def test_the_verifier_clock_decides_expiry_and_validity(local_issuer: LocalIssuer) -> None:
    """What the integration tests do with a genuine Keycloak token: move the verifier in time."""
    token = local_issuer.token()  # valid for 300 s
    ahead = local_issuer.verifier(clock=offset_clock(300 + 15))
    behind = local_issuer.verifier(clock=offset_clock(-15))
    assert await rejection(ahead, token) == "token has expired"
    assert await rejection(behind, token) == "token is not yet valid"


@pytest.mark.parametrize("value", ["9999999999", True, None, [1], {"at": 1}])
async def test_a_non_numeric_exp_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, value: Any
) -> None:
    token = local_issuer.token(exp=value)
    reason = await rejection(verifier, token)
    assert "exp" in reason or reason == "token is malformed"


@pytest.mark.parametrize("aud", ["another-api", ["account"], ["lgnet-api-x"], [], 42])
async def test_a_wrong_audience_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, aud: Any
) -> None:
    reason = await rejection(verifier, local_issuer.token(aud=aud))
    assert reason in {"token is not for this audience", "token lacks the 'aud' claim"}


@pytest.mark.parametrize(
    "iss",
    [
        "https://keycloak.test/realms/other",
        "https://keycloak.test/realms/lgnet/",
        "https://keycloak.test/realms/lgnet-evil",
        "https://keycloak.test/realms/lgne",
        "http://keycloak.test/realms/lgnet",
    ],
)
async def test_a_wrong_issuer_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, iss: str
) -> None:
    assert await rejection(verifier, local_issuer.token(iss=iss)) == "token is from another issuer"


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
async def test_a_missing_required_claim_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, claim: str
) -> None:
    reason = await rejection(verifier, local_issuer.token(**{claim: REMOVE}))
    assert reason == f"token lacks the {claim!r} claim"


@pytest.mark.parametrize("typ", ["ID", "Refresh", "Logout", REMOVE])
async def test_tokens_other_than_access_tokens_are_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, typ: Any
) -> None:
    reason = await rejection(verifier, local_issuer.token(typ=typ))
    assert reason == "token is not an access token"


# --- signature and algorithm attacks -----------------------------------------------------


async def test_alg_none_is_rejected(verifier: TokenVerifier, local_issuer: LocalIssuer) -> None:
    token = alg_none(local_issuer.token())
    assert token.endswith(".")
    assert await rejection(verifier, token) == "token signing algorithm is not allowed"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "", None])
async def test_every_spelling_of_no_algorithm_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, alg: Any
) -> None:
    genuine = local_issuer.token()
    header = b64url(json.dumps({"alg": alg, "kid": local_issuer.kid}).encode())
    token = f"{header}.{genuine.split('.')[1]}."
    assert await rejection(verifier, token) == "token signing algorithm is not allowed"


@pytest.mark.parametrize("form", ["pem", "der", "jwk"])
async def test_hs256_signed_with_the_public_key_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer, form: str
) -> None:
    token = hs256_with_public_key(local_issuer.token(), local_issuer.jwk(), form=form)
    assert await rejection(verifier, token) == "token signing algorithm is not allowed"


async def test_a_verifier_cannot_be_configured_with_hmac_or_none() -> None:
    issuer = LocalIssuer(key=generate_rsa_key())
    for algorithms in (["HS256"], ["RS256", "HS512"], ["none"], []):
        with pytest.raises(ValueError, match="algorithm"):
            issuer.verifier(algorithms=algorithms)


async def test_an_algorithm_outside_the_allow_list_is_rejected(local_issuer: LocalIssuer) -> None:
    local_issuer.published = [public_jwk(local_issuer.key, local_issuer.kid, alg=None)]
    only_rs256 = local_issuer.verifier(algorithms=["RS256"])
    token = local_issuer.sign(local_issuer.claims(), alg="RS512")
    assert await rejection(only_rs256, token) == "token signing algorithm is not allowed"


async def test_a_key_declaring_rs256_does_not_verify_ps256(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    token = local_issuer.sign(local_issuer.claims(), alg="PS256")
    reason = await rejection(verifier, token)
    assert reason == "token signing key or algorithm is not acceptable"


async def test_ps256_is_accepted_with_a_key_declaring_no_algorithm(
    local_issuer: LocalIssuer,
) -> None:
    local_issuer.published = [public_jwk(local_issuer.key, local_issuer.kid, alg=None)]
    token = local_issuer.sign(local_issuer.claims(), alg="PS256")
    assert await local_issuer.verifier().verify(token)


async def test_es256_tokens_are_verified_with_the_ec_key(local_issuer: LocalIssuer) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {
        **ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True),
        "kid": "ec-1",
        "alg": "ES256",
    }
    local_issuer.published = [local_issuer.jwk(), ec_jwk]
    verifier = local_issuer.verifier()
    claims = local_issuer.claims()

    good = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert await verifier.verify(good)
    # an RS256 header naming the EC key, and an ES256 header naming the RSA key
    rs_on_ec = resign(claims, local_issuer.key, "ec-1")
    es_on_rsa = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": local_issuer.kid})
    for token in (rs_on_ec, es_on_rsa):
        reason = await rejection(verifier, token)
        assert reason == "token signing key or algorithm is not acceptable"


async def test_an_unknown_kid_is_rejected_after_one_jwks_refetch(
    local_issuer: LocalIssuer,
) -> None:
    monotonic = [0.0]
    verifier = local_issuer.verifier(jwks=local_issuer.jwks_cache(clock=lambda: monotonic[0]))
    genuine = local_issuer.token()
    await verifier.verify(genuine)
    assert local_issuer.jwks_fetches == 1
    monotonic[0] += 60  # keys cached a minute ago: an unknown kid may refetch them, once
    for _ in range(20):
        assert await rejection(verifier, unknown_kid(genuine)) == "token signing key is unknown"
    assert local_issuer.jwks_fetches == 2


async def test_a_token_without_kid_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    token = jwt.encode(local_issuer.claims(), local_issuer.key, algorithm="RS256")
    assert await rejection(verifier, token) == "token names no signing key"


async def test_a_tampered_payload_is_rejected(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    token = tamper_payload(
        local_issuer.token(), realm_access={"roles": ["coordinator"]}, organization=["comune"]
    )
    assert await rejection(verifier, token) == "token signature is invalid"


async def test_a_key_embedded_in_the_header_is_ignored(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    attacker = generate_rsa_key()
    token = resign(
        local_issuer.claims(),
        attacker,
        local_issuer.kid,
        headers={"jwk": public_jwk(attacker, local_issuer.kid), "jku": "https://evil.test/"},
    )
    assert await rejection(verifier, token) == "token signature is invalid"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # forging with it
async def test_a_key_shorter_than_2048_bits_is_never_used(local_issuer: LocalIssuer) -> None:
    weak = generate_rsa_key(1024)
    local_issuer.published = [public_jwk(weak, "weak"), local_issuer.jwk()]
    token = resign(local_issuer.claims(), weak, "weak")
    assert await rejection(local_issuer.verifier(), token) == "token signing key is unknown"


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b", "a.b.c.d", "e30.e30.", "!!!.e30.sig", "x" * 20_000 + ".e30.sig"],
)
async def test_malformed_tokens_are_rejected(verifier: TokenVerifier, token: str) -> None:
    reason = await rejection(verifier, token)
    assert reason in {"token is malformed", "token signing algorithm is not allowed"}


async def test_unavailable_keys_are_not_blamed_on_the_token(local_issuer: LocalIssuer) -> None:
    local_issuer.up = False
    with pytest.raises(JWKSUnavailable):
        await local_issuer.verifier().verify(local_issuer.token())


# --- configuration -----------------------------------------------------------------------


@pytest.mark.parametrize("leeway", [31, -1, timedelta(minutes=1)])
def test_leeway_is_bounded_to_30_seconds(local_issuer: LocalIssuer, leeway: Any) -> None:
    with pytest.raises(ValueError, match="leeway"):
        local_issuer.verifier(leeway=leeway)


async def test_zero_leeway_rejects_a_token_expired_a_second_ago(
    local_issuer: LocalIssuer,
) -> None:
    strict = local_issuer.verifier(leeway=timedelta(0))
    token = local_issuer.token(exp=int(time.time()) - 1)
    assert await rejection(strict, token) == "token has expired"


# --- remembered tokens ---------------------------------------------------------------------


async def test_a_remembered_token_still_expires(local_issuer: LocalIssuer) -> None:
    now = [time.time()]
    verifier = local_issuer.verifier(clock=lambda: now[0])
    token = local_issuer.token()
    assert await verifier.verify(token) == await verifier.verify(token)
    now[0] += local_issuer.lifetime + 15
    assert await rejection(verifier, token) == "token has expired"


async def test_a_remembered_token_is_refused_once_its_key_leaves_the_jwks(
    local_issuer: LocalIssuer,
) -> None:
    monotonic = [0.0]
    verifier = local_issuer.verifier(jwks=local_issuer.jwks_cache(clock=lambda: monotonic[0]))
    token = local_issuer.token()
    await verifier.verify(token)
    local_issuer.published = [public_jwk(generate_rsa_key(), "rotated")]
    monotonic[0] += 301  # the JWKS is refreshed after its TTL: the old key is gone
    assert await rejection(verifier, token) == "token signing key is unknown"


async def test_a_remembered_token_lends_nothing_to_its_forgeries(
    verifier: TokenVerifier, local_issuer: LocalIssuer
) -> None:
    token = local_issuer.token()
    await verifier.verify(token)
    escalated = tamper_payload(token, realm_access={"roles": ["coordinator"]})
    assert await rejection(verifier, escalated) == "token signature is invalid"
    claims = await verifier.verify(token)
    claims["realm_access"] = {"roles": ["coordinator"]}  # a caller's change stays its own
    assert (await verifier.verify(token))["realm_access"] != claims["realm_access"]
