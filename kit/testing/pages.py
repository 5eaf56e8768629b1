"""Walk a cursor-paginated list through the API, as a client would."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


async def all_pages(
    client: httpx.AsyncClient,
    url: str,
    *,
    headers: Mapping[str, str],
    limit: int,
    params: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every item of the list at ``url``, following ``next_cursor`` page by page; each page
    must answer 200 and hold at most ``limit`` items."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**(params or {}), "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = await client.get(url, params=query, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
