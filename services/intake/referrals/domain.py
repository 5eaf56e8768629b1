"""Referral rules: vocabularies and the status machine. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kit.errors import Conflict
from kit.schemas import TargetGroup as TargetGroup  # the platform's vocabulary (housing too)


class Channel(StrEnum):
    MOBILE_UNIT = "mobile_unit"
    ONE_STOP_SHOP = "one_stop_shop"
    MULTIDISCIPLINARY_TEAM = "multidisciplinary_team"
    PARTNER = "partner"
    HOTLINE = "hotline"
    SELF = "self"


class Urgency(StrEnum):
    IMMEDIATE = "immediate"
    HIGH = "high"
    NORMAL = "normal"


URGENCY_ORDER: Final = (Urgency.NORMAL, Urgency.HIGH, Urgency.IMMEDIATE)
"""Urgencies from least to most urgent (triage raises along it; SLA deadlines shorten)."""


def urgency_rank(urgency: Urgency) -> int:
    """0 for normal, 1 for high, 2 for immediate."""
    return URGENCY_ORDER.index(urgency)


def most_urgent(first: Urgency, *others: Urgency) -> Urgency:
    """The most urgent of the urgencies given."""
    return max((first, *others), key=urgency_rank)


class Need(StrEnum):
    SHELTER = "shelter"
    FOOD = "food"
    HEALTH = "health"
    LEGAL = "legal"
    DOCUMENTS = "documents"
    EDUCATION = "education"
    WORK = "work"
    LANGUAGE = "language"
    PSYCHOLOGICAL = "psychological"
    CHILD_PROTECTION = "child_protection"


class Flag(StrEnum):
    """What the reporter saw that the first responder must know at once (before screening)."""

    SAFETY_RISK = "safety_risk"  # danger to the person or to others on the spot
    HEALTH_EMERGENCY = "health_emergency"
    CHILDREN_PRESENT = "children_present"
    LANGUAGE_BARRIER = "language_barrier"  # needs an interpreter / cultural mediator
    POLICE_INVOLVED = "police_involved"
    REPEAT_CONTACT = "repeat_contact"  # met before by the network
    NIGHT_SHELTER_NEEDED = "night_shelter_needed"


class IllegalTransition(Conflict, slug="illegal-transition", title="Illegal status transition"): ...
