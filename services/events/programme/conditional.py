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

What a body shows of rows only its rendering finds (the free seats of the sessions on one page
of the programme) is checked on those rows alone, not the whole table: the rendering reports
them and their version as it read them (`Shown`), and the freshness asked for a 304 covers
them too, in the same query. A page's 304 then costs that one query, by index, however many
registrations the city holds; the sessions on the page cannot change without moving the rest
of the freshness first.

An answer slow to render (an iCalendar feed: 0.7 s at 2,000 sessions) also opts in to
`Bodies`, which keeps the rendered body itself on the same terms: a full answer of an
unchanged feed is then that query and the bytes kept, rendered once per process. Its freshness
is therefore asked on every request of such an answer, with ``If-None-Match`` or without.
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
class Shown:
    """Rows a body showed that its answer's freshness does not cover: the keys that find them
    again and their version as the rendering read them."""

    keys: tuple[Hashable, ...]
    version: Hashable


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered body, when time alone makes it wrong (``None``: only a change does), and
    the rows it showed beyond its freshness (`Shown`), if any."""

    body: bytes
    valid_until: datetime | None = None
    shown: Shown | None = None


Freshness = Callable[[tuple[Hashable, ...] | None], Awaitable[tuple[Hashable, Hashable]]]
"""An answer's cheap validator: its data's version, and that of the rows these keys find
(`Shown.version` as it is read again; ``None`` when not asked for keys)."""


@dataclass(frozen=True, slots=True)
class _Validator:
    etag: str
    freshness: tuple[Hashable, Hashable]
    shown_keys: tuple[Hashable, ...] | None
    valid_until: datetime | None


class Validators:
    """The ETag last rendered for each answer, with the freshness it was rendered for, the
    oldest forgotten past `size`. Per process: another replica renders once, then answers 304
    too."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._validators: OrderedDict[Hashable, _Validator] = OrderedDict()

    def get(self, answer_key: Hashable, now: datetime) -> _Validator | None:
        """What was last rendered for `answer_key`, if it is still valid at `now`."""
        found = self._validators.get(answer_key)
        if found is None:
            return None
        if found.valid_until is not None and now >= found.valid_until:
            del self._validators[answer_key]
            return None
        self._validators.move_to_end(answer_key)
        return found

    def put(self, answer_key: Hashable, validator: _Validator) -> None:
        self._validators[answer_key] = validator
        self._validators.move_to_end(answer_key)
        while len(self._validators) > self.size:
            self._validators.popitem(last=False)


VALIDATORS = Validators()


@dataclass(frozen=True, slots=True)
class _Body:
    freshness: Hashable
    rendered: Rendered
    etag: str


class Bodies:
    """The body last rendered for each answer, with the freshness it was rendered for and its
    ETag, while valid (`Rendered.valid_until`); the least recently used forgotten once they
    hold more than `max_bytes`. Per process, like `Validators`. A changed freshness replaces
    the answer's body rather than adding one: stale bodies do not fill the cache."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self._bodies: OrderedDict[Hashable, _Body] = OrderedDict()

    def __len__(self) -> int:
        return len(self._bodies)

    def get(self, answer_key: Hashable, freshness: Hashable, now: datetime) -> _Body | None:
        """The body kept for `answer_key` if rendered for `freshness` and still valid at
        `now`; an outdated one is dropped."""
        found = self._bodies.get(answer_key)
        if found is None:
            return None
        valid_until = found.rendered.valid_until
        if found.freshness != freshness or (valid_until is not None and now >= valid_until):
            self._drop(answer_key)
            return None
        self._bodies.move_to_end(answer_key)
        return found

    def put(self, answer_key: Hashable, freshness: Hashable, rendered: Rendered, etag: str) -> None:
        if answer_key in self._bodies:
            self._drop(answer_key)
        if len(rendered.body) > self.max_bytes:
            return  # would evict everything else and still not fit
        self._bodies[answer_key] = _Body(freshness, rendered, etag)
        self.held_bytes += len(rendered.body)
        while self.held_bytes > self.max_bytes:
            self._drop(next(iter(self._bodies)))

    def _drop(self, answer_key: Hashable) -> None:
        self.held_bytes -= len(self._bodies.pop(answer_key).rendered.body)


BODIES_MAX_BYTES = 32 * 1024 * 1024
"""The city-wide feed at 2,000 sessions is 0.9 MB (`bench.initiatives_programme`): room for
it, the nine Municipi's and the initiatives' feeds many times over, in a small share of a
replica's memory."""
BODIES = Bodies(BODIES_MAX_BYTES)


def _headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": CACHE_CONTROL}


async def answer(
    *,
    if_none_match: str | None,
    answer_key: Hashable,
    freshness: Freshness,
    render: Callable[[], Awaitable[Rendered]],
    media_type: str,
    cache_body: bool = False,
    validators: Validators = VALIDATORS,
    bodies: Bodies = BODIES,
    now: Callable[[], datetime] = utcnow,
) -> Response:
    """`render`'s body with its ETag, or a 304 if ``If-None-Match`` holds it. `answer_key`
    names the answer (route and parameters); `freshness` is its cheap validator, asked also
    for the rows the last rendering showed (`Rendered.shown`). With `cache_body` (for answers
    that show no such rows), a body rendered for the same freshness and still valid is
    answered again from `bodies` instead of rendered."""
    if not (if_none_match or cache_body):
        rendered = await render()
        etag = body_etag(rendered.body)
        return Response(rendered.body, media_type=media_type, headers=_headers(etag))
    at = now()
    known = validators.get(answer_key, at)
    if known is not None and none_match(if_none_match, known.etag):
        fresh = await freshness(known.shown_keys)
        if fresh == known.freshness:
            return Response(status_code=304, headers=_headers(known.etag))
    else:
        fresh = await freshness(None)
    data_version = fresh[0]  # read before rendering: a change meanwhile renders again
    kept = bodies.get(answer_key, data_version, at) if cache_body else None
    if kept is not None:
        rendered, etag = kept.rendered, kept.etag
    else:
        rendered = await render()
        etag = body_etag(rendered.body)
        shown = rendered.shown
        validators.put(
            answer_key,
            _Validator(
                etag,
                (data_version, shown.version if shown else None),
                shown.keys if shown else None,
                rendered.valid_until,
            ),
        )
        if cache_body and shown is None:
            bodies.put(answer_key, data_version, rendered, etag)
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
