"""The programme as iCalendar (RFC 5545): a feed a calendar application subscribes to.

One ``VEVENT`` per scheduled session, its ``UID`` (``<session-id>@lgnet``) stable across
changes and its ``SEQUENCE`` the session's version, so a subscriber updates the event it has
instead of adding another. Times are the session's wall-clock times with a ``TZID`` (its zone,
Europe/Rome) and that zone's ``VTIMEZONE``, so a session at 10:00 stays at 10:00 across the
clock changes. ``DTSTAMP`` (and ``LAST-MODIFIED``) is the session's or its initiative's last
change, not the time of the request: the same data gives the same bytes, and the same ETag.
A cancelled session is left out (`domain.SHOWN_SESSION`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//LGNet//Programma delle iniziative//IT"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def uid(session_id: object) -> str:
    return f"{session_id}@lgnet"


def _event(row: Mapping[str, Any]) -> Event:
    zone = ZoneInfo(row["zone"])
    event = Event()
    event.add("uid", uid(row["session_id"]))
    event.add("dtstamp", max(row["session_updated_at"], row["updated_at"]))
    event.add("last-modified", max(row["session_updated_at"], row["updated_at"]))
    event.add("sequence", row["session_version"])
    event.add("dtstart", row["starts_at"].astimezone(zone))
    event.add("dtend", row["ends_at"].astimezone(zone))
    event.add("summary", row["title"])
    if row["description"]:
        event.add("description", row["description"])
    event.add("location", f"{row['venue_name']}, {row['venue_address']}")
    event.add("categories", [row["kind"], *row["topics"]])
    event.add("status", "CONFIRMED")
    return event


def calendar(rows: Iterable[Mapping[str, Any]], *, name: str) -> bytes:
    """The feed named `name` of `rows` (a session with its initiative's columns each)."""
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "Europe/Rome")
    starts: list[datetime] = []
    for row in rows:
        feed.add_component(_event(row))
        starts.append(row["starts_at"])
    if starts:
        # the zones' rules over the years the feed spans, not 1970–2038: a smaller feed
        feed.add_missing_timezones(
            first_date=date(min(starts).year - 1, 1, 1), last_date=date(max(starts).year + 2, 1, 1)
        )
    return bytes(feed.to_ical())
