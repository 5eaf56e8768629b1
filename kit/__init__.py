"""LGNet's shared kit: the cross-cutting code every service and the gateway use alike.

- `kit.service` — builds a service's app: migrations, relay, consumers, auth, errors, health
- `kit.events` — CloudEvents envelope, event types, their JSON Schemas (contracts/)
- `kit.outbox` — events written with the change, relayed to Kafka
- `kit.inbox` — consumers applying each event exactly once, DLQ for poison messages
- `kit.auth` — Keycloak JWT verification, the caller's `Principal`, role checks
- `kit.audit` — append-only, hash-chained log of every access to person data
- `kit.policy` — versioned rules coordinators change through the API
- `kit.errors` — RFC 9457 problem errors (pure: domain rules raise them)
- `kit.problems` — the handlers rendering them as problem+json; the `Allow` of a 405
- `kit.openapi` — the OpenAPI says what the kit answers; offline `/docs`
- `kit.limits` — request body size (413) and JSON-only writes (415)
- `kit.query` — unknown query parameters are 400
- `kit.schemas` — base request/response models and common field types
- `kit.pagination` — cursor (keyset) pagination
- `kit.etag` — ETags from versions, If-Match preconditions
- `kit.idempotency` — Idempotency-Key for POST
- `kit.settings` — environment settings
- `kit.db` — async engine, session dependency (the one commit point), after-commit hooks
- `kit.tables` — the kit's own tables, in every service's database
- `kit.migrations` — Alembic run from code
- `kit.logs`, `kit.telemetry`, `kit.http`, `kit.metrics` — JSON logs, traces, metrics
- `kit.kafka` — topics and Kafka reachability
- `kit.heap` — start-up's objects frozen out of the garbage collector's full collections
- `kit.synthetic` — fictional persons and places for tests, demo and benchmarks
- `kit.testing` — helpers for tests (in-process apps, forged tokens, realm test keys)

Import the module you need; this package imports nothing itself. A service declares what is
its own in a `kit.service.ServiceSpec` and gets the rest from `kit.service.create_service`.
"""
