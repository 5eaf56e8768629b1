"""Run an app for a test: in the test process behind an httpx client (:func:`serve`), or under
uvicorn on a loopback port (:func:`serve_http`), lifespan included either way."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from kit.auth import TokenVerifier, install_auth
from kit.db import Database
from kit.logs import RequestIdMiddleware
from kit.problems import install_problem_handlers
from kit.testing.settings import install_test_settings

ClientFactory = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]
"""``async with client(app) as http:`` — an httpx client of an app assembled by a test."""
RouterClient = Callable[[APIRouter], AbstractAsyncContextManager[httpx.AsyncClient]]
"""``async with serve_router(router) as http:`` — a client of an app serving ``router``."""


class ServiceClient(httpx.AsyncClient):
    """An httpx client of one in-process app; ``app`` and ``settings`` are what it serves."""

    def __init__(self, app: FastAPI, settings: Any, base_url: str) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.app = app
        self.settings = settings


def router_app(router: APIRouter, *, database: Database, verifier: TokenVerifier) -> FastAPI:
    """An app serving ``router`` on ``database``, assembled as ``create_service`` assembles a
    service's (problem handlers, test settings, request ids, auth by ``verifier``): for testing
    one of the kit's routers without a service."""
    app = FastAPI()
    install_problem_handlers(app)
    install_auth(app, verifier)
    install_test_settings(app)
    app.state.database = database
    app.include_router(router)
    app.add_middleware(RequestIdMiddleware)
    return app


@asynccontextmanager
async def serve(
    app: FastAPI, base_url: str = "http://service.test", *, settings: Any = None
) -> AsyncIterator[ServiceClient]:
    """Start ``app`` (migrations, relay, consumers…), yield a client, then shut it down."""
    async with app.router.lifespan_context(app), ServiceClient(app, settings, base_url) as client:
        yield client


@contextmanager
def serve_http(app: ASGIApp) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port, in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
