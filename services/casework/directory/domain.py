"""The service directory's rules, in the shape of Open Referral HSDS 3.0. Pure: no I/O.

The directory lists what the network offers: organisations, the services they provide, the
locations where they provide them (in one of Milan's Municipi) and when (schedules, as iCal
RRULE fields). It is public organisation data, not data about the people served: a service's
contacts are the organisation's desk, never a beneficiary.

A directory organisation may name the network organisation (the Keycloak organisation) that
runs it: that organisation's case supervisors keep its entries, and it receives the referrals
made to its services. Comune coordinators keep every entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Final

from kit.errors import Forbidden, ValidationFailed


class ServiceStatus(StrEnum):
    """HSDS 3.0's service statuses."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class LocationType(StrEnum):
    """Where a service is given: a place, or online/by phone (HSDS ``location_type``)."""

    PHYSICAL = "physical"
    VIRTUAL = "virtual"


class PhoneType(StrEnum):
    """HSDS's suggested phone types."""

    TEXT = "text"
    VOICE = "voice"
    FAX = "fax"
    CELL = "cell"
    VIDEO = "video"
    PAGER = "pager"
    TEXTPHONE = "textphone"


class Frequency(StrEnum):
    """The recurrences HSDS 3.0 allows (``schedule.freq``)."""

    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

BYDAY_PATTERN: Final = r"^([+-]?[1-5]?(MO|TU|WE|TH|FR|SA|SU))(,[+-]?[1-5]?(MO|TU|WE|TH|FR|SA|SU))*$"
"""RFC 5545 BYDAY: weekdays, comma-separated, each with an optional ordinal (``1SA``, ``-1FR``)."""

BYMONTHDAY_PATTERN: Final = r"^-?([1-9]|[12][0-9]|3[01])(,-?([1-9]|[12][0-9]|3[01]))*$"
"""RFC 5545 BYMONTHDAY: days of the month 1–31 (or -1…-31 from its end), comma-separated."""


_ISO_639_1_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs "
    "cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha "
    "he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn "
    "ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb "
    "nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
    "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw "
    "ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu "
)
ISO_639_1: Final = frozenset(_ISO_639_1_CODES.split())
"""The 184 two-letter codes of ISO 639-1 (a language with none has a three-letter ISO 639-3
code, whose shape alone is checked)."""

_ORDINAL = re.compile(r"^[+-]?[1-5]")

MUNICIPIO_REGION = "Municipio {}"
"""How a location's Municipio is written in HSDS (``address.region``, the district)."""


@dataclass(frozen=True)
class Recurrence:
    """A schedule's iCal fields, as the rules need them."""

    freq: Frequency | None
    interval: int | None
    byday: str | None
    bymonthday: str | None
    count: int | None
    dtstart: date | None
    until: date | None
    valid_from: date | None
    valid_to: date | None
    opens_at: time | None
    closes_at: time | None


class InvalidSchedule(ValidationFailed, slug="invalid-schedule", title="Invalid schedule"):
    """A schedule whose iCal fields do not make one rule (`check_schedule`; 422)."""


class InvalidAgeRange(ValidationFailed, slug="invalid-age-range", title="Invalid age range"):
    """``maximum_age`` below ``minimum_age`` (422)."""


class UnknownDirectoryEntry(
    ValidationFailed, slug="unknown-directory-entry", title="Unknown directory entry"
):
    """A request names an organisation, service or location the directory does not hold (422)."""


class NotTakingReferrals(
    ValidationFailed, slug="service-not-taking-referrals", title="The service takes no referrals"
):
    """A referral names a service that is not active, or that no network organisation runs (422)."""


def check_schedule(rule: Recurrence, at: tuple[str | int, ...]) -> None:
    """A schedule's fields must make one RFC 5545 rule: the ``by…`` parts, ``interval``,
    ``count`` and ``until`` only with a ``freq``; ordinals in ``byday`` only monthly;
    ``bymonthday`` not weekly; ``count`` and ``until`` not both; and each span in order
    (``dtstart`` ≤ ``until``, ``valid_from`` ≤ ``valid_to``, ``opens_at`` < ``closes_at``).
    `at` is the schedule's place in the request (``("schedules", 0)``), for the 422."""
    errors: list[tuple[str, str, str]] = []
    needs_freq = ("interval", "byday", "bymonthday", "count", "until")
    if rule.freq is None:
        errors += [
            (f, "needs a freq", "needs_freq") for f in needs_freq if getattr(rule, f) is not None
        ]
    if rule.freq is Frequency.WEEKLY:
        if rule.bymonthday is not None:
            errors.append(("bymonthday", "is not allowed with a WEEKLY freq", "weekly_monthday"))
        if rule.byday is not None and any(_ORDINAL.match(d) for d in rule.byday.split(",")):
            errors.append(("byday", "takes no ordinal with a WEEKLY freq", "weekly_ordinal"))
    if rule.count is not None and rule.until is not None:
        errors.append(("until", "and count are not both allowed", "count_and_until"))
    if rule.dtstart is not None and rule.until is not None and rule.until < rule.dtstart:
        errors.append(("until", "must not come before dtstart", "before_start"))
    if (
        rule.valid_from is not None
        and rule.valid_to is not None
        and rule.valid_to < rule.valid_from
    ):
        errors.append(("valid_to", "must not come before valid_from", "before_start"))
    if rule.opens_at is not None and rule.closes_at is not None and rule.closes_at <= rule.opens_at:
        errors.append(("closes_at", "must come after opens_at", "before_start"))
    if (rule.opens_at is None) != (rule.closes_at is None):
        field = "closes_at" if rule.closes_at is None else "opens_at"
        errors.append((field, "opens_at and closes_at go together", "half_open"))
    if errors:
        raise InvalidSchedule.from_pydantic(
            [{"loc": (*at, field), "msg": msg, "type": code} for field, msg, code in errors],
            loc_prefix=("body",),
        )


def check_ages(minimum_age: int | None, maximum_age: int | None) -> None:
    """An age range in order (``minimum_age`` ≤ ``maximum_age``)."""
    if minimum_age is not None and maximum_age is not None and maximum_age < minimum_age:
        raise InvalidAgeRange.for_field(
            "maximum_age", "must not be below minimum_age", code="before_start"
        )


class NotKeepingTheEntry(
    Forbidden, slug="directory-entry-not-yours", title="You do not keep this directory entry"
):
    """A case supervisor keeps only the entries of their own organisation (403)."""


def may_keep(*, coordinator: bool, organisation: str, network_organisation: str | None) -> None:
    """Coordinators keep every entry; a case supervisor, those of the directory organisation
    linked to their network organisation."""
    if coordinator or (network_organisation is not None and network_organisation == organisation):
        return
    raise NotKeepingTheEntry(
        "Only a coordinator, or a case supervisor of the organisation that runs it, changes "
        "this directory entry."
    )


def takes_referrals(status: ServiceStatus, network_organisation: str | None) -> str:
    """The network organisation that answers a referral to a service: the one linked to the
    service's directory organisation, while the service is active."""
    if status is not ServiceStatus.ACTIVE:
        raise NotTakingReferrals.for_field(
            "service_id", f"is not active ({status.value})", code="service_not_active"
        )
    if network_organisation is None:
        raise NotTakingReferrals.for_field(
            "service_id",
            "is run by no network organisation, which could answer a referral",
            code="service_not_in_network",
        )
    return network_organisation
