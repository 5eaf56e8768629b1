"""Registrations to sessions driven through the events service's API: synthetic registrants
and the steps the events service's tests share. Pure HTTP: it imports nothing of events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from kit.testing.resources import Realm, assert_created

PUBLIC_REGISTRANT: dict[str, Any] = {
    "registrant": "public",
    "name": "Giulia Esempio",
    "email": "Giulia.Esempio@Example.org",
    "consent": True,
}
"""A member of the public registering with an e-mail address (synthetic)."""


def beneficiary(person_ref: uuid.UUID | str | None = None) -> dict[str, Any]:
    """A beneficiary's registration body: intake's `person_ref` (a new one if not given)."""
    return {"registrant": "beneficiary", "person_ref": str(person_ref or uuid.uuid4())}


def session_at(initiative_id: str, session_id: str) -> str:
    return f"/v1/initiatives/{initiative_id}/sessions/{session_id}"


def registrations_of(initiative_id: str, session_id: str) -> str:
    return f"{session_at(initiative_id, session_id)}/registrations"


async def register(
    client: httpx.AsyncClient,
    realm: Realm,
    initiative_id: str,
    session_id: str,
    body: dict[str, Any] | None = None,
    user: str = "caseworker.ponte",
) -> httpx.Response:
    """`user` registers `body` (a new beneficiary if not given); the response as it came."""
    return await client.post(
        registrations_of(initiative_id, session_id),
        json=body or beneficiary(),
        headers=realm.headers(user),
    )


async def registered(
    client: httpx.AsyncClient,
    realm: Realm,
    initiative_id: str,
    session_id: str,
    body: dict[str, Any] | None = None,
    user: str = "caseworker.ponte",
) -> dict[str, Any]:
    """`register`, which must create it: the registration as created."""
    response = await register(client, realm, initiative_id, session_id, body, user)
    return assert_created(response, registrations_of(initiative_id, session_id))


async def step_registration(
    client: httpx.AsyncClient,
    realm: Realm,
    registration: dict[str, Any],
    initiative_id: str,
    step: str,
    user: str = "caseworker.ponte",
) -> httpx.Response:
    """`user` POSTs `step` (``cancellation``, ``confirmation``) to the registration under the
    ETag it has now; the response as it came."""
    path = f"{registrations_of(initiative_id, registration['session_id'])}/{registration['id']}"
    headers = realm.headers(user)
    etag = (await client.get(path, headers=headers)).headers["ETag"]
    return await client.post(f"{path}/{step}", headers={**headers, "If-Match": etag})
