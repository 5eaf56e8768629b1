"""``Idempotency-Key`` for POST: a retried request gets the first response back.

A route takes `IdempotencyDep` and runs its use case through it::

    @router.post("/referrals", status_code=201, response_model=ReferralPublic,
                 responses=problem_responses(409, 422))
    async def create_referral(referral_in: ReferralCreate, session: SessionDep,
                              idem: IdempotencyDep, principal: PrincipalDep) -> Response:
        async def create() -> ReferralPublic:
            referral = await service.create(session=session, referral_in=referral_in)
            return ReferralPublic.model_validate(referral)

        return await idem.created(create, owner=principal.subject,
                                  location=lambda r: f"/v1/intake/referrals/{r.id}")

`created` answers 201 with ``Location`` (and ``ETag``, from `kit.etag.etag_for`, when the
result has an integer ``version``); `run` answers any status with any headers.

Without the header, `run` just calls the function.  With it, the response is stored in
the request's session — the same transaction as the business write, committed or rolled
back with it — so a failed request stores nothing and may be retried.  A replay returns
the stored status, body and headers plus ``Idempotent-Replayed: true``.  The same key
with a different request (method, path, query or JSON body) is a 422
``idempotency-key-reused``; the same key while the first request is still running is a
409 ``idempotency-key-in-flight``.  Keys are scoped per `owner` and expire after
``LGNET_IDEMPOTENCY_TTL_SECONDS`` (``CommonSettings.idempotency_ttl_seconds``, 24 hours by
default), read from the app's settings (`kit.settings.SettingsDep`).

The table is `IdempotencyRecord` (``idempotency_keys``), a kit table (`kit.tables`):
`kit.migrations.run_env` puts it in every service's migrations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy import JSON, Text, and_, delete, insert, select, text
from sqlmodel import Field, col
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from kit.db import SessionDep, UtcDateTime, utcnow
from kit.errors import BadRequest, Conflict, UnprocessableContent
from kit.etag import etag_for
from kit.settings import SettingsDep
from kit.tables import KitTable

T = TypeVar("T")

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
DEFAULT_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255

# Keys being handled by this process: a second request with one of them gets a 409
# instead of waiting on the database.  PostgreSQL adds an advisory lock across processes.
_in_flight: set[tuple[str, str, str]] = set()


class IdempotencyRecord(KitTable, table=True):
    """The first response to a POST carrying an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"

    owner: str = Field(primary_key=True, max_length=255)
    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    method: str = Field(max_length=16)
    path: str = Field(max_length=2048)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_type=Text)
    response_headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class InvalidIdempotencyKey(BadRequest):
    """The key is empty, longer than `MAX_KEY_LENGTH` or not printable ASCII."""

    slug = "invalid-idempotency-key"
    title = "Invalid Idempotency-Key"


class IdempotencyKeyReused(UnprocessableContent):
    """The key came before with another request (method, path, query or JSON body)."""

    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused"


