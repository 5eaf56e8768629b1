"""Initiatives driven through the events service's API: the collection, a synthetic body, and
the steps of an initiative's life that the events service's unit and integration tests share.
Pure HTTP: it imports nothing of events."""

from __future__ import annotations

from typing import Any

import httpx

from kit.testing.resources import Collection, Realm

INITIATIVES = "/v1/initiatives"
ORGANISER = "organizer.ponte"

INITIATIVE: dict[str, Any] = {
    "title": "Laboratorio di italiano per famiglie",
    "description": "Due pomeriggi a settimana: lingua italiana per genitori, giochi per i figli.",
    "translations": {
        "en": {"title": "Italian workshop for families"},
        "ar": {"title": "ورشة اللغة الإيطالية للعائلات"},
    },
    "kind": "workshop",
    "audience": "both",
    "topics": ["lingua-italiana", "famiglie"],
    "municipio": 7,
    "neighbourhood": "San Siro",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-15",
}
"""A fortnight's workshop in San Siro, as an association organises it (synthetic)."""

create_initiative = Collection(INITIATIVES, INITIATIVE, user=ORGANISER).post
"""``await create_initiative(events, realm, kind="meeting")``: ``INITIATIVE`` with changes, posted
by ``organizer.ponte`` unless ``user=`` names another; the response as it came (a draft)."""


def initiative_at(initiative: dict[str, Any]) -> str:
    """The path of an initiative (its JSON)."""
    return f"{INITIATIVES}/{initiative['id']}"


async def step_initiative(
    client: httpx.AsyncClient,
    realm: Realm,
    initiative_id: str,
    step: str,
    user: str = ORGANISER,
) -> httpx.Response:
    """``user`` POSTs ``step`` (``publication``, ``completion``, ``cancellation``) to the
    initiative under the ETag it has now; the response as it came."""
    path = f"{INITIATIVES}/{initiative_id}"
    headers = realm.headers(user)
    etag = (await client.get(path, headers=headers)).headers["ETag"]
    return await client.post(f"{path}/{step}", headers={**headers, "If-Match": etag})


async def publish_initiative(
    client: httpx.AsyncClient, realm: Realm, user: str = ORGANISER, **changes: Any
) -> dict[str, Any]:
    """``INITIATIVE`` with ``changes``, created and published by ``user``: its JSON."""
    created = await create_initiative(client, realm, user=user, **changes)
    assert created.status_code == 201, created.text
    published = await step_initiative(client, realm, created.json()["id"], "publication", user)
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return body
