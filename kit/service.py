"""Build a service's FastAPI app: the same wiring for every LGNet service.

A service's ``app.py`` declares what is its own (settings, routers, tables, migrations, the
topics it publishes, the events it consumes, its periodic jobs) and gets the rest from here:
migrations at start, the outbox relay, inbox consumers, jobs (`kit.jobs`), Keycloak auth,
RFC 9457 errors, request limits, request ids, tracing, ``/healthz``, ``/readyz``, ``/metrics``
and ``/docs`` (its assets served by the service itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kit.aio import cancel_and_wait
from kit.auth import JWKSCache, TokenVerifier, install_auth
from kit.db import Database
from kit.errors import NotReady
from kit.heap import freeze_long_lived
from kit.http import TelemetryMiddleware
from kit.inbox import BatchHandler, ConsumedEvent, EventConsumer, Handler
from kit.inbox.consumer import SessionFactory
from kit.jobs import JobRunner, PeriodicJob
from kit.kafka import ensure_topics, kafka_reachable
from kit.limits import RequestLimitsMiddleware
from kit.logs import RequestIdMiddleware, configure_logging
from kit.migrations import upgrade_to_head
from kit.openapi import document_problems, install_docs
from kit.outbox import OutboxRelay
from kit.problems import install_problem_handlers
from kit.query import reject_unknown_query_parameters
from kit.settings import REPO_ROOT, ServiceSettings, install_settings
from kit.telemetry import configure_tracing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """Events a service consumes together: one consumer group per subscription.

    `name` suffixes the group id (``referrals`` → ``lgnet-casework-referrals``; the prefix is
    ``LGNET_CONSUMER_GROUP_PREFIX``); `consumes` maps each consumed event's declaration
    (`kit.inbox.consumed_event`) to its handler.  The topics to read, and the event type
    names handlers are found by, come from the declarations::

        referrals = Subscription("referrals", {REFERRAL_HANDED_OVER: on_referral_handed_over})

    An event on those topics of a type not declared here is skipped.  `batched` may give some
    of them a bulk form too (`kit.inbox.BatchHandler`), for consecutive events of that type in
    one poll; the per-event handler stays the one a failed batch falls back to.
    """

    name: str
    consumes: Mapping[ConsumedEvent[Any], Handler]
    batched: Mapping[ConsumedEvent[Any], BatchHandler] = field(default_factory=dict)
    commutative: bool = False
    """Whether the effects of its events of different types commute (whatever their order,
    the same state): then a poll's events are applied type by type, each type's in order,
    which gives the batch handlers long runs (`kit.inbox.EventConsumer`)."""

    def __post_init__(self) -> None:
        if not self.consumes:
            raise ValueError(f"subscription {self.name!r} consumes nothing")
        names = [declared.name for declared in self.consumes]
        if len(set(names)) != len(names):
            raise ValueError(f"subscription {self.name!r} declares an event type twice")
        if any(declared not in self.consumes for declared in self.batched):
            raise ValueError(f"subscription {self.name!r} batches an event it does not consume")

    @property
    def topics(self) -> list[str]:
        """The topics of the consumed events, each once."""
        return sorted({declared.topic for declared in self.consumes})

    @property
    def handlers(self) -> dict[str, Handler]:
        """Handlers by event type name, as `kit.inbox.EventConsumer` dispatches them."""
        return {declared.name: handler for declared, handler in self.consumes.items()}

    @property
    def batch_handlers(self) -> dict[str, BatchHandler]:
        """The bulk forms by event type name (`EventConsumer`'s ``batch_handlers``)."""
        return {declared.name: handler for declared, handler in self.batched.items()}

    def group_id(self, settings: ServiceSettings) -> str:
        """Its consumer group in the service `settings` names (``lgnet-casework-referrals``)."""
        return f"{settings.common.consumer_group_prefix}-{settings.service_name}-{self.name}"

    def consumer(
        self, settings: ServiceSettings, sessions: SessionFactory, *, dead_letters: bool = True
    ) -> EventConsumer:
        """Its inbox consumer, in its group (`group_id`), applying effects in `sessions`; a
        replay (`kit.rebuild`) passes ``dead_letters=False``."""
        return EventConsumer(
            name=self.group_id(settings),
            topics=self.topics,
            handlers=self.handlers,
            batch_handlers=self.batch_handlers,
            sessions=sessions,
            bootstrap_servers=settings.common.kafka_bootstrap_servers,
            dead_letters=dead_letters,
            commutative=self.commutative,
        )


@dataclass(frozen=True)
class ServiceSpec:
    """What a service declares about itself; `create_service` builds the rest from it.

    A service's ``app.py`` is one ``create_service(ServiceSpec(...))`` call (see
    ``services/intake/app.py``), or one `service_app` call when the conventions serve (see
    ``services/casework/app.py``).
    """

    settings: ServiceSettings
    """The service's settings (its own `ServiceSettings` subclass, read once from the
    environment).  They name the service (``service_name``: logs, traces, consumer groups,
    the relay's client id) and its database; ``settings.common`` holds Kafka, Keycloak, limits,
    the cursor secret and the idempotency TTL.  Installed on the app: code reads them through
    `kit.settings.SettingsDep` or the service's typed alias, never ``app.state``."""
    title: str
    """The OpenAPI title, e.g. ``"LGNet casework"``."""
    description: str
    """The OpenAPI description: one or two sentences on what the service is for."""
    routers: Sequence[APIRouter]
    """The service's routers (each with its own ``/v1/<service>/…`` prefix and tags), and the
    kit's it mounts (``audit_router``, ``policy_router``)."""
    migrations: Path
    """The service's Alembic folder (``services/<service>/migrations``), upgraded to head at
    every start before anything else runs."""
    publishes: Sequence[str] = ()
    """Topics the service's outbox publishes to (each feature's ``events.TOPIC``); created
    at start if missing."""
    subscriptions: Sequence[Subscription] = ()
    """Events consumed from other services (`Subscription`), each through the inbox: its
    effect applied once, failures to ``<topic>.dlq``."""
    jobs: Sequence[PeriodicJob] = ()
    """Background work (`kit.jobs.PeriodicJob`), started once migrations have run."""
    version: str = "0.1.0"
    """The OpenAPI version of the service's API."""
    tags: Sequence[dict[str, Any]] = field(default_factory=tuple)
    """OpenAPI tag descriptions (``[{"name": "cases", "description": …}]``), if any."""


def create_service(spec: ServiceSpec) -> FastAPI:
    """The FastAPI app of the service `spec` declares, wired like every LGNet service.

    At build time: the settings are installed (`kit.settings.SettingsDep`), problem+json
    errors (`kit.errors`), request limits (``LGNET_MAX_BODY_BYTES``, and
    ``LGNET_MAX_BATCH_BODY_BYTES`` for ``:batch`` paths), telemetry and request ids, unknown
    query parameters refused (400), ``/healthz``, ``/readyz`` and ``/metrics``, then the
    routers.

    At start (the lifespan): logging and tracing, the database (`kit.db.Database`) and its
    migrations to head, Keycloak token verification (`kit.auth`), the outbox relay, the
    periodic jobs; topics are created and consumers started in the background once Kafka
    answers (``/readyz`` says 503 until then).  At stop, all of it in reverse order.

    Tests start it with `kit.testing.apps.serve`; a service's settings with another database
    URL and stack (``create_app(settings)``) make a separate instance.
    """
    settings = spec.settings
    name = settings.service_name
    common = settings.common

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, common.log_level)
        configure_tracing(name, common.otlp_endpoint)
        database = Database(settings.database_url, pool_size=settings.database_pool_size)
        app.state.database = database
        await upgrade_to_head(spec.migrations, settings.database_url)
        verifier = TokenVerifier(
            common.keycloak_issuer,
            common.keycloak_audience,
            JWKSCache(issuer=common.keycloak_issuer),
        )
        install_auth(app, verifier)
        relay = OutboxRelay(
            engine=database.engine,
            bootstrap_servers=common.kafka_bootstrap_servers,
            client_id=f"lgnet-{name}-relay",
        )
        consumers = [sub.consumer(settings, database.session) for sub in spec.subscriptions]
        app.state.consumers = consumers
        await relay.start()
        jobs = JobRunner(spec.jobs, database)
        jobs.start()
        connecting = asyncio.create_task(_connect(spec, consumers), name=f"{name}-kafka-connect")
        freeze_long_lived()  # start-up's objects, out of the full collections' walk
        log.info("service %s started", name)
        try:
            yield
        finally:
            await jobs.stop()
            await cancel_and_wait(connecting)
            for consumer in consumers:
                await consumer.stop()
            await relay.stop()
            await verifier.jwks.aclose()
            await database.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        openapi_tags=list(spec.tags) or None,
        dependencies=[Depends(reject_unknown_query_parameters)],
        docs_url=None,  # FastAPI's pages load from a CDN: install_docs serves them itself
        redoc_url=None,
    )
    install_settings(app, settings)
    install_problem_handlers(app)
    document_problems(app)
    install_docs(app, title=spec.title)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=common.max_body_bytes,
        max_batch_body_bytes=common.max_batch_body_bytes,
    )
    app.add_middleware(TelemetryMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(_operations_router(common.kafka_bootstrap_servers))
    for router in spec.routers:
        app.include_router(router)
    return app


S_contra = TypeVar("S_contra", bound=ServiceSettings, contravariant=True)
S = TypeVar("S", bound=ServiceSettings)


class AppFactory(Protocol[S_contra]):
    """A service's ``create_app``: its app with `settings`, by default the environment's."""

    def __call__(self, settings: S_contra | None = None) -> FastAPI: ...


def service_app(
    settings_type: type[S],
    *,
    description: str,
    routers: Sequence[APIRouter],
    publishes: Sequence[str] = (),
    subscriptions: Sequence[Subscription] = (),
    jobs: Callable[[S], Sequence[PeriodicJob]] | None = None,
) -> AppFactory[S]:
    """The ``create_app`` of a service laid out as the others are: `create_service` with the
    title ``LGNet <service_name>`` and the migrations in ``services/<service_name>/migrations``
    (the other `ServiceSpec` fields as given here)::

        create_app = service_app(
            HousingSettings, description=__doc__, routers=[facilities], publishes=[TOPIC]
        )
        app = create_app()  # the ASGI app (``uvicorn services.housing.app:app``)

    (the module's docstring is the service's OpenAPI description). `jobs` makes the service's
    periodic jobs from its settings (their intervals are settings).

    A service that needs more of `ServiceSpec` (tags, its own title) calls `create_service`
    itself, as intake does.
    """

    def create_app(settings: S | None = None) -> FastAPI:
        settings = settings or settings_type()
        name = settings.service_name
        spec = ServiceSpec(
            settings=settings,
            title=f"LGNet {name}",
            description=description,
            routers=routers,
            migrations=REPO_ROOT / "services" / name / "migrations",
            publishes=publishes,
            subscriptions=subscriptions,
            jobs=jobs(settings) if jobs is not None else (),
        )
        return create_service(spec)

    return create_app


async def _connect(spec: ServiceSpec, consumers: list[EventConsumer]) -> None:
    """Create topics and start consumers once Kafka answers (a service may start before it)."""
    bootstrap = spec.settings.common.kafka_bootstrap_servers
    consumed = sorted({t for sub in spec.subscriptions for t in sub.topics})
    topics = [*spec.publishes, *consumed, *(f"{t}.dlq" for t in consumed)]
    delay = 0.5
    while True:
        try:
            await ensure_topics(bootstrap, topics)
            break
        except Exception as exc:
            log.warning("kafka not reachable yet (%s); retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
    for consumer in consumers:
        await consumer.start()


def _operations_router(bootstrap: str) -> APIRouter:
    router = APIRouter(tags=["operations"], include_in_schema=False)
    kafka_seen_at = -1e9  # a successful Kafka probe is trusted for a few seconds

    async def kafka_ok() -> bool:
        nonlocal kafka_seen_at
        now = asyncio.get_running_loop().time()
        if now - kafka_seen_at < 5:
            return True
        if await kafka_reachable(bootstrap):
            kafka_seen_at = now
            return True
        return False

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/readyz")
    async def readyz(request: Request) -> dict[str, str]:
        database: Database = request.app.state.database
        try:
            await database.ping()
        except Exception as exc:
            raise NotReady("The database is not reachable.") from exc
        if not await kafka_ok():
            raise NotReady("Kafka is not reachable.")
        if not all(c.started for c in request.app.state.consumers):
            raise NotReady("Event consumers are still starting.")
        return {"status": "ready"}

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
