"""The route table, the token bucket and the settings: pure, no app."""

from __future__ import annotations

import pytest

from gateway.ratelimit import TokenBucketLimiter
from gateway.routes import ROUTES, match_route, services
from gateway.settings import GatewaySettings
from kit.auth import Role


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/intake", "intake"),
        ("/v1/intake/referrals/1", "intake"),
        ("/v1/casework/cases", "casework"),
        ("/v1/casework/directory/services", "casework"),
        ("/v1/housing/placements", "housing"),
        ("/v1/initiatives", "events"),
        ("/v1/initiatives/1/sessions", "events"),
        ("/v1/observatory/indicators", "observatory"),
        ("/v1/audit/entries", "audit"),
        ("/v1/intake/audit/verify", "intake"),
        ("/v1/intakes", None),
        ("/v1", None),
        ("/healthz", None),
    ],
)
def test_prefixes_match_whole_segments(path: str, service: str | None) -> None:
    rule = match_route(path)
    assert (rule.service if rule else None) == service


def test_every_rule_names_only_realm_roles_and_auditors_read_only_the_audit_log() -> None:
    realm_roles = {str(role) for role in Role}
    for rule in ROUTES:
        assert rule.read | rule.write <= realm_roles, rule.prefix
        assert rule.write <= rule.read, f"{rule.prefix}: who may write may read"
        audit_log = rule.service == "audit" or rule.prefix.endswith("/audit")
        assert (Role.AUDITOR in rule.read) == audit_log, rule.prefix
        assert not (audit_log and rule.write), f"{rule.prefix}: the audit log is append-only"
        assert not audit_log or rule.read == {Role.AUDITOR}, f"{rule.prefix}: auditors only"
    assert services() == ("intake", "casework", "housing", "events", "observatory", "audit")


def test_only_auditors_reach_a_services_audit_log() -> None:
    rule = match_route("/v1/intake/audit")
    assert rule is not None
    assert rule.allows("GET", {"auditor"})
    assert not rule.allows("GET", {"coordinator", "intake-operator"})
    assert not rule.allows("POST", {"auditor"})


def test_every_role_but_auditors_reads_the_directory_and_supervisors_keep_it() -> None:
    rule = match_route("/v1/casework/directory/services/1")
    assert rule is not None
    assert rule.prefix == "/v1/casework/directory"
    for role in Role:
        assert rule.allows("GET", {role}) is (role is not Role.AUDITOR), role
    assert rule.write == {Role.CASE_SUPERVISOR, Role.COORDINATOR}
    assert not rule.allows("PUT", {Role.CASE_WORKER})


def test_unknown_methods_are_allowed_to_nobody() -> None:
    rule = match_route("/v1/intake/referrals")
    assert rule is not None
    assert not rule.allows("TRACE", {str(role) for role in Role})
    assert rule.allows("HEAD", {"intake-operator"})


def test_a_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.acquire("a").allowed for _ in range(4)] == [True, True, True, False]
    refused = limiter.acquire("a")
    assert refused.retry_after == pytest.approx(0.5)
    assert refused.retry_after_header == "1"
    now[0] += 0.5
    assert limiter.acquire("a").allowed
    assert not limiter.acquire("a").allowed
    now[0] += 100  # refills up to the burst, not beyond
    assert [limiter.acquire("a").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.acquire("b").allowed  # another client has its own bucket


def test_the_limiter_keeps_a_bounded_number_of_buckets() -> None:
    limiter = TokenBucketLimiter(rate=1.0, burst=1, max_clients=2, clock=lambda: 0.0)
    for key in ("a", "b", "c"):
        assert limiter.acquire(key).allowed
    assert len(limiter) == 2
    assert limiter.acquire("a").allowed  # "a" was dropped as least recently used: full again
    assert not limiter.acquire("c").allowed


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGNET_GATEWAY_UPSTREAM_HOUSING", "http://housing:8000/")
    monkeypatch.setenv("LGNET_GATEWAY_CORS_ORIGINS", "https://a.example/, https://b.example")
    monkeypatch.setenv("LGNET_KEYCLOAK_ISSUER", "https://sso.example/realms/lgnet")
    settings = GatewaySettings()
    assert settings.upstreams()["housing"] == "http://housing:8000"
    assert settings.upstreams()["intake"] == "http://127.0.0.1:8101"
    assert "audit" not in settings.upstreams()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.common.keycloak_issuer == "https://sso.example/realms/lgnet"
    monkeypatch.setenv("LGNET_GATEWAY_CORS_ORIGINS", '["https://c.example"]')
    assert GatewaySettings().cors_origins == ["https://c.example"]


def test_default_cors_origins_are_the_local_front_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LGNET_GATEWAY_CORS_ORIGINS", raising=False)
    assert "http://localhost:5173" in GatewaySettings().cors_origins
