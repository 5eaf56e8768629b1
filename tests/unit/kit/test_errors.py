"""Every error a client can get is RFC 9457 problem+json, and none leaks internals."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field, ValidationError

from kit.errors import (
    PROBLEM_JSON,
    Conflict,
    NotFound,
    ProblemError,
    Unauthorized,
    ValidationFailed,
    field_errors,
    problem_responses,
)
from kit.logs import RequestIdMiddleware
from kit.openapi import document_problems
from kit.problems import install_problem_handlers
from kit.schemas import ClosedModel
from kit.testing.apps import ClientFactory


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


async def test_domain_error_carries_its_type_detail_extensions_and_request(
    client: ClientFactory,
) -> None:
    async with client(make_app()) as http:
        response = await http.post("/referrals/1/hand-over", headers={"X-Request-ID": "req-42"})
    body = assert_problem(response, 409, "referral-already-handed-over")
    assert body["title"] == "Referral already handed over"
    assert body["detail"] == "It was handed over yesterday."
    assert body["handed_over_to"] == "org-1"
    assert body["instance"] == "/referrals/1/hand-over"
    assert body["request_id"] == "req-42"
    assert response.headers["X-Request-ID"] == "req-42"


async def test_unauthorized_asks_for_a_bearer_token(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        response = await http.get("/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_unknown_route_and_wrong_method(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        missing = await http.get("/nowhere")
        wrong = await http.get("/households")
    assert_problem(missing, 404, "not-found")
    assert_problem(wrong, 405, "method-not-allowed")
    assert wrong.headers["Allow"] == "POST"


async def test_validation_errors_list_each_field_without_echoing_input(
    client: ClientFactory,
) -> None:
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


async def test_malformed_json_is_a_bad_request(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        response = await http.post(
            "/households", content=b'{"members": [', headers={"Content-Type": "application/json"}
        )
    assert_problem(response, 400, "malformed-json")


async def test_unhandled_error_is_a_500_that_leaks_nothing_but_is_logged(
    client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kit.problems"):
        async with client(make_app()) as http:
            response = await http.get("/boom", headers={"X-Request-ID": "req-500"})
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] == "req-500"
    (record,) = [r for r in caplog.records if r.name == "kit.problems"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_extension_members_cannot_replace_standard_ones() -> None:
    with pytest.raises(ValueError, match="status"):
        ProblemError("x", extensions={"status": 200})


async def test_openapi_declares_problem_json(client: ClientFactory) -> None:
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


class InvalidFirstContact(ValidationFailed):
    slug = "invalid-first-contact"
    title = "Invalid first contact"


async def test_a_validation_failure_raised_in_code_renders_like_a_request_one(
    client: ClientFactory,
) -> None:
    payload = {"members": [{"name": "Amina", "age": "secret-value"}, {"age": 3}], "x": 1}
    app = make_app()

    @app.post("/households:checked")
    async def checked(raw: dict[str, Any]) -> None:
        try:
            Household.model_validate(raw)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc.errors(), loc_prefix=("body",)) from None

    async with client(app) as http:
        by_request = await http.post("/households", json=payload)
        by_code = await http.post("/households:checked", json=payload)
    request_body = assert_problem(by_request, 422, "validation-failed")
    code_body = assert_problem(by_code, 422, "validation-failed")
    assert code_body["errors"] == request_body["errors"]
    assert code_body["detail"] == request_body["detail"]
    assert "secret-value" not in by_code.text


def test_from_pydantic_puts_errors_under_the_prefix() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Member.model_validate({"name": "Amina"})
    problem = ValidationFailed.from_pydantic(
        excinfo.value.errors(), loc_prefix=("body", "items", 3)
    )
    assert problem.status == 422
    assert problem.errors == [
        {
            "location": "body",
            "pointer": "#/items/3/age",
            "detail": "Field required",
            "code": "missing",
        }
    ]


def test_for_field_names_one_field_and_keeps_the_subclass_slug() -> None:
    problem = InvalidFirstContact.for_field(
        "contacted_at", "cannot be in the future", code="out_of_range"
    )
    assert problem.slug == "invalid-first-contact"
    assert problem.detail == "contacted_at cannot be in the future."
    assert problem.extensions["errors"] == [
        {
            "location": "body",
            "pointer": "#/contacted_at",
            "detail": "cannot be in the future",
            "code": "out_of_range",
        }
    ]
    query = ValidationFailed.for_field("limit", "too large", code="too_large", location="query")
    assert query.errors == [
        {"location": "query", "parameter": "limit", "detail": "too large", "code": "too_large"}
    ]


def test_problem_is_the_rendered_document_without_request_members() -> None:
    problem = InvalidFirstContact.for_field("contacted_at", "too early", code="out_of_range")
    assert problem.problem() == {
        "type": "urn:lgnet:problem:invalid-first-contact",
        "title": "Invalid first contact",
        "status": 422,
        "detail": "contacted_at too early.",
        "errors": problem.errors,
    }
    assert NotFound().problem() == {
        "type": "urn:lgnet:problem:not-found",
        "title": "Not Found",
        "status": 404,
    }


def test_a_nullable_field_s_error_is_what_its_value_got_wrong() -> None:
    class Bounds(BaseModel):
        max_age: Annotated[int, Field(ge=0, strict=True)] | None = None
        nothing: None = None

    with pytest.raises(ValidationError) as caught:
        Bounds.model_validate({"max_age": 8.5, "nothing": 3})
    errors = field_errors([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])
    assert [(e["pointer"].split("/")[1], e["code"]) for e in errors] == [
        ("max_age", "int_type"),
        ("nothing", "none_required"),  # a field that is only null keeps its one error
    ]


def test_a_pointer_names_places_in_the_body_not_the_union_branches_pydantic_tried() -> None:
    class Phone(BaseModel):
        kind: Literal["phone"]
        number: Annotated[str, Field(pattern=r"^\+[0-9]+$")]

    class Mail(BaseModel):
        kind: Literal["mail"]
        address: str

    class Contacts(BaseModel):
        contacts: list[Annotated[Phone | Mail, Field(discriminator="kind")]]
        seats: int | str

    body = {"contacts": [{"kind": "mail", "address": "a@b.c"}, {"kind": "phone", "number": "x"},
                         {"kind": "phone"}], "seats": 1.5}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        Contacts.model_validate(body)
    located = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    pointers = {e["pointer"] for e in field_errors(located, body)}
    assert pointers == {"#/contacts/1/number", "#/contacts/2/number", "#/seats"}
    # without the body, the location as pydantic gave it
    assert "#/contacts/1/phone/number" in {e["pointer"] for e in field_errors(located)}
