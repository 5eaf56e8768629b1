"""A service's collection driven through its API, and the checks every collection's tests make
the same way: a 201 with its ``Location`` and ``ETag``, an RFC 9457 problem, a retried create
under one ``Idempotency-Key``, a list walked page by page. Pure HTTP: it imports no service.

A service's test module declares its collection once and posts through it::

    FACILITIES = "/v1/housing/facilities"
    register = Collection(FACILITIES, FACILITY, user="housing.ponte").post

    created = await register(housing, realm, kind="shelter")   # FACILITY with kind changed
    body = assert_created(created, FACILITIES)
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from kit.testing.pages import all_pages

PROBLEM_JSON = "application/problem+json"


class Realm(Protocol):
    """Tokens of the demo realm's users (``deploy.local.realm.Realm``)."""

    def headers(self, username: str) -> dict[str, str]: ...


@dataclass(frozen=True)
class Collection:
    """A collection at ``path``, a valid ``body`` to post to it, and the ``user`` who posts
    unless a test names another."""

    path: str
    body: Mapping[str, Any]
    user: str

    async def post(
        self, client: httpx.AsyncClient, realm: Realm, user: str | None = None, **changes: Any
    ) -> httpx.Response:
        """``user`` (else the collection's) posts ``body`` with ``changes``; the response, as
        it came (a test of a refusal asserts the refusal)."""
        return await client.post(
            self.path,
            json={**self.body, **changes},
            headers=realm.headers(user or self.user),
        )


def assert_created(
    response: httpx.Response, collection: str, *, etag: str | None = '"1"'
) -> dict[str, Any]:
    """``response`` is a 201 whose ``Location`` is ``collection``/its id and whose ``ETag`` is
    ``etag`` (not checked if None); its body."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"{collection}/{body['id']}"
    if etag is not None:
        assert response.headers["ETag"] == etag
    return body


def assert_problem(response: httpx.Response, status: int, type_: str | None = None) -> Any:
    """``response`` is an ``application/problem+json`` of ``status`` (and of ``type_``, if
    given); its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    if type_ is not None:
        assert problem["type"] == type_
    return problem


async def assert_created_once(
    client: httpx.AsyncClient,
    path: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    *,
    other: Mapping[str, Any],
) -> None:
    """Posting ``body`` twice with the ``Idempotency-Key`` in ``headers`` creates once: the
    retry replays the first 201 and its ``Location``; ``other`` (changes to ``body``) under
    the same key is refused as a reused key."""
    first = await client.post(path, json=body, headers=headers)
    second = await client.post(path, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"

    reused = await client.post(path, json={**body, **other}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["type"] == "urn:lgnet:problem:idempotency-key-reused"


async def assert_listed_once(
    client: httpx.AsyncClient,
    path: str,
    ids: Set[str],
    *,
    headers: Mapping[str, str],
    params: Mapping[str, Any],
    limit: int = 2,
) -> None:
    """Walking the list at ``path`` (``params``, ``limit`` a page) visits no item twice and
    every one of ``ids``; a forged cursor is a 400."""
    listed = await all_pages(client, path, headers=headers, limit=limit, params=params)
    seen = [item["id"] for item in listed]
    assert len(seen) == len(set(seen))
    assert ids <= set(seen)

    tampered = await client.get(f"{path}?cursor=not-a-cursor", headers=headers)
    assert tampered.status_code == 400