class IdempotencyKeyInFlight(Conflict):
    """The first request with this key is still running (here or in another process)."""

    slug = "idempotency-key-in-flight"
    title = "Request with this Idempotency-Key in progress"


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of the request; a JSON body is canonicalised so key order and spacing
    do not matter."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _lock_id(owner: str, key: str) -> int:
    digest = hashlib.sha256(f"{owner}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _json_response(
    body: bytes, status_code: int, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")


@dataclass(kw_only=True)
class Idempotency:
    """Runs a POST's use case at most once per ``Idempotency-Key`` (see module doc)."""

    session: AsyncSession
    key: str | None
    """As the request sent it; a structured-field string (``"k"``) is unquoted."""
    method: str
    path: str
    fingerprint: str
    database_id: str = ""
    ttl: timedelta = DEFAULT_TTL
    _held: list[tuple[str, str, str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        key = self.key
        if key is None:
            return
        key = key.strip()
        if len(key) >= 2 and key[0] == key[-1] == '"':
            key = key[1:-1]  # a structured-field string, as the IETF draft sends it
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            raise InvalidIdempotencyKey(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
            )
        self.key = key

    async def run(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        owner: str,
        status_code: int = 200,
        headers: Mapping[str, str] | Callable[[T], Mapping[str, str]] | None = None,
        kept: Callable[[T], Any] | None = None,
    ) -> Response:
        """Call `fn` (a use case returning a public schema) and answer with its JSON, or
        replay the stored answer for this key and `owner` (the caller's identity). `kept`:
        what is stored for a replay, if not the answer itself (a secret the answer carries
        once, such as a token whose hash alone is kept, is left out of it)."""
        if self.key is None:
            result = await fn()
            return _json_response(_encode(result), status_code, _headers(headers, result))

        in_flight = (self.database_id, owner, self.key)
        if in_flight in _in_flight:
            raise IdempotencyKeyInFlight(
                "A request with this Idempotency-Key is still being processed; retry later."
            )
        _in_flight.add(in_flight)
        self._held.append(in_flight)
        await self._lock(owner)

        # Core, not the ORM, here and below: a POST with a key pays these on every call
        connection = await self.session.connection()
        this_key = and_(
            col(IdempotencyRecord.owner) == owner, col(IdempotencyRecord.key) == self.key
        )
        record = (await connection.execute(select(IdempotencyRecord).where(this_key))).first()
        if record is not None and record.created_at <= utcnow() - self.ttl:
            await connection.execute(delete(IdempotencyRecord).where(this_key))
            record = None
        if record is not None:
            if record.fingerprint != self.fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used for a different request."
                )
            replay_headers = {**record.response_headers, REPLAYED_HEADER: "true"}
            return _json_response(record.response_body.encode(), record.status_code, replay_headers)

        result = await fn()
        body = _encode(result)
        stored = body if kept is None else _encode(kept(result))
        response_headers = dict(_headers(headers, result) or {})
        # one Core statement, not an ORM flush: it is written under whatever lock the use
        # case holds (a session's seats), so its CPU is everyone's wait
        record_row = insert(IdempotencyRecord).values(
            owner=owner,
            key=self.key,
            method=self.method,
            path=self.path,
            fingerprint=self.fingerprint,
            status_code=status_code,
            response_body=stored.decode(),
            response_headers=response_headers,
            created_at=utcnow(),
        )
        await (await self.session.connection()).execute(record_row)
        return _json_response(body, status_code, response_headers)

    async def created(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        owner: str,
        location: Callable[[T], str],
        version: Callable[[T], int] | None = None,
        kept: Callable[[T], Any] | None = None,
    ) -> Response:
        """`run` for a creation: 201 with ``Location: location(result)`` and, when the
        result has an integer ``version``, its ``ETag`` (`kit.etag.etag_for`); `kept` as
        for `run`.

        `version`: where the created resource's version is when the result wraps it (a
        person answered with its duplicate candidates: ``lambda r: r.person.version``)."""

        def headers(result: T) -> dict[str, str]:
            created = {"Location": location(result)}
            version_of = getattr(result, "version", None) if version is None else version(result)
            if isinstance(version_of, int) and not isinstance(version_of, bool):
                created["ETag"] = etag_for(version_of)
            return created

        return await self.run(fn, owner=owner, status_code=201, headers=headers, kept=kept)

    async def _lock(self, owner: str) -> None:
        assert self.key is not None
        if self.session.get_bind().dialect.name != "postgresql":
            return  # SQLite: a POST's transaction holds the process's writer turn
        connection = await self.session.connection()
        acquired = (
            await connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(owner, self.key)}
            )
        ).scalar()
        if not acquired:
            raise IdempotencyKeyInFlight(
                "A request with this Idempotency-Key is still being processed; retry later."
            )

    def release(self) -> None:
        """Forget this request's in-flight keys (done by the dependency on exit)."""
        for held in self._held:
            _in_flight.discard(held)
        self._held.clear()


def _encode(result: Any) -> bytes:
    return json.dumps(jsonable_encoder(result), ensure_ascii=False, separators=(",", ":")).encode()


def _headers(
    headers: Mapping[str, str] | Callable[[T], Mapping[str, str]] | None, result: T
) -> Mapping[str, str] | None:
    return headers(result) if callable(headers) else headers


async def get_idempotency(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_KEY_HEADER,
            description="Unique per operation; a retry with the same key returns the "
            "first response.",
        ),
    ] = None,
) -> AsyncIterator[Idempotency]:
    """FastAPI dependency (use through `IdempotencyDep`)."""
    body = await request.body() if idempotency_key is not None else b""
    idem = Idempotency(
        session=session,
        key=idempotency_key,
        method=request.method,
        path=request.url.path,
        fingerprint=request_fingerprint(request.method, request.url.path, request.url.query, body),
        database_id=str(id(session.bind)),
        ttl=timedelta(seconds=settings.common.idempotency_ttl_seconds),
    )
    try:
        yield idem
    finally:
        idem.release()


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency, scope="function")]


async def purge_expired(session: AsyncSession, ttl: timedelta = DEFAULT_TTL) -> int:
    """Delete records older than `ttl`; returns how many (run it periodically)."""
    result = await session.exec(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at <= utcnow() - ttl  # type: ignore[arg-type]
        )
    )
    return result.rowcount


async def forget_responses_about(session: AsyncSession, resource_id: str) -> int:
    """Delete stored responses whose body mentions `resource_id` (an erased person's id), so
    a replay cannot return data that erasure destroyed; returns how many."""
    pattern = "%" + resource_id.replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
    result = await session.exec(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.response_body.like(pattern, escape="\\")  # type: ignore[attr-defined]
        )
    )
    return result.rowcount
