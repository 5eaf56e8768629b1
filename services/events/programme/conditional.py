"""Cacheable public answers: a strong ETag that is the hash of the body, and ``304 Not
Modified`` for a client (or a city website's cache) that already holds it, answered without
rendering it again.

The ETag must be the body's hash (the programme has no single version), and a body is only
known once rendered. So each answer also has a *freshness*: one cheap aggregate query (how many
rows there are and when the latest of them changed), which changes whenever the data does —
each write of an initiative or a session moves its ``updated_at``, an insert the count. What
time alone changes (a session over drops out of the programme) the rendering tells: the
moment its answer stops being valid (`Rendered.valid_until`). Once a body has been rendered
for a freshness, `Validators` remembers its ETag until then: a later ``If-None-Match`` with
that ETag and the same freshness is a 304 after that one query.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Header
from starlette.responses import Response

from kit.db import utcnow

CACHE_CONTROL = "public, max-age=60"
"""A minute: a city website may show a programme a minute old; a change shows up after it."""


def body_etag(body: bytes) -> str:
    """The strong ETag of `body`: a hash of its bytes (quotes included)."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` holds `etag` (RFC 9110 §13.1.2: weak comparison, ``*``)."""
    if not if_none_match:
        return False
    for tag in (part.strip() for part in if_none_match.split(",")):
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered body, and when time alone makes it wrong (``None``: only a change does)."""

    body: bytes
    valid_until: datetime | None = None


class Validators:
    """The ETag last rendered for each (answer, freshness), the oldest forgotten past
    `size`. Per process: another replica renders once, then answers 304 too."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._etags: OrderedDict[Hashable, tuple[str, datetime | None]] = OrderedDict()

    def get(self, key: Hashable, now: datetime) -> str | None:
        """The ETag rendered for `key`, if it is still valid at `now`."""
        found = self._etags.get(key)
        if found is None:
            return None
        etag, valid_until = found
        if valid_until is not None and now >= valid_until:
            del self._etags[key]
            return None
        self._etags.move_to_end(key)
        return etag

    def put(self, key: Hashable, etag: str, valid_until: datetime | None = None) -> None:
        self._etags[key] = (etag, valid_until)
        self._etags.move_to_end(key)
        while len(self._etags) > self.size:
            self._etags.popitem(last=False)


VALIDATORS = Validators()


def _headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": CACHE_CONTROL}


async def answer(
    *,
    if_none_match: str | None,
    answer_key: Hashable,
    freshness: Callable[[], Awaitable[Hashable]],
    render: Callable[[], Awaitable[Rendered]],
    media_type: str,
    validators: Validators = VALIDATORS,
    now: Callable[[], datetime] = utcnow,
) -> Response:
    """`render`'s body with its ETag, or a 304 if ``If-None-Match`` holds it. `answer_key`
    names the answer (route and parameters); `freshness` is its cheap validator."""
    key: Hashable = None
    if if_none_match:
        key = (answer_key, await freshness())
        known = validators.get(key, now())
        if known is not None and none_match(if_none_match, known):
            return Response(status_code=304, headers=_headers(known))
    rendered = await render()
    etag = body_etag(rendered.body)
    if key is not None:
        validators.put(key, etag, rendered.valid_until)
        if none_match(if_none_match, etag):
            return Response(status_code=304, headers=_headers(etag))
    return Response(rendered.body, media_type=media_type, headers=_headers(etag))


async def if_none_match_header(
    if_none_match: Annotated[
        str | None,
        Header(alias="If-None-Match", description="ETag of the answer already held: 304 if so"),
    ] = None,
) -> str | None:
    return if_none_match
