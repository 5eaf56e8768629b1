"""What the services' OpenAPI documents say, against what the apps answer (no servers)."""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app as create_gateway
from kit.errors import PROBLEM_JSON, ValidationProblem
from kit.openapi import kit_statuses
from kit.testing.upstream import SERVICES

PERSON = "/v1/intake/persons/3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _app(name: str) -> FastAPI:
    if name == "gateway":
        return create_gateway()
    app: FastAPI = importlib.import_module(f"services.{name}.app").create_app()
    return app


@pytest.fixture
async def intake() -> AsyncIterator[httpx.AsyncClient]:
    # routing, the 405 and /docs need no lifespan (no database, no Keycloak)
    transport = httpx.ASGITransport(app=_app("intake"))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v1/intake/referrals", "GET, POST"),
        ("DELETE", PERSON, "GET, PATCH"),
        ("OPTIONS", PERSON, "GET, PATCH"),
        ("PATCH", "/v1/intake/persons/match", "POST"),  # not a person id
        ("PUT", "/v1/intake/policies/triage/versions", "GET, POST"),
    ],
)
async def test_a_405_allows_every_method_of_the_path(
    intake: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await intake.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


def test_the_documented_path_of_a_person_has_no_convertor() -> None:
    paths = _app("intake").openapi()["paths"]
    assert "/v1/intake/persons/{person_id}" in paths
    assert not [path for path in paths if ":" in path.replace(":batch", "")]


async def test_an_unknown_query_parameter_is_a_validation_problem(
    intake: httpx.AsyncClient,
) -> None:
    response = await intake.get("/v1/intake/referrals", params={"stauts": "open"})
    assert response.status_code == 400
    problem = ValidationProblem.model_validate(response.json())
    assert [(e.parameter, e.code) for e in problem.errors] == [("stauts", "unknown_parameter")]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_declares_the_problems_the_kit_answers(service: str) -> None:
    document = _app(service).openapi()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            missing = kit_statuses(method, operation) - {int(code) for code in responses}
            assert not missing, f"{method.upper()} {path} does not declare {sorted(missing)}"
            for code, response in responses.items():
                if int(code) >= 400:
                    assert list(response["content"]) == [PROBLEM_JSON], f"{code} {path}"


_PYDANTIC_ONLY = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length", "multiple_of"})


def _keywords(node: object) -> Iterator[str]:
    """Every keyword of every schema under `node` (the names in ``properties`` are not)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for child in value.values():
                    yield from _keywords(child)
                continue
            yield key
            yield from _keywords(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


@pytest.mark.parametrize("service", SERVICES)
def test_no_constraint_is_lost_from_the_document(service: str) -> None:
    """A bound pydantic cannot place (``ge`` on a union) lands as an unknown keyword, which
    no client reads: every constraint is a JSON Schema one."""
    document = _app(service).openapi()
    assert not _PYDANTIC_ONLY & set(_keywords(document))


@pytest.mark.parametrize("service", SERVICES)
def test_every_query_text_says_it_holds_no_nul(service: str) -> None:
    """`kit.query` refuses NUL in any query value; the document says so."""
    document = _app(service).openapi()
    for path, item in document["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter["schema"]
                for text in [schema, *schema.get("anyOf", [])]:
                    if text.get("type") == "string" and "format" not in text:
                        assert "pattern" in text, f"{path} ?{parameter['name']}"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("target", ["gateway", *SERVICES])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_load_every_asset_from_the_app_itself(target: str, page: str) -> None:
    if target == "gateway" and page == "/redoc":
        pytest.skip("the gateway serves Swagger UI only")
    transport = httpx.ASGITransport(app=_app(target))
    base = f"http://{target}.test"
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        response = await client.get(page)
        assert response.status_code == 200
        parser = _Assets()
        parser.feed(response.text)
        # the page's script names the OpenAPI document by URL too
        urls = parser.urls + re.findall(r"url: '([^']+)'", response.text)
        assert len(parser.urls) >= 2, parser.urls  # a stylesheet or favicon, and the script
        for url in urls:
            absolute = urljoin(f"{base}{page}", url)
            assert urlsplit(absolute).netloc == f"{target}.test", f"{url} is on another host"
            if target == "gateway" and url.endswith("openapi.json"):
                continue  # the gateway merges it from running services
            asset = await client.get(absolute)
            assert asset.status_code == 200, url
            assert asset.content
