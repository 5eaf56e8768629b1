"""Events casework publishes about a case's minors' track (on the cases' topic, key the case
id, so they keep their order with the case's steps).

No direct identifiers: the minor is ``person_ref``; no guardian contact, court or decree
reference, no facility; never the birth date nor a day derived from it. The steps that follow
the birthday happen by the month (`domain.month_end`): a plan opens, and ``turning_18`` is
raised, on the first of a month, so the days they carry (and the events' own times) say the
month of a birth, not its date. An extension says how many months it runs, not when it ends.
"""

from __future__ import annotations

import uuid
from datetime import date

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class MinorEventData(EventData):
    """What every minors' track event carries: the case's facts and its minor."""

    case_id: uuid.UUID
    person_ref: uuid.UUID
    lead_organisation: str
    target_group: str
    municipio: int


class GuardianData(MinorEventData):
    guardian_id: uuid.UUID
    guardian_kind: str
    appointed_on: date
    ended_on: date | None
    version: int


class AgeAssessmentData(MinorEventData):
    assessment_id: uuid.UUID
    status: str
    method: str | None
    outcome: str | None
    presumed_minor: bool
    version: int


class PlacementData(MinorEventData):
    placement_id: uuid.UUID
    kind: str
    starts_on: date
    ends_on: date | None
    version: int


class TransitionPlanOpenedData(MinorEventData):
    plan_id: uuid.UUID
    opened_on: date
    lead_days: int  # the policy's days before the 18th birthday
    estimated: bool  # the birth date behind it is estimated


class TransitionPlanChangedData(MinorEventData):
    plan_id: uuid.UUID
    status: str
    goals: int
    goals_achieved: int
    extension_requested: bool
    version: int


class TurningEighteenData(MinorEventData):
    raised_on: date
    plan_id: uuid.UUID | None
    extended: bool  # a prosieguo amministrativo was recorded by then


class SupportExtendedData(MinorEventData):
    extension_id: uuid.UUID
    decree_on: date
    support_months: int  # whole months of support after the 18th birthday
    version: int


GuardianAppointed = event_type(
    "lgnet.casework.minor.guardian_appointed", topic=TOPIC, payload=GuardianData
)
GuardianChanged = event_type(
    "lgnet.casework.minor.guardian_changed", topic=TOPIC, payload=GuardianData
)
AgeAssessmentRecorded = event_type(
    "lgnet.casework.minor.age_assessment_recorded", topic=TOPIC, payload=AgeAssessmentData
)
PlacementStarted = event_type(
    "lgnet.casework.minor.placement_started", topic=TOPIC, payload=PlacementData
)
PlacementChanged = event_type(
    "lgnet.casework.minor.placement_changed", topic=TOPIC, payload=PlacementData
)
TransitionPlanOpened = event_type(
    "lgnet.casework.minor.transition_plan_opened", topic=TOPIC, payload=TransitionPlanOpenedData
)
TransitionPlanChanged = event_type(
    "lgnet.casework.minor.transition_plan_changed", topic=TOPIC, payload=TransitionPlanChangedData
)
TurningEighteen = event_type(
    "lgnet.casework.minor.turning_18", topic=TOPIC, payload=TurningEighteenData
)
SupportExtended = event_type(
    "lgnet.casework.minor.support_extended", topic=TOPIC, payload=SupportExtendedData
)
