"""Who reads a case note. Pure: no I/O.

A note is written by someone who sees the case and kept at one confidentiality level:

- ``team``: everyone who works on the case — the lead organisation's case workers and
  supervisors, and the active members of its team — and an organisation the lead granted
  its notes to read (``Reach.NOTES``: e.g. the former lead after a transfer), which writes none;
- ``lead_organisation``: the lead organisation's case workers and supervisors only;
- ``author_only``: its author alone.

A note marked ``health`` holds health information (GDPR art. 9): on top of its level, only
active team members whose role needs it (`HEALTH_ROLES`) read it. Coordinators oversee cases,
not what the team writes: they read no notes. A note outside a reader's level is never
returned, listed, counted or exported to them; its author always reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kit.errors import Forbidden


class Confidentiality(StrEnum):
    TEAM = "team"
    LEAD_ORGANISATION = "lead_organisation"
    AUTHOR_ONLY = "author_only"


HEALTH_ROLES: Final = frozenset({"psychologist", "social_worker"})
"""The team roles whose work needs the person's health information."""


@dataclass(frozen=True)
class Reader:
    """Who reads, as the rule needs them."""

    user: str
    of_lead_organisation: bool  # a case worker or supervisor of the lead organisation
    team_role: str | None  # their role as an active member of the team, if they are one
    coordinator: bool = False
    granted: bool = False  # reads by the lead's grant, not working on the case

    @property
    def works_on_case(self) -> bool:
        return self.of_lead_organisation or self.team_role is not None


@dataclass(frozen=True)
class Readable:
    """What a reader may read of a case's notes, besides their own."""

    levels: frozenset[Confidentiality]
    health: bool


def readable(reader: Reader) -> Readable:
    levels: set[Confidentiality] = set()
    if not reader.coordinator and (reader.works_on_case or reader.granted):
        levels.add(Confidentiality.TEAM)
    if not reader.coordinator and reader.of_lead_organisation:
        levels.add(Confidentiality.LEAD_ORGANISATION)
    return Readable(frozenset(levels), health=reader.team_role in HEALTH_ROLES)


def may_read(
    reader: Reader, *, author: str, confidentiality: Confidentiality, health: bool
) -> bool:
    """The rule for one note (the repository states it as SQL)."""
    if reader.user == author:
        return True
    allowed = readable(reader)
    return confidentiality in allowed.levels and (allowed.health or not health)


class MayNotWrite(Forbidden, slug="note-not-allowed", title="You may not write notes here"):
    """Who reads a case by a grant does not write on it (403)."""


class MayNotWriteHealth(
    Forbidden, slug="health-note-not-allowed", title="You may not write health notes"
):
    """Only the active team members whose role needs health information write it (403)."""


def may_write(reader: Reader, *, health: bool) -> None:
    """Anyone who works on the case writes notes; a health note, only who reads them."""
    if not reader.works_on_case:
        raise MayNotWrite("Notes are written by those who work on the case.")
    if health and not readable(reader).health:
        raise MayNotWriteHealth(
            "Health notes are written by team members whose role needs health information."
        )
