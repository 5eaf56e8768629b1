"""Run a service's FastAPI app in the test process, lifespan included, behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serve(
    app: FastAPI, base_url: str = "http://service.test"
) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app`` (migrations, relay, consumers…), yield a client, then shut it down."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
