"""What the public programme shows, and when: pure rules, no I/O.

The programme is for anyone, signed in or not, so it shows only what an initiative's organiser
made public: a *published* initiative (one that was published and has since been *completed*
is still read one by one, and in its own calendar feed) and its *scheduled* sessions. Drafts,
cancelled initiatives and cancelled sessions never appear, nor anything about a person (who
wrote it, who registered).

Dates a visitor gives (``from``/``to``) are the city's calendar days (Europe/Rome): ``to`` is
inclusive, to the end of that day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kit.errors import NotFound, ValidationFailed

CITY_ZONE = ZoneInfo("Europe/Rome")  # kit.db.CITY_ZONE, which a pure rule cannot import

LISTED = frozenset({"published"})
"""Initiative statuses whose upcoming sessions the programme and the city-wide feeds list."""
READABLE = frozenset({"published", "completed"})
"""Initiative statuses read one by one (their page and their own calendar feed)."""
SHOWN_SESSION = "scheduled"
"""The only session status shown; a cancelled session is left out of the feeds, not marked
``STATUS:CANCELLED``: a subscribed calendar drops an event the feed no longer holds."""
FEED_HISTORY = timedelta(days=30)
"""How far back the city-wide feeds go: a subscriber keeps last month's sessions, and the feed
does not grow for ever."""


class NotInProgramme(NotFound):
    """A draft, a cancelled or an unknown initiative alike: a draft's existence is not public."""


class InvalidDateRange(ValidationFailed, slug="invalid-date-range", title="Invalid date range"): ...


def day_starts(day: date) -> datetime:
    """The instant a city calendar day begins (aware)."""
    return datetime.combine(day, time(0), tzinfo=CITY_ZONE)


def window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The instants ``[start, end)`` a ``from``/``to`` pair of city days covers (``to``
    inclusive); either may be open."""
    if since is not None and until is not None and until < since:
        raise InvalidDateRange.for_field(
            "to", "must not be before from", code="to_before_from", location="query"
        )
    start = day_starts(since) if since is not None else None
    end = day_starts(until + timedelta(days=1)) if until is not None else None
    return start, end
