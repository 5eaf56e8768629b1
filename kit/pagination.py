"""Cursor (keyset) pagination: ``?limit=&cursor=`` → ``{"items": [...], "next_cursor": ...}``.

In a route::

    @router.get("/referrals", response_model=Page[ReferralPublic])
    async def list_referrals(session: SessionDep, page: PageParamsDep) -> Page[ReferralPublic]:
        stmt = select(Referral).where(Referral.status == "open")
        result = await paginate(session, stmt, page, order_by=(Referral.created_at, Referral.id))
        return result.map(ReferralPublic.model_validate)

A cursor is opaque to clients: base64url of the last row's keyset values, signed with an
HMAC (``LGNET_CURSOR_SECRET``) and bound to the ordering, so a cursor that was tampered
with or belongs to another list is a 400 problem.  `PageParamsDep` carries the codec keyed
with the app's settings (`kit.settings.SettingsDep`), so `paginate` reads no environment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar, cast
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.errors import BadRequest
from kit.rows import Record, fetch
from kit.settings import SettingsDep

T = TypeVar("T")
U = TypeVar("U")
R = TypeVar("R")
S = TypeVar("S", bound=SelectOfScalar[Any])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "Invalid cursor"


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with `fn` applied to each item (e.g. ORM row → public schema).

        Built without validation: the items are `fn`'s, and ``Page[U]`` with `U` unbound
        would make (and validate against) a new generic class on every call."""
        items = [fn(item) for item in self.items]
        return cast("Page[U]", Page.model_construct(items=items, next_cursor=self.next_cursor))


@dataclass(frozen=True)
class PageParams:
    """Which page to read, and the codec that signs and reads its cursors.

    `page_params` fills `codec` from the app's settings; one built by hand without a codec
    reads a first page, and `paginate` refuses to make or read a cursor with it."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    codec: CursorCodec | None = field(default=None, repr=False, compare=False)


async def page_params(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=2048, description="`next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    """FastAPI dependency reading ``limit`` and ``cursor`` (use through `PageParamsDep`)."""
    return PageParams(
        limit=limit,
        cursor=cursor,
        codec=codec_for(settings.common.cursor_secret.get_secret_value()),
    )


PageParamsDep = Annotated[PageParams, Depends(page_params)]


# --- cursor encoding -------------------------------------------------------------------


def _tag(value: Any) -> Any:
    # JSON has no datetime/UUID/Decimal: tag them so decoding restores the type.
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": str(value)}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _untag(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "dt":
            return datetime.fromisoformat(raw)
        if tag == "d":
            return date.fromisoformat(raw)
        if tag == "u":
            return UUID(raw)
        if tag == "n":
            return Decimal(raw)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("bad cursor value")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Encodes keyset values as signed, opaque cursors."""

    _SIG_BYTES = 12

    def __init__(self, secret: str | bytes) -> None:
        self._key = secret.encode() if isinstance(secret, str) else secret

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[: self._SIG_BYTES]

    def encode(self, ordering: str, values: Sequence[Any]) -> str:
        """A cursor for `values` of the keyset named `ordering`."""
        payload = json.dumps(
            {"o": ordering, "v": [_tag(v) for v in values]}, separators=(",", ":")
        ).encode()
        return _b64encode(self._sign(payload) + payload)

    def decode(self, ordering: str, cursor: str) -> list[Any]:
        """The keyset values in `cursor`; raises `InvalidCursor` (400) if it was not made
        by `encode` for the same `ordering`."""
        try:
            raw = _b64decode(cursor)
            signature, payload = raw[: self._SIG_BYTES], raw[self._SIG_BYTES :]
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            data = json.loads(payload)
            if data["o"] != ordering:
                raise ValueError("cursor of another list")
            return [_untag(v) for v in data["v"]]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise InvalidCursor("The cursor is malformed or belongs to another list.") from exc


@lru_cache(maxsize=8)
def codec_for(secret: str) -> CursorCodec:
    """The codec keyed with `secret` (``CommonSettings.cursor_secret``), made once."""
    return CursorCodec(secret)


# --- keyset query ----------------------------------------------------------------------


async def paginate(
    session: AsyncSession,
    stmt: SelectOfScalar[T],
    params: PageParams,
    *,
    order_by: Sequence[Any],
    descending: bool = False,
    codec: CursorCodec | None = None,
) -> Page[T]:
    """Run `stmt` (a SQLModel ``select(Model)``, with no ORDER BY) one page at a time.

    Rows are ordered by `order_by`, model attributes such as ``(Model.created_at,
    Model.id)``, all ascending or all descending; they must be NOT NULL and together
    unique, so end with the primary key.
    """
    keyset = _Keyset(order_by, descending, codec or params.codec)
    rows = list(await session.exec(keyset.narrow(stmt, params)))
    return keyset.page(rows, params)


async def paginate_records(
    session: AsyncSession,
    stmt: SelectOfScalar[Any],
    params: PageParams,
    *,
    order_by: Sequence[Any],
    descending: bool = False,
    codec: CursorCodec | None = None,
) -> Page[Record]:
    """`paginate`, each row read as a `kit.rows.Record` (`kit.rows.fetch`): a list's read
    path, which builds no entity. The cursors are the same."""
    keyset = _Keyset(order_by, descending, codec or params.codec)
    rows = await fetch(session, keyset.narrow(stmt, params))
    return keyset.page(rows, params)


@dataclass(frozen=True)
class _Keyset:
    order_by: Sequence[Any]
    descending: bool
    codec: CursorCodec | None

    def __post_init__(self) -> None:
        if not all(isinstance(col, InstrumentedAttribute) for col in self.order_by):
            raise TypeError("order_by takes model attributes, e.g. (Model.created_at, Model.id)")

    @property
    def ordering(self) -> str:
        ordering = ",".join(f"{col.class_.__name__}.{col.key}" for col in self.order_by)
        return ordering + (":desc" if self.descending else ":asc")

    def narrow(self, stmt: S, params: PageParams) -> S:
        """`stmt` after the cursor's row, in order, one row more than the page."""
        order_by, descending = self.order_by, self.descending
        if params.cursor is not None:
            values = _needs(self.codec).decode(self.ordering, params.cursor)
            if len(values) != len(order_by):
                raise InvalidCursor("The cursor is malformed or belongs to another list.")
            row = tuple_(*order_by)
            after = tuple_(*(literal(v, col.type) for v, col in zip(values, order_by, strict=True)))
            stmt = stmt.where(row < after if descending else row > after)
        stmt = stmt.order_by(*(col.desc() if descending else col.asc() for col in order_by))
        return stmt.limit(params.limit + 1)

    def page(self, rows: list[R], params: PageParams) -> Page[R]:
        next_cursor = None
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            last = rows[-1]
            next_cursor = _needs(self.codec).encode(
                self.ordering, [getattr(last, col.key) for col in self.order_by]
            )
        return Page(items=rows, next_cursor=next_cursor)


def _needs(codec: CursorCodec | None) -> CursorCodec:
    if codec is None:
        raise RuntimeError("paginate needs a CursorCodec: take PageParams from PageParamsDep")
    return codec
