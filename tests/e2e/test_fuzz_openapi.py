"""Schemathesis with every check against each service's own OpenAPI and the gateway's merged one.

As a Comune coordinator with a real Keycloak token, on the running platform: every check
schemathesis has (`--checks all`: no server error, statuses, content types, headers and bodies
as documented, invalid data refused, valid data accepted, 405 with ``Allow`` for a method the
path does not have, auth not ignored…), on positive and negative data, in the examples,
coverage and fuzzing phases (`test_<target>_api`) and the stateful phase, which chains calls
through the links schemathesis infers (`test_<target>_api_stateful`). Plus one of ours: every
4xx is RFC 9457 problem+json. The gateway is fuzzed through one of its own with the rate limit
raised for the run, so a 429 never stands in for an answer.

The coverage phase (every boundary and every violation of every field, over a thousand cases
for a person) is most of the run's time, and its cases depend only on the operation's schema:
the services' documents get it, the gateway's merged one, whose operations are theirs, gets
the examples, fuzzing (with more examples) and stateful phases, which test what the gateway
adds — proxying headers, bodies and answers, and the merged document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import NoLinksFound

from deploy.local.realm import Realm
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from kit.settings import CommonSettings
from kit.testing.apps import serve_http
from kit.testing.platform import Platform

# intake's coverage phase alone takes minutes on a busy machine: more than the default 300 s
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

USER = "coordinator.comune"  # reads and writes in every service
MAX_EXAMPLES = 12  # per operation, fuzzing phase; the coverage phase adds its own cases
GATEWAY_MAX_EXAMPLES = 25  # the gateway has no coverage phase (see the module docstring)
STATEFUL_SCENARIOS = 15
STATEFUL_STEPS = 8


def _config(*, max_examples: int, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "max-examples": max_examples},
            "seed": 2026,
            "phases": {"coverage": {"enabled": coverage}},
            "checks": CHECKS,
        }
    )


CHECKS = {
    # 412: valid data, but a random If-Match never names the current version: the
    # precondition is state, which no schema can say (the operation declares it)
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429"]
    },
    # 428 Precondition Required (RFC 6585) is the answer to a missing If-Match
    "missing_required_header": {
        "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
    },
}
SERVICE_CONFIG = _config(max_examples=MAX_EXAMPLES, coverage=True)
GATEWAY_CONFIG = _config(max_examples=GATEWAY_MAX_EXAMPLES, coverage=False)

# Schema-valid requests the server must refuse, for rules JSON Schema cannot state (each says
# so in its parameter's or field's description): a value the server issued, a comparison
# with "now" or between two values, a reference to something that must exist. Only a
# positive-data rejection answered with exactly these problems is let go; every other failure,
# and these problems on any other check, still fail the run.
UNSTATABLE_PROBLEMS = {
    # a range of days (a facility's occupancy): `to` not before `from`, at most a year on
    "urn:lgnet:problem:invalid-date-range",
    # a cursor is the next_cursor of a page the server signed: any other string is 400
    "urn:lgnet:problem:invalid-cursor",
    # an indicator is broken down, or charted, only by what its catalogue entry allows (the
    # caseload, a stock, has no month; the initiatives' reach no target group)
    "urn:lgnet:problem:bad-breakdown",
    # from must come before to, and a breakdown's cohort span a year at most
    "urn:lgnet:problem:empty-cohort",
    "urn:lgnet:problem:cohort-too-long",
    # the monthly report is of a month begun: a well-formed month may lie in the future
    "urn:lgnet:problem:month-in-the-future",
    # an initiative's ends_on must not come before its starts_on
    "urn:lgnet:problem:initiative-ends-before-it-starts",
    # a consent is not given in the future, nor withdrawn before it was given or after now
    "urn:lgnet:problem:implausible-time",
    # persons named by id must exist and be visible to the caller
    "urn:lgnet:problem:unknown-person",
    "urn:lgnet:problem:unknown-household-member",
    # an Idempotency-Key names one request: the same key with another body is 422
    "urn:lgnet:problem:idempotency-key-reused",
    # the directory: a schedule's iCal fields make one rule, ages in order, entries named by id
    # exist, a referral's service is active and run by a network organisation
    "urn:lgnet:problem:invalid-schedule",
    "urn:lgnet:problem:invalid-age-range",
    "urn:lgnet:problem:unknown-directory-entry",
    "urn:lgnet:problem:service-not-taking-referrals",
}
UNSTATABLE_FIELD_CODES = {
    # 0001-01-01T00:00+02:01 is a JSON Schema date-time with no UTC instant (kit.schemas)
    "date_out_of_range",
    "date_in_future",  # a birth date, a first contact: not after now
    "date_implausible",  # a birth date before 1900
    # 8.0 for an integer: JSON Schema's integer includes it, a request body takes only the
    # literal 8 (kit.schemas.StrictInt; tests/unit/kit/test_schemas.py holds the rule)
    "int_type",
}


def _refused_for_an_unstatable_rule(response: Any) -> bool:
    try:
        problem = response.json()
    except ValueError:
        return False
    if not isinstance(problem, dict):
        return False
    if problem.get("type") in UNSTATABLE_PROBLEMS:
        return True
    errors = problem.get("errors") or []
    return (
        problem.get("type") == "urn:lgnet:problem:validation-failed"
        and all(isinstance(e, dict) and e.get("code") in UNSTATABLE_FIELD_CODES for e in errors)
        and bool(errors)
    )


def _keep_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis' `filter_failure` hook: drop only a positive-data rejection of a rule no
    schema can state (`UNSTATABLE_PROBLEMS`, `UNSTATABLE_FIELD_CODES`)."""
    rejected_positive = type(failure).__name__ == "RejectedPositiveData"
    return not (rejected_positive and _refused_for_an_unstatable_rule(response))


