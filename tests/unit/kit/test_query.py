"""Query strings are checked before a route runs: unknown names are 400, NUL in a value 422."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
from fastapi import Depends, FastAPI

from kit.errors import PROBLEM_JSON, install_problem_handlers
from kit.query import reject_unknown_query_parameters

ClientFactory = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


def make_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(reject_unknown_query_parameters)])
    install_problem_handlers(app)

    @app.get("/things")
    async def things(status: str | None = None) -> dict[str, str | None]:
        return {"status": status}

    return app


async def get(client: ClientFactory, query: str) -> httpx.Response:
    async with client(make_app()) as http:
        return await http.get(f"/things?{query}")


async def test_a_declared_parameter_passes(client: ClientFactory) -> None:
    response = await get(client, "status=open")
    assert response.status_code == 200
    assert response.json() == {"status": "open"}


async def test_an_unknown_parameter_is_a_400_naming_it(client: ClientFactory) -> None:
    response = await get(client, "stauts=open")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [e["parameter"] for e in response.json()["errors"]] == ["stauts"]


async def test_a_value_holding_nul_is_a_422_naming_the_parameter(client: ClientFactory) -> None:
    response = await get(client, "status=op%00en")
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:lgnet:problem:validation-failed"
    assert body["errors"] == [
        {
            "location": "query",
            "parameter": "status",
            "detail": "must not contain NUL (U+0000) characters",
            "code": "string_nul",
        }
    ]
