"""LGNet's shared kit: the cross-cutting code every service and the gateway use alike.

Web and persistence layer:

- `kit.errors` — RFC 9457 problem+json errors and their handlers
- `kit.limits` — request body size (413) and JSON-only writes (415)
- `kit.schemas` — base request/response models and common field types
- `kit.pagination` — cursor (keyset) pagination
- `kit.etag` — ETags from versions, If-Match preconditions
- `kit.idempotency` — Idempotency-Key for POST
- `kit.settings` — environment settings
- `kit.db` — async engine, session dependency (the one commit point), after-commit hooks
- `kit.migrations` — Alembic run from code
- `kit.logs` — JSON logs with request and trace ids

Import the module you need; this package imports nothing itself.  A service wires them
like this::

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("intake", settings.common.log_level)
        await upgrade_to_head(SERVICE_DIR / "migrations", settings.database_url)
        app.state.database = Database(settings.database_url)
        yield
        await app.state.database.dispose()

    app = FastAPI(lifespan=lifespan)
    install_problem_handlers(app)
    app.add_middleware(RequestLimitsMiddleware, max_body_bytes=settings.common.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)  # added last = outermost: every line has an id
"""
