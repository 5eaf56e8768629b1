"""Housing-request rules: a household's composition and its coarse profile, the request's
statuses and what moves it. Pure: no I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from kit.ages import band_of_age
from kit.errors import Conflict

ADULT_AGE: Final = 18
MAX_HOUSEHOLD: Final = 12


class HousingUrgency(StrEnum):
    """How soon the household must be housed, as the case worker judges it."""

    PLANNED = "planned"  # a known date ahead (leaving care, the end of a stay)
    NORMAL = "normal"
    HIGH = "high"
    IMMEDIATE = "immediate"  # on the street tonight


class RequestStatus(StrEnum):
    WAITING = "waiting"
    PROPOSED = "proposed"  # a place is offered and held while the household decides
    PLACED = "placed"
    WITHDRAWN = "withdrawn"


OPEN: Final = frozenset({RequestStatus.WAITING, RequestStatus.PROPOSED})
"""The statuses of a request still to be housed: it waits, or answers a proposal."""


class WithdrawalReason(StrEnum):
    NO_LONGER_NEEDED = "no_longer_needed"
    HOUSED_ELSEWHERE = "housed_elsewhere"
    FILED_IN_ERROR = "filed_in_error"
    CASE_CLOSED = "case_closed"  # casework closed the case
    CONSENT_WITHDRAWN = "consent_withdrawn"  # a person withdrew consent to housing support
    PERSON_ERASED = "person_erased"


BY_CASE_WORKER: Final = frozenset(
    {
        WithdrawalReason.NO_LONGER_NEEDED,
        WithdrawalReason.HOUSED_ELSEWHERE,
        WithdrawalReason.FILED_IN_ERROR,
    }
)
"""The reasons a case worker gives; the others are the platform's own."""


class MemberSex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class Member:
    """One person of the household: sex and age in years, nothing else."""

    sex: MemberSex
    age: int

    @property
    def minor(self) -> bool:
        return self.age < ADULT_AGE


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def minors(self) -> int:
        return sum(member.minor for member in self.members)

    @property
    def adults(self) -> int:
        return self.size - self.minors

    def age_bands(self) -> dict[str, int]:
        """How many members are in each age band (what events carry: never ages)."""
        return dict(sorted(Counter(str(band_of_age(m.age)) for m in self.members).items()))


class RequestNotOpen(Conflict, slug="request-not-open", title="The request is not open"):
    """409: a placed or withdrawn request does not change."""


class RequestOpenAlready(
    Conflict, slug="request-open-already", title="The case has an open housing request"
):
    """409: one open request per case; change the open one."""


def require_open(status: RequestStatus) -> None:
    if status not in OPEN:
        raise RequestNotOpen(f"The request is {status}.")


def waiting_days(requested_on: date, today: date) -> int:
    return max((today - requested_on).days, 0)


# --- proposals -------------------------------------------------------------------------------


class ProposalStatus(StrEnum):
    LIVE = "live"  # holds its beds
    ACCEPTED = "accepted"  # became a placement
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # its request was withdrawn


class DeclinedBy(StrEnum):
    HOUSEHOLD = "household"
    PROVIDER = "provider"


class DeclineReason(StrEnum):
    """Why a proposal was declined, and so by whom (as Boston's CAS reports it)."""

    HOUSEHOLD_LOCATION = "household_location"  # too far from school, work, family
    HOUSEHOLD_FACILITY = "household_facility"  # the kind of place does not suit them
    HOUSEHOLD_UNREACHABLE = "household_unreachable"
    HOUSEHOLD_OTHER_SOLUTION = "household_other_solution"
    PROVIDER_NEEDS_NOT_MET = "provider_needs_not_met"  # the facility cannot meet their needs
    PROVIDER_GROUP_FIT = "provider_group_fit"  # with the guests there now
    PROVIDER_UNIT_UNAVAILABLE = "provider_unit_unavailable"  # repairs, closed

    @property
    def declined_by(self) -> DeclinedBy:
        household = self.value.startswith("household_")
        return DeclinedBy.HOUSEHOLD if household else DeclinedBy.PROVIDER


class ProposalNotLive(Conflict, slug="proposal-not-live", title="The proposal is not live"):
    """409: a proposal accepted, declined, withdrawn or expired is decided."""


def require_live(status: ProposalStatus, expires_at: datetime, now: datetime) -> None:
    if status is not ProposalStatus.LIVE:
        raise ProposalNotLive(f"The proposal is {status}.")
    if expires_at <= now:
        raise ProposalNotLive("The proposal has expired.")
