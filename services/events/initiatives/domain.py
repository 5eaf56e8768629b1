"""Initiative rules: vocabularies and the period an initiative runs. Pure: no I/O."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from kit.errors import ValidationFailed


class InitiativeKind(StrEnum):
    WORKSHOP = "workshop"  # laboratorio
    MEETING = "meeting"  # incontro
    INFORMATION_SESSION = "information_session"
    AWARENESS_CAMPAIGN = "awareness_campaign"
    CIVIC_ENGAGEMENT = "civic_engagement"


class Audience(StrEnum):
    BENEFICIARIES = "beneficiaries"  # people the network supports
    PUBLIC = "public"  # anyone in the neighbourhood
    BOTH = "both"


class EndsBeforeItStarts(ValidationFailed):
    slug = "initiative-ends-before-it-starts"
    title = "Initiative ends before it starts"


def check_period(starts_on: date, ends_on: date) -> None:
    """An initiative runs from ``starts_on`` to ``ends_on``, both included: one day at least.

    Raises ``EndsBeforeItStarts`` (422), naming ``ends_on`` as the field at fault.
    """
    if ends_on < starts_on:
        raise EndsBeforeItStarts.for_field(
            "ends_on",
            "ends_on must be on or after starts_on",
            code="ends_before_starts",
            detail=f"An initiative cannot end ({ends_on}) before it starts ({starts_on}).",
        )
