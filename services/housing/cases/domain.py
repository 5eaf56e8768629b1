"""The facts of a case that housing keeps from casework's events, and what follows from them:
whether a request may be filed for the case, who acts for it, how vulnerable its household is
taken to be. Pure: no I/O.

Housing never reads casework's database. It keeps, per case, the lead organisation, the target
group, the Municipio, the status, intake's urgency, the persons' references and the
organisations on the team — what casework's events carry.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from kit.errors import Conflict
from kit.schemas import TargetGroup

CLOSED: Final = "closed"
"""Casework's status of a case no longer taken in charge: no request is filed for it and its
open requests are withdrawn. (``transferred`` is a case's status while another organisation
decides to take it over: it is still in charge.)"""

_TARGET_GROUPS: Final = {
    "unaccompanied_minor": TargetGroup.UNACCOMPANIED_MINOR,
    "young_adult_leaving_care": TargetGroup.YOUNG_ADULT,
    "vulnerable_family": TargetGroup.VULNERABLE_FAMILY,
    "other_vulnerable": TargetGroup.OTHER,
}


def platform_target_group(casework_target_group: str) -> TargetGroup:
    """Casework's target group in the platform's vocabulary, the one facilities admit by; a
    group casework adds later is ``other`` until housing learns it."""
    return _TARGET_GROUPS.get(casework_target_group, TargetGroup.OTHER)


_GROUP_VULNERABILITY: Final = {
    TargetGroup.UNACCOMPANIED_MINOR: 2,
    TargetGroup.VULNERABLE_FAMILY: 2,
    TargetGroup.YOUNG_ADULT: 1,
    TargetGroup.OTHER: 1,
}
_URGENT_CASES: Final = frozenset({"high", "immediate"})
MAX_VULNERABILITY: Final = 3


def vulnerability(target_group: TargetGroup, case_urgency: str) -> int:
    """The household's vulnerability, 0–3, as the matcher scores it: 2 for an unaccompanied
    minor or a vulnerable family, 1 otherwise, one more when intake judged the case urgent
    (``high`` or ``immediate``)."""
    level = _GROUP_VULNERABILITY[target_group] + (case_urgency in _URGENT_CASES)
    return min(level, MAX_VULNERABILITY)


def acts_for(
    organisation: str, *, lead_organisation: str, team_organisations: Collection[str]
) -> bool:
    """Whether a case worker of `organisation` acts for the case: it leads the case or has an
    active member on its team."""
    return organisation == lead_organisation or organisation in team_organisations


class CaseNotTakenInCharge(
    Conflict,
    slug="case-not-taken-in-charge",
    title="The case is closed",
):
    """409: a request is filed, changed or accepted only for a case still taken in charge."""


def require_taken_in_charge(status: str) -> None:
    if status == CLOSED:
        raise CaseNotTakenInCharge("The case is closed: no housing request is handled for it.")
