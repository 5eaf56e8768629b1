"""Initiative rules: vocabularies, the status machine, who runs and changes an initiative, its
period, languages, topics and partners. Pure: no I/O.

::

    draft --publish--> published --complete--> completed
    draft --cancel---> cancelled <--cancel---- published

An initiative is written as a draft, published for the network and the public programme, and
ends completed or cancelled; an ended one no longer changes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kit.errors import Conflict, Forbidden, ValidationFailed

ORIGINAL_LANGUAGE = "it"
"""An initiative's title and description are in Italian; its translations in other languages."""


class InitiativeKind(StrEnum):
    WORKSHOP = "workshop"  # laboratorio
    MEETING = "meeting"  # incontro
    INFORMATION_SESSION = "information_session"
    AWARENESS_CAMPAIGN = "awareness_campaign"
    CIVIC_ENGAGEMENT_PROJECT = "civic_engagement_project"


class Audience(StrEnum):
    BENEFICIARIES = "beneficiaries"  # people the network supports
    PUBLIC = "public"  # anyone in the neighbourhood
    BOTH = "both"


class InitiativeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


_S = InitiativeStatus

TRANSITIONS: Final = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.PUBLISHED, _S.CANCELLED}),
        _S.PUBLISHED: frozenset({_S.COMPLETED, _S.CANCELLED}),
        _S.COMPLETED: frozenset[InitiativeStatus](),
        _S.CANCELLED: frozenset[InitiativeStatus](),
    }
)
"""Status → the statuses it may move to (read-only)."""

ENDED: Final = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)


class IllegalTransition(
    Conflict, slug="illegal-initiative-transition", title="The initiative cannot move so"
):
    """The initiative's status does not allow the command (409)."""


class InitiativeEnded(Conflict, slug="initiative-ended", title="The initiative has ended"):
    """A completed or cancelled initiative no longer changes (409)."""


class NotOrganising(
    Forbidden, slug="not-organising-the-initiative", title="Your organisation does not organise it"
):
    """An initiative is changed by its organiser organisation or a Comune coordinator (403)."""


class NotRunning(
    Forbidden, slug="not-running-the-initiative", title="Your organisation does not run it"
):
    """An initiative is run by its organiser, its partners or a Comune coordinator (403)."""


class OrganiserAmongPartners(
    ValidationFailed, slug="organiser-among-partners", title="The organiser is not its partner"
):
    """The organiser organisation named among its own partners (422)."""


class EndsBeforeItStarts(
    ValidationFailed,
    slug="initiative-ends-before-it-starts",
    title="Initiative ends before it starts",
):
    """``ends_on`` before ``starts_on`` (422)."""


def transition(current: InitiativeStatus, target: InitiativeStatus) -> InitiativeStatus:
    """`target`, or ``IllegalTransition`` (409) if `current` cannot move to it."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"An initiative that is {current} cannot become {target}.")
    return target


def require_open(status: InitiativeStatus) -> None:
    """409 ``initiative-ended`` once the initiative is completed or cancelled."""
    if status in ENDED:
        raise InitiativeEnded(f"The initiative is {status}: it no longer changes.")


def may_change(*, initiative_organiser: str, organisation: str, coordinator: bool) -> None:
    """An initiative is changed, published and ended by its organiser organisation, and by the
    Comune's coordinators (`coordinator`) whatever its organiser."""
    if not coordinator and organisation != initiative_organiser:
        raise NotOrganising(
            "Only the initiative's organiser organisation, or a Comune coordinator, changes it."
        )


def may_run(
    *, initiative_organiser: str, partners: Collection[str], organisation: str, coordinator: bool
) -> None:
    """An initiative's sessions, registrations and attendance are run by its organiser
    organisation, its partner organisations, and the Comune's coordinators."""
    if not coordinator and organisation != initiative_organiser and organisation not in partners:
        raise NotRunning(
            "Only the initiative's organiser, its partners or a Comune coordinator run it."
        )


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


def check_partners(partners: Iterable[str], *, organiser: str) -> None:
    """422 ``organiser-among-partners`` if the organiser is named among its partners: a
    partner is another organisation that runs the initiative with it."""
    if organiser in partners:
        raise OrganiserAmongPartners.for_field(
            "partner_organisations",
            f"must not name the organiser, {organiser}",
            code="organiser_among_partners",
        )


def distinct(values: Iterable[str]) -> list[str]:
    """Each value once, where it first came: topics and partners are sets, kept in the order
    their author gave them."""
    return list(dict.fromkeys(values))


def languages(translations: Mapping[str, object]) -> list[str]:
    """The languages an initiative has text in: Italian, and those it is translated into,
    sorted."""
    return sorted({ORIGINAL_LANGUAGE, *translations})
