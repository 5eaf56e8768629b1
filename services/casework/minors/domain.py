"""The minors' track of a case (MSNA, L. 47/2017 "legge Zampa"): the volunteer guardian, the
age assessment, reception placements, the transition at 18 and the extension of support to 21.
Pure: no I/O.

A case of target group ``unaccompanied_minor`` concerns one minor (siblings have a case each,
as each has a guardian of their own): the track is the case's, its minor the case's person.

- **Guardian** (art. 11): appointed by the Tribunale per i minorenni from its list of
  volunteers, or an institutional one meanwhile; one appointment is in force at a time.
- **Age assessment** (art. 5, art. 19-bis D.Lgs. 142/2015; DPCM 234/2016): only where age is
  in doubt; the person is presumed a minor while it is pending, and an inconclusive outcome
  keeps the presumption (benefit of the doubt).
- **Placements**: first reception, then second reception (SAI), foster care or a community.
- **Transition at 18**: a transition plan opens a policy's number of days before the 18th
  birthday (read from intake: an age band is not enough), and the turn of 18 is raised once.
- **Prosieguo amministrativo** (art. 13(2)): the juvenile court may extend support after 18,
  up to the 21st birthday at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from kit.errors import Conflict, ValidationFailed

AGE_OF_MAJORITY: Final = 18
SUPPORT_LIMIT_AGE: Final = 21
"""The prosieguo amministrativo ends by the 21st birthday (L. 47/2017 art. 13(2))."""


class NotAMinorsCase(Conflict, slug="not-a-minors-case", title="Not a minors' case"):
    """The minors' track is for a case of an unaccompanied minor, who is its one person (409)."""


class GuardianKind(StrEnum):
    VOLUNTEER = "volunteer"  # tutore volontario, from the court's list (art. 11)
    INSTITUTIONAL = "institutional"  # the head of a public body or facility, meanwhile
    OTHER = "other"


class AssessmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    REQUESTED = "requested"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CONTESTED = "contested"  # the outcome is challenged before the court


class AssessmentMethod(StrEnum):
    DOCUMENTARY = "documentary"  # identity documents first (art. 19-bis c. 3)
    MULTIDISCIPLINARY = "multidisciplinary"  # the socio-health procedure of DPCM 234/2016
    MEDICAL = "medical"  # medical examination alone: the least reliable, last resort
    OTHER = "other"


class AssessmentOutcome(StrEnum):
    MINOR = "minor"
    ADULT = "adult"
    INCONCLUSIVE = "inconclusive"  # the doubt stands: counted as a minor


ASSESSMENT_TRANSITIONS: Final[dict[AssessmentStatus, frozenset[AssessmentStatus]]] = {
    AssessmentStatus.NOT_STARTED: frozenset(
        {AssessmentStatus.REQUESTED, AssessmentStatus.COMPLETED}  # documents may settle it
    ),
    AssessmentStatus.REQUESTED: frozenset(
        {AssessmentStatus.IN_PROGRESS, AssessmentStatus.COMPLETED}
    ),
    AssessmentStatus.IN_PROGRESS: frozenset({AssessmentStatus.COMPLETED}),
    AssessmentStatus.COMPLETED: frozenset({AssessmentStatus.CONTESTED}),
    AssessmentStatus.CONTESTED: frozenset(
        {AssessmentStatus.IN_PROGRESS, AssessmentStatus.COMPLETED}
    ),
}
"""status → the statuses an age assessment may move to (staying put corrects its details)."""

_DECIDED = frozenset({AssessmentStatus.COMPLETED, AssessmentStatus.CONTESTED})
_UNDER_WAY = frozenset({AssessmentStatus.IN_PROGRESS, *_DECIDED})


class IllegalAssessmentTransition(
    Conflict, slug="illegal-age-assessment-transition", title="Illegal age assessment transition"
):
    """The assessment's status does not allow the step asked for (409)."""


@dataclass(frozen=True)
class Assessment:
    status: AssessmentStatus
    method: AssessmentMethod | None
    requested_on: date | None
    outcome: AssessmentOutcome | None
    outcome_on: date | None


def assess(current: AssessmentStatus | None, proposed: Assessment, *, today: date) -> Assessment:
    """`proposed` if it may follow `current` (None: the first record, in any status but
    ``contested``), with what its status needs: a request date once requested, a method once
    under way, an outcome and its date once decided, and no outcome before. 409 for an
    illegal step, 422 for a missing or inconsistent field."""
    status = proposed.status
    if current is None:
        if status is AssessmentStatus.CONTESTED:
            raise IllegalAssessmentTransition("Only a completed assessment can be contested.")
    elif status is not current and status not in ASSESSMENT_TRANSITIONS[current]:
        raise IllegalAssessmentTransition(f"An assessment {current} cannot become {status}.")
    if status in (AssessmentStatus.REQUESTED, AssessmentStatus.IN_PROGRESS):
        _require(proposed.requested_on, "requested_on", status)
    if status in _UNDER_WAY:
        _require(proposed.method, "method", status)
    if status in _DECIDED:
        _require(proposed.outcome, "outcome", status)
        _require(proposed.outcome_on, "outcome_on", status)
    elif proposed.outcome is not None or proposed.outcome_on is not None:
        field = "outcome" if proposed.outcome is not None else "outcome_on"
        raise ValidationFailed.for_field(
            field, f"is given only once the assessment is decided, not {status}", code="premature"
        )
    for field in ("requested_on", "outcome_on"):
        not_after(getattr(proposed, field), today, field)
    if (
        proposed.requested_on
        and proposed.outcome_on
        and proposed.outcome_on < proposed.requested_on
    ):
        raise ValidationFailed.for_field(
            "outcome_on", "cannot come before requested_on", code="dates_out_of_order"
        )
    return proposed


