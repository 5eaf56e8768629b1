"""The gateway in front of fake upstreams: what a client and a service see of each request."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from opentelemetry.trace import SpanKind

from kit.logs import JsonFormatter
from kit.testing.upstream import CORS_PREFLIGHT, GatewayFactory, Harness, assert_preflight_allowed

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["type"] == f"urn:lgnet:problem:{slug}"
    assert body["status"] == status
    return body


async def test_a_valid_token_is_proxied_to_the_service_of_the_prefix(gw: Harness) -> None:
    headers = gw.auth("intake-operator")
    response = await gw.client.get("/v1/intake/referrals?municipio=3&q=a%20b", headers=headers)

    assert response.status_code == 200
    assert response.json()["service"] == "intake"
    seen = gw.upstreams["intake"].last
    assert seen.path == "/v1/intake/referrals"
    assert seen.query == "municipio=3&q=a%20b"
    assert seen.header("authorization") == headers["Authorization"]  # unchanged: zero trust
    assert not gw.upstreams["casework"].received


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/intake/persons", "intake"),
        ("/v1/casework/cases", "casework"),
        ("/v1/housing/facilities", "housing"),
        ("/v1/initiatives", "events"),
        ("/v1/initiatives/0d5c/sessions", "events"),
        ("/v1/observatory/indicators", "observatory"),
    ],
)
async def test_each_prefix_goes_to_its_service(gw: Harness, path: str, service: str) -> None:
    response = await gw.client.get(path, headers=gw.auth("coordinator", "platform-admin"))
    assert response.status_code == 200, response.text
    assert response.json()["service"] == service


async def test_write_bodies_reach_the_service(gw: Harness) -> None:
    body = b'{"channel": "mobile_unit"}'
    response = await gw.client.post(
        "/v1/intake/referrals",
        content=body,
        headers={**gw.auth("intake-operator"), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    seen = gw.upstreams["intake"].last
    assert (seen.method, seen.body) == ("POST", body)
    assert seen.header("content-type") == "application/json"


async def test_a_header_with_octets_above_ascii_reaches_the_service_as_sent(gw: Harness) -> None:
    # HTTP lets a field value hold any octet above 0x7F: the service judges it, the gateway
    # only passes it on (it answered 500 when httpx could not encode it as ASCII)
    headers = [
        (name.encode(), value.encode()) for name, value in gw.auth("intake-operator").items()
    ]
    headers += [(b"content-type", b"application/json"), (b"idempotency-key", b"cl\xe9-\xff")]
    response = await gw.client.post("/v1/intake/referrals", content=b"{}", headers=headers)
    assert response.status_code == 200, response.text
    assert gw.upstreams["intake"].last.header("idempotency-key") == "cl\xe9-\xff"


async def test_white_space_around_a_header_value_is_not_forwarded(gw: Harness) -> None:
    # not part of the value (RFC 9110 §5.5), and httpx refuses to send it (it answered 502)
    headers = [
        (name.encode(), value.encode()) for name, value in gw.auth("intake-operator").items()
    ]
    headers += [(b"if-match", b' "1"\t '), (b"x-end-to-end", b"a\tb ")]
    response = await gw.client.get("/v1/intake/referrals", headers=headers)
    assert response.status_code == 200, response.text
    seen = gw.upstreams["intake"].last
    assert (seen.header("if-match"), seen.header("x-end-to-end")) == ('"1"', "a\tb")


async def test_a_request_http_cannot_send_on_is_400_not_502(gw: Harness) -> None:
    gw.transport.failures["intake"] = httpx.LocalProtocolError
    response = await gw.client.get("/v1/intake/referrals", headers=gw.auth("intake-operator"))
    _problem(response, 400, "unforwardable-request")


@pytest.mark.parametrize("path", ["/", "/v2/intake/referrals", "/v1/intakes", "/v1/unknown/x"])
async def test_an_unknown_path_is_404_problem(gw: Harness, path: str) -> None:
    response = await gw.client.get(path, headers=gw.auth("coordinator"))
    _problem(response, 404, "not-found")


async def test_dot_segments_cannot_cross_prefixes(gw: Harness) -> None:
    # an analyst may read the observatory; "../intake" must not reach intake with that check
    response = await gw.client.get(
        "/v1/observatory/%2E%2E/intake/persons", headers=gw.auth("observatory-analyst")
    )
    _problem(response, 400, "bad-request")
    assert not any(u.received for u in gw.upstreams.values())


async def test_no_token_is_401_problem_with_www_authenticate(gw: Harness) -> None:
    response = await gw.client.get("/v1/intake/referrals")
    _problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert not gw.upstreams["intake"].received


async def test_a_bad_token_is_401_and_never_reaches_the_service(gw: Harness) -> None:
    expired = gw.issuer.token(exp=int(time.time()) - 3600)
    response = await gw.client.get(
        "/v1/intake/referrals", headers={"Authorization": f"Bearer {expired}"}
    )
    body = _problem(response, 401, "invalid-token")
    assert "expired" in str(body["detail"])
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert not gw.upstreams["intake"].received


@pytest.mark.parametrize(
    ("method", "path", "roles", "allowed"),
    [
        ("GET", "/v1/observatory/indicators", ("observatory-analyst",), True),
        ("GET", "/v1/intake/referrals", ("observatory-analyst",), False),
        ("GET", "/v1/casework/cases", ("intake-operator",), True),
        ("POST", "/v1/casework/cases", ("intake-operator",), False),
        ("GET", "/v1/initiatives", ("case-worker",), True),
        ("POST", "/v1/initiatives", ("intake-operator",), False),
        # case workers register beneficiaries (the service refuses them an initiative: 403)
        ("POST", "/v1/initiatives/0d5c/sessions/1e6d/registrations", ("case-worker",), True),
        ("POST", "/v1/initiatives", ("initiative-organizer",), True),
        ("POST", "/v1/housing/requests", ("case-worker",), True),
        ("GET", "/v1/housing/requests", ("initiative-organizer",), False),
        ("POST", "/v1/observatory/rebuild", ("observatory-analyst",), False),
        ("GET", "/v1/audit/entries", ("coordinator", "platform-admin"), False),
    ],
)
async def test_the_role_table_decides_per_prefix_and_method(
    gw: Harness, method: str, path: str, roles: tuple[str, ...], allowed: bool
) -> None:
    response = await gw.client.request(
        method, path, headers={**gw.auth(*roles), "Content-Type": "application/json"}, content=b"{}"
    )
    if allowed:
        assert response.status_code == 200, response.text
    else:
        body = _problem(response, 403, "role-required")
        assert "needs one of the roles" in str(body["detail"])
        assert not any(u.received for u in gw.upstreams.values())


async def test_audit_is_for_auditors_and_not_served_until_configured(gw: Harness) -> None:
    response = await gw.client.get("/v1/audit/entries", headers=gw.auth("auditor"))
    _problem(response, 404, "not-found")


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(rate_limit_burst=3, rate_limit_per_second=0.5) as gw:
        alice = gw.auth("case-worker", username="alice")
        answers = [
            (await gw.client.get("/v1/casework/cases", headers=alice)).status_code for _ in range(3)
        ]
        assert answers == [200, 200, 200]

        refused = await gw.client.get("/v1/casework/cases", headers=alice)
        _problem(refused, 429, "too-many-requests")
        assert refused.headers["retry-after"] == "2"  # one token at 0.5/s
        assert len(gw.upstreams["casework"].received) == 3

        # the bucket is per client: another person, or the same one through another client
        bob = gw.auth("case-worker", username="bob")
        assert (await gw.client.get("/v1/casework/cases", headers=bob)).status_code == 200
        cli = gw.auth("case-worker", username="alice", client_id="lgnet-cli")
        assert (await gw.client.get("/v1/casework/cases", headers=cli)).status_code == 200


async def test_a_sane_request_id_is_echoed_and_forwarded(gw: Harness) -> None:
    response = await gw.client.get(
        "/v1/intake/referrals",
        headers={**gw.auth("intake-operator"), "X-Request-ID": "mobile-unit-7:batch-42"},
    )
    assert response.headers["x-request-id"] == "mobile-unit-7:batch-42"
    assert gw.upstreams["intake"].last.header("x-request-id") == "mobile-unit-7:batch-42"


@pytest.mark.parametrize("incoming", [None, "has spaces", "x" * 200, "<script>"])
async def test_a_missing_or_insane_request_id_is_replaced(
    gw: Harness, incoming: str | None
) -> None:
    headers = gw.auth("intake-operator")
    if incoming is not None:
        headers["X-Request-ID"] = incoming
    response = await gw.client.get("/v1/intake/referrals", headers=headers)
    request_id = response.headers["x-request-id"]
    assert request_id != incoming
    assert len(request_id) == 32
    assert gw.upstreams["intake"].last.header("x-request-id") == request_id


async def test_problems_carry_the_request_id(gw: Harness) -> None:
    response = await gw.client.get("/v1/intake/x", headers={"X-Request-ID": "req-1"})
    assert _problem(response, 401, "unauthorized")["request_id"] == "req-1"


async def test_the_service_joins_the_callers_trace_under_the_gateways_spans(gw: Harness) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = await gw.client.get(
        "/v1/intake/referrals",
        headers={**gw.auth("intake-operator"), "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    assert response.status_code == 200
    traceparent = gw.upstreams["intake"].last.header("traceparent")
    assert traceparent is not None
    version, seen_trace, parent, flags = traceparent.split("-")
    assert (version, seen_trace, flags) == ("00", trace_id, "01")

    spans = {span.kind: span for span in gw.spans.get_finished_spans()}
    server, client = spans[SpanKind.SERVER], spans[SpanKind.CLIENT]
    assert server.name == "GET intake"
    assert format(server.context.trace_id, "032x") == trace_id
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert client.parent is not None
    assert client.parent.span_id == server.context.span_id
    assert parent == format(client.context.span_id, "016x")  # the service's parent: our CLIENT span
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200


async def test_without_a_traceparent_the_gateway_starts_the_trace(gw: Harness) -> None:
    await gw.client.get("/v1/intake/referrals", headers=gw.auth("intake-operator"))
    traceparent = gw.upstreams["intake"].last.header("traceparent")
    assert traceparent is not None
    (server,) = [s for s in gw.spans.get_finished_spans() if s.kind == SpanKind.SERVER]
    assert traceparent.split("-")[1] == format(server.context.trace_id, "032x")


async def test_hop_by_hop_headers_are_stripped_both_ways(gw: Harness) -> None:
    response = await gw.client.get(
        "/v1/intake/referrals",
        headers={
            **gw.auth("intake-operator"),
            "Connection": "keep-alive, X-Client-Hop",
            "X-Client-Hop": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "Upgrade": "websocket",
            "X-End-To-End": "kept",
        },
    )
    seen = gw.upstreams["intake"].last
    for name in ("x-client-hop", "keep-alive", "te", "proxy-authorization", "upgrade"):
        assert not seen.has_header(name), name
    assert seen.header("x-end-to-end") == "kept"
    assert seen.header("connection") in (None, "keep-alive")  # httpx's own, to the service

    for name in ("x-internal-hop", "proxy-authenticate", "access-control-allow-origin"):
        assert name not in response.headers, name
    assert response.headers["etag"] == '"v1"'
    assert response.headers.get_list("link") == ['</v1/next>; rel="next"', '</v1/prev>; rel="prev"']


@pytest.mark.parametrize(
    ("trusted", "incoming", "forwarded"),
    [
        pytest.param(
            False,
            {
                "X-Forwarded-For": "10.9.9.9",
                "X-Forwarded-Host": "evil.example",
                "Forwarded": "for=10.9.9.9",
            },
            {
                "x-forwarded-for": "203.0.113.7",
                "x-forwarded-proto": "http",
                "x-forwarded-host": "gateway.test",
                "forwarded": None,
            },
            id="set-and-incoming-ones-not-trusted",
        ),
        pytest.param(
            True,
            {
                "X-Forwarded-For": "198.51.100.1",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "api.lgnet.example",
            },
            {
                "x-forwarded-for": "198.51.100.1, 203.0.113.7",
                "x-forwarded-proto": "https",
                "x-forwarded-host": "api.lgnet.example",
            },
            id="behind-a-trusted-balancer-extended",
        ),
    ],
)
async def test_x_forwarded_headers(
    make_gateway: GatewayFactory,
    trusted: bool,
    incoming: dict[str, str],
    forwarded: dict[str, str | None],
) -> None:
    async with make_gateway(trust_forwarded_headers=trusted) as gw:
        await gw.client.get(
            "/v1/intake/referrals", headers={**gw.auth("intake-operator"), **incoming}
        )
        seen = gw.upstreams["intake"].last
    for name, value in forwarded.items():
        if value is None:
            assert not seen.has_header(name), name
        else:
            assert seen.header(name) == value, name


@pytest.mark.parametrize(
    ("failure", "status", "slug"),
    [
        (httpx.ConnectError, 502, "upstream-unavailable"),
        (httpx.ConnectTimeout, 502, "upstream-unavailable"),
        (httpx.RemoteProtocolError, 502, "upstream-unavailable"),
        (httpx.ReadTimeout, 504, "upstream-timeout"),
    ],
)
async def test_a_service_down_or_slow_is_a_problem_not_a_traceback(
    gw: Harness, failure: type[httpx.TransportError], status: int, slug: str
) -> None:
    gw.transport.failures["housing"] = failure
    response = await gw.client.get("/v1/housing/vacancies", headers=gw.auth("housing-coordinator"))
    body = _problem(response, status, slug)
    assert "housing" in str(body["detail"])
    assert "Traceback" not in response.text
    assert "simulated" not in response.text
    metrics = (await gw.client.get("/metrics")).text
    assert "lgnet_gateway_upstream_errors_total{kind=" in metrics


async def test_a_service_error_is_passed_through_as_is(gw: Harness) -> None:
    response = await gw.client.get(
        "/v1/housing/vacancies?status=409", headers=gw.auth("housing-coordinator")
    )
    assert response.status_code == 409
    assert response.json()["service"] == "housing"


async def test_cors_preflight_from_a_dev_origin(gw: Harness) -> None:
    response = await gw.client.options("/v1/intake/referrals", headers=CORS_PREFLIGHT)
    assert_preflight_allowed(response)
    assert not any(u.received for u in gw.upstreams.values())  # answered by the gateway


async def test_cors_preflight_from_an_unknown_origin_is_refused(gw: Harness) -> None:
    response = await gw.client.options(
        "/v1/intake/referrals",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_cors_headers_on_answers_and_problems(make_gateway: GatewayFactory) -> None:
    async with make_gateway(cors_origins="https://app.lgnet.example") as gw:
        origin = {"Origin": "https://app.lgnet.example"}
        ok = await gw.client.get(
            "/v1/intake/referrals", headers={**gw.auth("intake-operator"), **origin}
        )
        assert ok.headers["access-control-allow-origin"] == "https://app.lgnet.example"
        exposed = ok.headers["access-control-expose-headers"].lower()
        assert "x-request-id" in exposed
        assert "etag" in exposed
        # a front-end must be able to read a 401 too
        refused = await gw.client.get("/v1/intake/referrals", headers=origin)
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == "https://app.lgnet.example"


async def test_a_body_over_the_limit_is_413_problem(make_gateway: GatewayFactory) -> None:
    async with make_gateway(common={"max_body_bytes": 1024}) as gw:
        response = await gw.client.post(
            "/v1/intake/referrals",
            content=b"{" + b" " * 2048 + b"}",
            headers={**gw.auth("intake-operator"), "Content-Type": "application/json"},
        )
        _problem(response, 413, "payload-too-large")
        assert not gw.upstreams["intake"].received


async def test_healthz_and_readyz(gw: Harness) -> None:
    assert (await gw.client.get("/healthz")).json() == {"status": "ok"}
    ready = await gw.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "jwks": "ok",
        "intake": "ok",
        "casework": "ok",
        "housing": "ok",
        "events": "ok",
        "observatory": "ok",
    }


async def test_readyz_is_503_listing_what_is_not_ready(gw: Harness) -> None:
    gw.upstreams["casework"].ready = False
    gw.transport.failures["events"] = httpx.ConnectError
    gw.issuer.up = False  # keys already cached at start-up: still fine
    response = await gw.client.get("/readyz")
    body = _problem(response, 503, "not-ready")
    assert body["failing"] == ["casework", "events"]
    assert body["checks"] == {
        "jwks": "ok",
        "intake": "ok",
        "casework": "HTTP 503",
        "events": "unreachable",
        "housing": "ok",
        "observatory": "ok",
    }


async def test_metrics_count_requests_by_route_and_status(gw: Harness) -> None:
    await gw.client.get("/v1/observatory/indicators", headers=gw.auth("observatory-analyst"))
    await gw.client.get("/v1/observatory/indicators")
    text = (await gw.client.get("/metrics")).text
    # the platform-wide HTTP metric (kit.metrics), labelled with the service at the gateway
    counted = 'lgnet_http_request_seconds_count{method="GET",route="observatory",status="%s"}'
    assert counted % "200" in text
    assert counted % "401" in text
    assert (
        'lgnet_http_request_seconds_bucket{le="0.005",method="GET",route="observatory",status="200"}'
        in text
    )


async def test_docs_page_is_served(gw: Harness) -> None:
    response = await gw.client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/openapi.json" in response.text
    assert "swagger-ui" in response.text.lower()


async def test_the_access_log_has_ids_but_no_query_string_and_no_name(
    gw: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    response = await gw.client.get(
        "/v1/intake/persons?name=Mohamed&dob=2008-01-02",
        headers=gw.auth("intake-operator", username="mohamed.ali"),
    )
    (record,) = [r for r in caplog.records if r.name == "gateway.access"]
    line = JsonFormatter("gateway").format(record)
    for secret in ("Mohamed", "mohamed", "2008-01-02", "Bearer"):
        assert secret not in line
    assert f'"request_id": "{response.headers["x-request-id"]}"' in line
    assert '"path": "/v1/intake/persons"' in line
    assert '"route": "intake"' in line
