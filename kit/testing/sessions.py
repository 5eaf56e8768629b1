"""Sessions of initiatives driven through the events service's API: a synthetic body and
`schedule_session`, shared by the events service's tests. Pure HTTP: it imports nothing of
events."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.local.realm import Realm

SESSION: dict[str, Any] = {
    "starts_at": "2026-12-05T17:30:00",
    "ends_at": "2026-12-05T19:30:00",
    "venue": {
        "name": "Biblioteca di quartiere",
        "address": "Via Esempio 1, Milano",
        "municipio": 7,
        "accessible": True,
    },
    "capacity": 20,
    "languages": ["it", "ar"],
    "cultural_mediator": True,
}
"""A two-hour evening session in a neighbourhood library (synthetic), inside the period of
`kit.testing.initiatives.INITIATIVE`."""


def sessions_of(initiative_id: str) -> str:
    return f"/v1/initiatives/{initiative_id}/sessions"


async def schedule_session(
    client: httpx.AsyncClient,
    realm: Realm,
    initiative_id: str,
    user: str = "organizer.ponte",
    **changes: Any,
) -> httpx.Response:
    """``SESSION`` with `changes`, scheduled in the initiative by `user`; the response."""
    return await client.post(
        sessions_of(initiative_id), json={**SESSION, **changes}, headers=realm.headers(user)
    )
