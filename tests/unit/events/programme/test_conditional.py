"""Rendered bodies kept per process (`conditional.Bodies`): a feed of unchanged data is
answered again without rendering it, until its data changes or time alone makes it wrong, and
the bodies kept never hold more than their bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.events.programme import conditional

NINE = datetime(2027, 1, 1, 9, tzinfo=UTC)


class Feed:
    """A feed whose data is at `version`, counting its renders."""

    def __init__(self, valid_until: datetime | None = None) -> None:
        self.version = 1
        self.renders = 0
        self.valid_until = valid_until
        self.clock = NINE
        self.validators = conditional.Validators()
        self.bodies = conditional.Bodies(max_bytes=1024)

    async def freshness(self, keys: Any) -> tuple[int, None]:
        return self.version, None

    async def render(self) -> conditional.Rendered:
        self.renders += 1
        return conditional.Rendered(f"feed {self.version}".encode(), self.valid_until)

    async def ask(self, held: str | None = None, *, cache_body: bool = True) -> Any:
        return await conditional.answer(
            if_none_match=held,
            answer_key=("calendar", None),
            freshness=self.freshness,
            render=self.render,
            media_type="text/calendar",
            cache_body=cache_body,
            validators=self.validators,
            bodies=self.bodies,
            now=lambda: self.clock,
        )


async def test_a_second_full_answer_of_an_unchanged_feed_is_not_rendered_again() -> None:
    feed = Feed()
    first = await feed.ask()
    second = await feed.ask()
    assert feed.renders == 1
    assert (second.status_code, second.body) == (200, b"feed 1")
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Cache-Control"] == "public, max-age=60"
    assert second.media_type == "text/calendar"
    held = await feed.ask(first.headers["ETag"])
    assert (held.status_code, held.body) == (304, b"")
    stale = await feed.ask('"other"')
    assert (stale.status_code, stale.body) == (200, b"feed 1")
    assert feed.renders == 1


async def test_a_change_of_the_data_renders_it_again_and_replaces_the_body_kept() -> None:
    feed = Feed()
    await feed.ask()
    feed.version = 2
    changed = await feed.ask()
    assert (changed.body, feed.renders) == (b"feed 2", 2)
    assert len(feed.bodies) == 1  # the outdated body is gone, not left to fill the cache
    assert (await feed.ask()).body == b"feed 2"
    assert feed.renders == 2


async def test_a_body_kept_expires_when_time_alone_makes_it_wrong() -> None:
    until = NINE + timedelta(hours=3)  # when a session on it leaves the feed
    feed = Feed(valid_until=until)
    await feed.ask()
    feed.clock = until - timedelta(microseconds=1)
    await feed.ask()
    assert feed.renders == 1
    feed.clock = until
    await feed.ask()
    assert feed.renders == 2


async def test_without_opting_in_every_full_answer_is_rendered() -> None:
    feed = Feed()
    await feed.ask(cache_body=False)
    await feed.ask(cache_body=False)
    assert (feed.renders, len(feed.bodies)) == (2, 0)


def _rendered(size: int, valid_until: datetime | None = None) -> conditional.Rendered:
    return conditional.Rendered(b"x" * size, valid_until)


def test_the_least_recently_used_bodies_go_once_they_hold_more_than_the_bound() -> None:
    bodies = conditional.Bodies(max_bytes=100)
    for name in ("a", "b", "c"):
        bodies.put(name, 1, _rendered(40), f'"{name}"')
    assert bodies.held_bytes <= 100
    assert bodies.get("a", 1, NINE) is None  # the oldest, evicted for "c"
    assert bodies.get("b", 1, NINE) is not None  # used: now the most recent
    bodies.put("d", 1, _rendered(40), '"d"')
    assert bodies.get("c", 1, NINE) is None
    assert {key for key in ("b", "d") if bodies.get(key, 1, NINE)} == {"b", "d"}
    assert bodies.held_bytes == 80


def test_a_body_larger_than_the_bound_is_not_kept_and_evicts_nothing() -> None:
    bodies = conditional.Bodies(max_bytes=100)
    bodies.put("small", 1, _rendered(60), '"s"')
    bodies.put("huge", 1, _rendered(101), '"h"')
    assert bodies.get("huge", 1, NINE) is None
    assert bodies.get("small", 1, NINE) is not None
    assert bodies.held_bytes == 60


def test_an_outdated_or_expired_body_is_dropped_and_its_bytes_freed() -> None:
    bodies = conditional.Bodies(max_bytes=100)
    bodies.put("feed", 1, _rendered(30), '"1"')
    assert bodies.get("feed", 2, NINE) is None  # another freshness: the data changed
    assert (len(bodies), bodies.held_bytes) == (0, 0)
    bodies.put("feed", 1, _rendered(30, valid_until=NINE), '"1"')
    assert bodies.get("feed", 1, NINE) is None
    assert (len(bodies), bodies.held_bytes) == (0, 0)


class Page:
    """A programme page showing sessions ``a`` and ``b``, whose registrations are at
    `seats`: its freshness covers them when asked for their keys."""

    def __init__(self) -> None:
        self.seats = {"a": 1, "b": 1, "elsewhere": 1}
        self.renders = 0
        self.asked: list[tuple[Any, ...] | None] = []
        self.validators = conditional.Validators()

    async def freshness(self, keys: tuple[Any, ...] | None) -> tuple[int, int | None]:
        self.asked.append(keys)
        return 1, None if keys is None else sum(self.seats[key] for key in keys)

    async def render(self) -> conditional.Rendered:
        self.renders += 1
        shown = conditional.Shown(("a", "b"), self.seats["a"] + self.seats["b"])
        return conditional.Rendered(f"seats {shown.version}".encode(), shown=shown)

    async def ask(self, held: str | None) -> Any:
        return await conditional.answer(
            if_none_match=held,
            answer_key="programme",
            freshness=self.freshness,
            render=self.render,
            media_type="application/json",
            validators=self.validators,
            now=lambda: NINE,
        )


async def test_the_rows_a_page_showed_are_checked_again_by_their_keys_alone() -> None:
    page = Page()
    etag = (await page.ask(None)).headers["ETag"]
    assert (await page.ask(etag)).status_code == 304  # rendered to learn its ETag
    assert page.renders == 2
    page.seats["elsewhere"] = 9  # a registration in a session not on the page
    assert (await page.ask(etag)).status_code == 304
    assert page.renders == 2
    assert page.asked == [None, ("a", "b")]  # the page's sessions, once it knows them
    page.seats["b"] = 2  # one on it: its free seats may have changed
    changed = await page.ask(etag)
    assert (changed.status_code, changed.body) == (200, b"seats 3")
    assert page.asked == [None, ("a", "b"), ("a", "b")]
