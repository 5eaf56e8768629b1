"""Log lines are single JSON objects carrying service, request id and trace context."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from kit.logs import JsonFormatter, RequestIdMiddleware, configure_logging, current_request_id
from kit.testing.apps import ClientFactory


@pytest.fixture
def lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("intake"))
    logger = logging.getLogger("test.kit.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_a_line_is_one_json_object(lines: Callable[[], list[dict[str, Any]]]) -> None:
    logging.getLogger("test.kit.logs").info("referral %s received", "r-1", extra={"municipio": 3})
    (line,) = lines()
    assert line["message"] == "referral r-1 received"
    assert line["level"] == "INFO"
    assert line["logger"] == "test.kit.logs"
    assert line["service"] == "intake"
    assert line["municipio"] == 3
    assert line["time"].endswith("+00:00")
    assert "trace_id" not in line
    assert "request_id" not in line


def test_trace_ids_come_from_the_active_span(lines: Callable[[], list[dict[str, Any]]]) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("test.kit.logs").warning("inside")
    context = span.get_span_context()
    (line,) = lines()
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")


def test_exceptions_are_one_line_too(lines: Callable[[], list[dict[str, Any]]]) -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        logging.getLogger("test.kit.logs").exception("failed")
    (line,) = lines()
    assert "ValueError: bad" in line["exception"]


async def test_request_id_is_taken_or_made_and_echoed(
    client: ClientFactory, lines: Callable[[], list[dict[str, Any]]]
) -> None:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/ping")
    async def ping() -> dict[str, str | None]:
        logging.getLogger("test.kit.logs").info("pong")
        return {"request_id": current_request_id()}

    async with client(app) as http:
        given = await http.get("/ping", headers={"X-Request-ID": "abc-123"})
        made = await http.get("/ping")
        unsafe = await http.get("/ping", headers={"X-Request-ID": 'x" injected'})
    assert given.headers["X-Request-ID"] == given.json()["request_id"] == "abc-123"
    assert made.headers["X-Request-ID"] == made.json()["request_id"]
    assert len(made.json()["request_id"]) == 32
    assert unsafe.json()["request_id"] != 'x" injected'
    assert lines()[0]["request_id"] == "abc-123"
    assert current_request_id() is None


def test_configure_logging_routes_everything_through_json() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("casework", "debug")
        (handler,) = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert root.level == logging.DEBUG
        assert logging.getLogger("uvicorn.access").propagate
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
