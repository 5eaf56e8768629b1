"""The programme's rules without I/O: city days as instants, ETags and 304s decided from a
validator, and the iCalendar feed as the real ``icalendar`` library reads it back."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from services.events.programme import calendar, conditional
from services.events.programme.domain import InvalidDateRange, window


def test_a_day_range_is_the_citys_days_with_to_inclusive_across_the_clock_change() -> None:
    start, end = window(date(2026, 10, 25), date(2026, 10, 25))
    assert start == datetime(2026, 10, 24, 22, tzinfo=UTC)  # midnight CEST
    assert end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # next midnight, CET: a 25-hour day
    assert window(None, None) == (None, None)
    assert window(date(2027, 3, 28), None)[1] is None


def test_to_before_from_is_refused() -> None:
    with pytest.raises(InvalidDateRange):
        window(date(2027, 1, 2), date(2027, 1, 1))


@pytest.mark.parametrize(
    ("held", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),  # If-None-Match compares weakly
        ('"x", "abc"', True),
        ("*", True),
        ('"abcd"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match(held: str | None, matches: bool) -> None:
    assert conditional.none_match(held, '"abc"') is matches


def test_the_etag_is_a_strong_hash_of_the_body() -> None:
    assert conditional.body_etag(b"one") == conditional.body_etag(b"one")
    assert conditional.body_etag(b"one") != conditional.body_etag(b"two")
    assert conditional.body_etag(b"one").startswith('"')


async def test_a_304_once_rendered_is_decided_without_rendering_again() -> None:
    rendered: list[int] = []
    version = [1]
    validators = conditional.Validators(size=2)
    clock = [datetime(2027, 1, 1, 9, tzinfo=UTC)]
    until = datetime(2027, 1, 1, 12, tzinfo=UTC)  # when a session on it is over

    async def freshness(keys: Any) -> tuple[int, None]:
        return version[0], None

    async def render() -> conditional.Rendered:
        rendered.append(version[0])
        return conditional.Rendered(f"body {version[0]}".encode(), valid_until=until)

    async def ask(held: str | None) -> Any:
        return await conditional.answer(
            if_none_match=held,
            answer_key="programme",
            freshness=freshness,
            render=render,
            media_type="application/json",
            validators=validators,
            now=lambda: clock[0],
        )

    full = await ask(None)
    etag = full.headers["ETag"]
    assert (full.status_code, full.body, full.headers["Cache-Control"]) == (
        200,
        b"body 1",
        "public, max-age=60",
    )
    assert (await ask(etag)).status_code == 304  # rendered to learn its ETag, then remembered
    assert rendered == [1, 1]
    again = await ask(etag)
    assert (again.status_code, again.body, again.headers["ETag"]) == (304, b"", etag)
    assert rendered == [1, 1]  # not rendered
    clock[0] = until  # time alone: rendered again (the same body here), then remembered again
    assert (await ask(etag)).status_code == 304
    assert rendered == [1, 1, 1]
    version[0] = 2
    changed = await ask(etag)
    assert changed.status_code == 200
    assert changed.body == b"body 2"
    assert rendered == [1, 1, 1, 2]


def _row(starts_at: datetime, **changes: Any) -> dict[str, Any]:
    changed = datetime(2026, 9, 1, 8, tzinfo=UTC)
    return {
        "session_id": uuid.uuid4(),
        "session_version": 3,
        "session_updated_at": changed,
        "updated_at": changed - timedelta(days=1),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "zone": "Europe/Rome",
        "title": "Incontro informativo",
        "description": None,
        "venue_name": "Cascina",
        "venue_address": "Via Due 2, Milano",
        "kind": "meeting",
        "topics": ["lavoro"],
        **changes,
    }


def test_the_feed_keeps_wall_clock_times_in_rome_with_its_vtimezone() -> None:
    autumn = _row(datetime(2026, 10, 25, 9, tzinfo=UTC))  # 10:00 CET
    spring = _row(datetime(2027, 3, 28, 8, tzinfo=UTC))  # 10:00 CEST
    feed = Calendar.from_ical(calendar.calendar([autumn, spring], name="Programma"))

    assert [str(tz["TZID"]) for tz in feed.walk("VTIMEZONE")] == ["Europe/Rome"]
    found: dict[str, Any] = {str(event["UID"]): event for event in feed.walk("VEVENT")}
    for row, offset in ((autumn, timedelta(hours=1)), (spring, timedelta(hours=2))):
        event = found[f"{row['session_id']}@lgnet"]
        start = event["DTSTART"].dt
        assert (start.hour, start.minute, start.utcoffset()) == (10, 0, offset)
        assert event["DTSTART"].params["TZID"] == "Europe/Rome"
        assert event["SEQUENCE"] == 3
        assert event["DTSTAMP"].dt == row["session_updated_at"]
        assert str(event["SUMMARY"]) == "Incontro informativo"
        assert str(event["LOCATION"]) == "Cascina, Via Due 2, Milano"


def test_the_same_sessions_give_the_same_bytes() -> None:
    row = _row(datetime(2027, 1, 5, 16, tzinfo=UTC))
    assert calendar.calendar([row], name="x") == calendar.calendar([dict(row)], name="x")
    empty = Calendar.from_ical(calendar.calendar([], name="x"))
    assert empty.walk("VEVENT") == []