# HTTP's own framing and connection headers (RFC 9112 §6, RFC 9110 §7.6.1): the HTTP client
# and server set and read them, no API declares them. Negative data adds random headers, and a
# garbled Transfer-Encoding is refused by uvicorn's parser, with its own text/plain 400, before
# any app sees the request: that tests uvicorn, not our OpenAPI, so they are never sent.
FRAMING_HEADERS = frozenset(
    {"connection", "content-length", "host", "keep-alive", "te", "trailer"}
    | {"transfer-encoding", "upgrade"}
)


def _without_framing_headers(case: Any) -> None:
    """Drop `FRAMING_HEADERS` from a generated case, before it is sent."""
    if case.headers:
        case.headers = {
            name: value
            for name, value in case.headers.items()
            if name.lower() not in FRAMING_HEADERS
        }


def _headers_for(case: Any, platform: Platform) -> dict[str, str]:
    """The user's token, unless the case is negative data that left ``Authorization`` out on
    purpose: adding it back would send a request schemathesis does not know of."""
    data = case.meta.phase.data if case.meta is not None else None
    for mutation in getattr(data, "mutations", None) or ():
        # a removed required header names itself as the mutation's original value
        named = (mutation.parameter, mutation.original_value)
        if mutation.parameter_location == "header" and any(
            isinstance(n, str) and n.lower() == "authorization" for n in named
        ):
            return {}
    return platform.as_user(USER)


def _problem_on_client_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is RFC 9457 problem+json (content_type_conformance only checks what is
    declared, and schemathesis' probes reach statuses no operation declares, such as 405)."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])
        first = content_type[0] if isinstance(content_type, list) else content_type
        assert first.startswith("application/problem+json"), (
            f"{response.status_code} answered with {first!r}, not problem+json"
        )
    return None


@pytest.fixture(scope="module")
def fuzzed_gateway(platform: Platform, realm: Realm) -> Iterator[str]:
    """A gateway in front of the platform's services, with a rate limit no fuzz run reaches."""
    upstreams: dict[str, Any] = {
        f"upstream_{name}": url for name, url in platform.stack.service_urls.items()
    }
    settings = GatewaySettings(
        **upstreams,
        rate_limit_per_second=1_000_000,
        rate_limit_burst=1_000_000,
        json_logs=False,
        common=CommonSettings(keycloak_issuer=realm.issuer),
    )
    with serve_http(create_gateway(settings)) as url:
        yield url


def _fuzzed(target: str) -> tuple[Any, Any, Any]:
    """The module-scoped fixture ``<target>_api`` (``target``'s OpenAPI, loaded from it running:
    a service's own, or the gateway's merged document), the stateless test and the stateful
    test of every operation in it."""

    @pytest.fixture(scope="module", name=f"{target}_api")
    def schema(request: pytest.FixtureRequest, platform: Platform) -> Any:
        if target == "gateway":
            base, config = request.getfixturevalue("fuzzed_gateway"), GATEWAY_CONFIG
        else:
            base, config = platform.service(target), SERVICE_CONFIG
        api = schemathesis.openapi.from_url(f"{base}/openapi.json", config=config)
        api.hook("filter_failure")(_keep_failure)
        return api

    @schemathesis.pytest.from_fixture(f"{target}_api").parametrize()
    def test(case: Any, platform: Platform) -> None:
        _without_framing_headers(case)
        case.call_and_validate(
            headers=_headers_for(case, platform), additional_checks=[_problem_on_client_errors]
        )

    def test_stateful(request: pytest.FixtureRequest, platform: Platform) -> None:
        api = request.getfixturevalue(f"{target}_api")
        try:
            machine = api.as_state_machine()
        except NoLinksFound:
            pytest.skip(f"{target}: no operation feeds another (nothing to chain)")

        class Scenario(machine):  # type: ignore[misc,valid-type]
            def before_call(self, case: Any) -> None:
                _without_framing_headers(case)
                super().before_call(case)

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"headers": _headers_for(case, platform)}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                super().validate_response(
                    response, case, additional_checks=[_problem_on_client_errors], **kwargs
                )

        settings = hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        try:
            Scenario.run(settings=settings)
        except NoLinksFound:  # raised when the machine first runs, too
            pytest.skip(f"{target}: no operation feeds another (nothing to chain)")

    return schema, test, test_stateful


intake_api, test_intake_api, test_intake_api_stateful = _fuzzed("intake")
casework_api, test_casework_api, test_casework_api_stateful = _fuzzed("casework")
housing_api, test_housing_api, test_housing_api_stateful = _fuzzed("housing")
events_api, test_events_api, test_events_api_stateful = _fuzzed("events")
observatory_api, test_observatory_api, test_observatory_api_stateful = _fuzzed("observatory")
gateway_api, test_gateway_api, test_gateway_api_stateful = _fuzzed("gateway")
