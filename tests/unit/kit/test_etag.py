"""Changes need the current version's ETag: none is 428, a stale one 412."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Response

from kit.errors import PreconditionFailed, PreconditionRequired
from kit.etag import IfMatchDep, etag_for, if_match_matches, require_if_match, set_etag
from kit.problems import install_problem_handlers
from kit.testing.apps import ClientFactory


def test_etag_is_the_quoted_version() -> None:
    assert etag_for(7) == '"7"'


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"3"', True),
        ('"2", "3"', True),
        ("*", True),
        ('W/"3"', False),
        ('"2"', False),
        ("3", False),
    ],
)
def test_if_match_comparison_is_strong(header: str, matches: bool) -> None:
    assert if_match_matches(header, 3) is matches


def test_missing_and_stale_preconditions() -> None:
    with pytest.raises(PreconditionRequired):
        require_if_match(None, 3)
    with pytest.raises(PreconditionFailed) as excinfo:
        require_if_match('"2"', 3)
    assert excinfo.value.extensions == {"current_etag": '"3"'}
    require_if_match('"3"', 3)


async def test_update_route_round_trip(client: ClientFactory) -> None:
    app = FastAPI()
    install_problem_handlers(app)
    state = {"version": 1}

    @app.get("/cases/1")
    async def read(response: Response) -> dict[str, int]:
        set_etag(response, state["version"])
        return state

    @app.patch("/cases/1")
    async def update(if_match: IfMatchDep, response: Response) -> dict[str, int]:
        require_if_match(if_match, state["version"])
        state["version"] += 1
        set_etag(response, state["version"])
        return state

    async with client(app) as http:
        etag = (await http.get("/cases/1")).headers["ETag"]
        missing = await http.patch("/cases/1", json={})
        first = await http.patch("/cases/1", json={}, headers={"If-Match": etag})
        stale = await http.patch("/cases/1", json={}, headers={"If-Match": etag})
    assert missing.status_code == 428
    assert missing.json()["type"] == "urn:lgnet:problem:precondition-required"
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"2"'
