"""Every error a client can get is RFC 9457 problem+json, and none leaks internals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kit.errors import (
    PROBLEM_JSON,
    Conflict,
    NotFound,
    ProblemError,
    Unauthorized,
    install_problem_handlers,
    problem_responses,
)
from kit.logs import RequestIdMiddleware
from kit.openapi import document_problems
from kit.schemas import ClosedModel

Client = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


class ReferralAlreadyHandedOver(Conflict):
    slug = "referral-already-handed-over"
    title = "Referral already handed over"


class Member(ClosedModel):
    name: str
    age: int


class Household(ClosedModel):
    members: list[Member]


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    document_problems(app)
    app.add_middleware(RequestIdMiddleware)

    @app.post("/referrals/{referral_id}/hand-over", responses=problem_responses(404, 409))
    async def hand_over(referral_id: int) -> dict[str, str]:
        if referral_id == 404:
            raise NotFound("No such referral.")
        raise ReferralAlreadyHandedOver(
            "It was handed over yesterday.", extensions={"handed_over_to": "org-1"}
        )

    @app.get("/me")
    async def me() -> None:
        raise Unauthorized("A bearer token is required.")

    @app.post("/households", status_code=201)
    async def create(household: Household, limit: int = 10) -> dict[str, int]:
        return {"members": len(household.members)}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("password=hunter2 in a connection string")

    return app


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lgnet:problem:{slug}"
    assert body["status"] == status
    assert body["title"]
    return body


async def test_domain_error_carries_its_type_detail_extensions_and_request(client: Client) -> None:
    async with client(make_app()) as http:
        response = await http.post("/referrals/1/hand-over", headers={"X-Request-ID": "req-42"})
    body = assert_problem(response, 409, "referral-already-handed-over")
    assert body["title"] == "Referral already handed over"
    assert body["detail"] == "It was handed over yesterday."
    assert body["handed_over_to"] == "org-1"
    assert body["instance"] == "/referrals/1/hand-over"
    assert body["request_id"] == "req-42"
    assert response.headers["X-Request-ID"] == "req-42"


async def test_unauthorized_asks_for_a_bearer_token(client: Client) -> None:
    async with client(make_app()) as http:
        response = await http.get("/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_unknown_route_and_wrong_method(client: Client) -> None:
    async with client(make_app()) as http:
        missing = await http.get("/nowhere")
        wrong = await http.get("/households")
    assert_problem(missing, 404, "not-found")
    assert_problem(wrong, 405, "method-not-allowed")
    assert wrong.headers["Allow"] == "POST"


async def test_validation_errors_list_each_field_without_echoing_input(client: Client) -> None:
    payload = {"members": [{"name": "Amina", "age": "secret-value"}, {"age": 3}], "x": 1}
    async with client(make_app()) as http:
        response = await http.post("/households?limit=many", json=payload)
    body = assert_problem(response, 422, "validation-failed")
    errors = {(e["location"], e.get("pointer") or e.get("parameter")): e for e in body["errors"]}
    assert set(errors) == {
        ("body", "#/members/0/age"),
        ("body", "#/members/1/name"),
        ("body", "#/x"),
        ("query", "limit"),
    }
    assert errors[("body", "#/members/1/name")]["code"] == "missing"
    assert errors[("body", "#/x")]["code"] == "extra_forbidden"
    assert "secret-value" not in response.text


async def test_malformed_json_is_a_bad_request(client: Client) -> None:
    async with client(make_app()) as http:
        response = await http.post(
            "/households", content=b'{"members": [', headers={"Content-Type": "application/json"}
        )
    assert_problem(response, 400, "malformed-json")


async def test_unhandled_error_is_a_500_that_leaks_nothing_but_is_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kit.errors"):
        async with client(make_app()) as http:
            response = await http.get("/boom", headers={"X-Request-ID": "req-500"})
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] == "req-500"
    (record,) = [r for r in caplog.records if r.name == "kit.errors"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_extension_members_cannot_replace_standard_ones() -> None:
    with pytest.raises(ValueError, match="status"):
        ProblemError("x", extensions={"status": 200})


async def test_openapi_declares_problem_json(client: Client) -> None:
    async with client(make_app()) as http:
        schema = (await http.get("/openapi.json")).json()
    hand_over = schema["paths"]["/referrals/{referral_id}/hand-over"]["post"]["responses"]
    assert set(hand_over["409"]["content"]) == {PROBLEM_JSON}
    assert hand_over["409"]["content"][PROBLEM_JSON]["schema"]["$ref"].endswith("/Problem")
    create = schema["paths"]["/households"]["post"]["responses"]
    assert create["422"]["content"][PROBLEM_JSON]["schema"]["$ref"].endswith("/ValidationProblem")
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert {"Problem", "ValidationProblem", "FieldError"} <= set(components)
