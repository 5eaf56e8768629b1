"""Oversized bodies are refused with 413 and non-JSON writes with 415, as problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI, Request

from kit.errors import PROBLEM_JSON
from kit.limits import RequestLimitsMiddleware, is_json_media_type
from kit.problems import install_problem_handlers
from kit.testing.apps import ClientFactory

LIMIT = 1000
BATCH_LIMIT = 5000


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=LIMIT,
        max_batch_body_bytes=BATCH_LIMIT,
        non_json_paths=["/upload"],
    )

    @app.post("/things")
    async def create(thing: dict[str, Any]) -> dict[str, int]:
        return {"keys": len(thing)}

    @app.post("/things:batch")
    async def batch(things: dict[str, Any]) -> dict[str, int]:
        return {"keys": len(things)}

    @app.post("/things/{thing_id}/close")
    async def close(thing_id: int) -> dict[str, bool]:
        return {"closed": True}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


async def chunks(total: int, size: int = 100) -> AsyncIterator[bytes]:
    yield b'{"a": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


async def test_declared_length_over_the_limit_is_refused_before_reading(
    client: ClientFactory,
) -> None:
    async with client(make_app()) as http:
        response = await http.post("/things", json={"a": "x" * (LIMIT + 1)})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "urn:lgnet:problem:payload-too-large"


async def test_streamed_body_over_the_limit_is_refused(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        response = await http.post(
            "/things", content=chunks(LIMIT * 3), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["type"] == "urn:lgnet:problem:payload-too-large"


async def test_streamed_body_over_the_limit_read_by_hand_is_refused(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        response = await http.post("/upload", content=chunks(LIMIT * 3))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_bodies_within_the_limit_pass(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        small = await http.post("/things", json={"a": 1, "b": 2})
        streamed = await http.post(
            "/things", content=chunks(LIMIT // 2), headers={"Content-Type": "application/json"}
        )
    assert small.json() == {"keys": 2}
    assert streamed.json() == {"keys": 1}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""]
)
async def test_non_json_write_is_unsupported(client: ClientFactory, content_type: str) -> None:
    async with client(make_app()) as http:
        response = await http.post(
            "/things", content=b'{"a": 1}', headers={"Content-Type": content_type}
        )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "urn:lgnet:problem:unsupported-media-type"


async def test_json_variants_empty_writes_and_exempt_paths_pass(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        charset = await http.post(
            "/things",
            content=b'{"a": 1}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        empty = await http.post("/things/1/close")
        upload = await http.post("/upload", content=b"raw", headers={"Content-Type": "text/csv"})
    assert charset.status_code == 200
    assert empty.json() == {"closed": True}
    assert upload.json() == {"bytes": 3}


async def test_invalid_content_length_is_a_bad_request(client: ClientFactory) -> None:
    async with client(make_app()) as http:
        request = http.build_request("POST", "/things", content=b"{}")
        request.headers["Content-Length"] = "-5"
        response = await http.send(request)
    assert response.status_code == 400


def test_json_media_types() -> None:
    assert is_json_media_type("application/json")
    assert is_json_media_type("Application/JSON; charset=UTF-8")
    assert is_json_media_type("application/merge-patch+json")
    assert not is_json_media_type("text/json-ish")
    assert not is_json_media_type("")


async def test_a_batch_endpoint_takes_a_larger_body_up_to_its_own_limit(
    client: ClientFactory,
) -> None:
    async with client(make_app()) as http:
        fits = await http.post("/things:batch", json={"a": "x" * (LIMIT * 3)})
        declared = await http.post("/things:batch", json={"a": "x" * (BATCH_LIMIT + 1)})
        streamed = await http.post(
            "/things:batch",
            content=chunks(BATCH_LIMIT * 2),
            headers={"Content-Type": "application/json"},
        )
    assert fits.status_code == 200
    assert declared.status_code == 413
    assert streamed.status_code == 413
