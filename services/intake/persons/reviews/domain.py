"""What a duplicate review can be. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum


class ReviewStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # the same person: merged
    DISMISSED = "dismissed"  # not the same person
    OBSOLETE = "obsolete"  # one of the two was erased or merged elsewhere before review
