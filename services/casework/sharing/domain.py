"""Sharing rules: which legal bases stand in for a withdrawn consent, who records them.
Pure: no I/O.

Consent is one basis among those of GDPR art. 6 and 9. When the network's work with a person
rests on another — a court's mandate for a minor (art. 6(1)(c)), the Comune's public task of
social care (art. 6(1)(e), L. 328/2000), health and social care under art. 9(2)(h) — a
withdrawn consent does not end it. The lead organisation's supervisor records that basis on
the case, with the reference that grounds it (a decree, a law); it covers one purpose.
"""

from __future__ import annotations

from enum import StrEnum

from kit.errors import Forbidden

NETWORK_SHARING, HEALTH_DATA = "network_sharing", "health_data"
"""The consent purposes (intake's vocabulary) whose withdrawal narrows what casework shows."""


class Purpose(StrEnum):
    """The consent purposes (intake's vocabulary) a case's legal basis can cover."""

    NETWORK_SHARING = NETWORK_SHARING
    HEALTH_DATA = HEALTH_DATA


class Basis(StrEnum):
    LEGAL_OBLIGATION = "legal_obligation"  # art. 6(1)(c): e.g. the juvenile court's mandate
    PUBLIC_TASK = "public_task"  # art. 6(1)(e): the Comune's social services
    VITAL_INTERESTS = "vital_interests"  # art. 6(1)(d) / 9(2)(c)
    HEALTH_OR_SOCIAL_CARE = "health_or_social_care"  # art. 9(2)(h)


BASES_FOR: dict[Purpose, frozenset[Basis]] = {
    Purpose.NETWORK_SHARING: frozenset(
        {Basis.LEGAL_OBLIGATION, Basis.PUBLIC_TASK, Basis.VITAL_INTERESTS}
    ),
    Purpose.HEALTH_DATA: frozenset({Basis.VITAL_INTERESTS, Basis.HEALTH_OR_SOCIAL_CARE}),
}
"""purpose → the bases that can cover it (health data need an art. 9 ground)."""


class NotLeadSupervisor(
    Forbidden, slug="not-lead-supervisor", title="Not a supervisor of the lead organisation"
):
    """Only a supervisor of the lead organisation records what the case shares (403)."""


def may_record(*, supervisor: bool, organisation: str, lead_organisation: str) -> None:
    if not (supervisor and organisation == lead_organisation):
        raise NotLeadSupervisor(
            "Only a supervisor of the lead organisation grants access or records a legal basis."
        )