def _require(value: object, field: str, status: AssessmentStatus) -> None:
    if value is None:
        raise ValidationFailed.for_field(field, f"is needed when {status}", code="missing")


def presumed_minor(outcome: AssessmentOutcome | None) -> bool:
    """Minority is presumed until an assessment concludes ``adult`` (art. 19-bis c. 9):
    pending, minor or inconclusive all count as a minor."""
    return outcome is not AssessmentOutcome.ADULT


class PlacementKind(StrEnum):
    FIRST_RECEPTION = "first_reception"  # prima accoglienza, dedicated to minors (art. 4)
    SECOND_RECEPTION_SAI = "second_reception_sai"  # SAI, integrated reception
    FAMILY_FOSTER_CARE = "family_foster_care"  # affidamento familiare (art. 7)
    COMMUNITY = "community"  # comunità educativa per minori
    SEMI_AUTONOMY = "semi_autonomy"  # alloggio per l'autonomia, towards 18
    OTHER = "other"


class TrackRecord(StrEnum):
    """The kinds of record a case's track keeps every version of."""

    GUARDIAN = "guardian"
    AGE_ASSESSMENT = "age_assessment"
    PLACEMENT = "placement"
    TRANSITION_PLAN = "transition_plan"
    EXTENSION = "extension"


# --- dates ------------------------------------------------------------------------------


def birthday(birth_date: date, age: int) -> date:
    """The day one born on `birth_date` turns `age`. Born on 29 February, in a year without
    one the term ends on the last day of February (art. 2963 c. 4 of the Civil Code: a term
    whose day is missing in its month ends on that month's last day)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return date(birth_date.year + age, 2, 28)


def coming_of_age(birth_date: date) -> date:
    """The 18th birthday."""
    return birthday(birth_date, AGE_OF_MAJORITY)


def support_limit(birth_date: date) -> date:
    """The 21st birthday: the last day a prosieguo amministrativo may run to."""
    return birthday(birth_date, SUPPORT_LIMIT_AGE)


def month_end(day: date) -> date:
    """The last day of `day`'s month.

    The track's steps that follow a birthday happen by the month, not the day — the
    transition plan opens on the first of the month its lead begins in, ``turning_18`` is
    raised on the first of the month of the 18th birthday ("turning 18 this month") — so that
    the day an event is published on says the month of a birth, never its date."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def transition_opens_on(coming_of_age_on: date, lead: timedelta) -> date:
    """The day a minor's transition plan opens: `lead` before the 18th birthday."""
    return coming_of_age_on - lead


def transition_due(coming_of_age_on: date, *, today: date, lead: timedelta) -> bool:
    return today >= transition_opens_on(coming_of_age_on, lead)


def turned_adult(coming_of_age_on: date, *, today: date) -> bool:
    """18 on the birthday itself (the city's calendar day)."""
    return today >= coming_of_age_on


def not_after(value: date | None, today: date, field: str) -> None:
    """422 ``date_in_future`` when `value` is after `today` (JSON Schema has no "now")."""
    if value is not None and value > today:
        raise ValidationFailed.for_field(field, "cannot be in the future", code="date_in_future")


def not_before(value: date | None, earliest: date, field: str, what: str) -> None:
    if value is not None and value < earliest:
        raise ValidationFailed.for_field(
            field, f"cannot come before {what}", code="dates_out_of_order"
        )


# --- the extension to 21 ----------------------------------------------------------------


class ComingOfAgeUnknown(
    Conflict, slug="coming-of-age-unknown", title="The minor's birth date is not known yet"
):
    """Casework has no birth date of the minor from intake yet (409: it is fetched shortly)."""


@dataclass(frozen=True)
class Extension:
    decree_on: date
    support_ends_on: date


def extend(extension: Extension, *, birth_date: date | None, today: date) -> Extension:
    """The court's extension of support, if its end lies after the 18th birthday and by the
    21st (422 otherwise); the decree is not in the future."""
    if birth_date is None:
        raise ComingOfAgeUnknown("The minor's birth date has not come from intake yet.")
    not_after(extension.decree_on, today, "decree_on")
    if extension.support_ends_on <= coming_of_age(birth_date):
        raise ValidationFailed.for_field(
            "support_ends_on", "must come after the 18th birthday", code="not_after_majority"
        )
    if extension.support_ends_on > support_limit(birth_date):
        raise ValidationFailed.for_field(
            "support_ends_on", "cannot come after the 21st birthday", code="beyond_support_limit"
        )
    return extension


def whole_months(start: date, end: date) -> int:
    """Whole months from `start` to `end` (what an event says of an extension's length)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (end.day < start.day), 0)


# --- the transition plan ----------------------------------------------------------------


class TransitionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TransitionArea(StrEnum):
    """What a transition plan works on before 18."""

    RESIDENCE_PERMIT = "residence_permit"  # the permit's conversion at 18
    HOUSING = "housing"
    WORK = "work"
    EDUCATION = "education"
    INCOME = "income"
    SOCIAL_TIES = "social_ties"
    EXTENSION_REQUEST = "extension_request"  # asking the court for the prosieguo
    OTHER = "other"


# --- policy -----------------------------------------------------------------------------


class MinorsPolicy(BaseModel):
    """How long before the 18th birthday a minor's transition plan opens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transition_lead: Annotated[timedelta, Field(ge=timedelta(days=30), le=timedelta(days=730))]


DEFAULT_MINORS_POLICY: Final = MinorsPolicy(
    # co-design default: six months, for the permit's conversion and a prosieguo request to be
    # prepared before the cliff edge of the birthday
    transition_lead=timedelta(days=183),
)
"""The minors' policy used until a coordinator publishes a version."""
