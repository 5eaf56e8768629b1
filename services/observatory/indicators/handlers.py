"""Consumers of other services' events: they keep the read model the indicators count."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import BatchHandler, ConsumedEvent, OneAtATime, consumed_event
from kit.service import Subscription
from services.observatory.indicators import service
from services.observatory.indicators.schemas import (
    ApprovalDecidedIn,
    AttendanceRecordedIn,
    CaseClosedIn,
    CaseOpenedIn,
    CaseReopenedIn,
    CaseStatusChangedIn,
    FacilityChangedIn,
    FacilityIn,
    FeedbackGivenIn,
    HousingRequestIn,
    InitiativeIn,
    PlacementIn,
    ReferralFirstContactedIn,
    ReferralHandedOverIn,
    ReferralReceivedIn,
    ReviewOverdueIn,
    ReviewRecordedIn,
    SessionIn,
    TurningEighteenIn,
)

M = TypeVar("M", bound=BaseModel)

_INTAKE_REFERRALS = "lgnet.intake.referrals"

REFERRAL_RECEIVED = consumed_event(
    "lgnet.intake.referral.received", topic=_INTAKE_REFERRALS, payload=ReferralReceivedIn
)
REFERRAL_HANDED_OVER = consumed_event(
    "lgnet.intake.referral.handed_over", topic=_INTAKE_REFERRALS, payload=ReferralHandedOverIn
)
REFERRAL_FIRST_CONTACTED = consumed_event(
    "lgnet.intake.referral.first_contacted",
    topic=_INTAKE_REFERRALS,
    payload=ReferralFirstContactedIn,
)
_CASES = "lgnet.casework.cases"
CASE_OPENED = consumed_event(
    "lgnet.casework.case.opened", topic=_CASES, payload=CaseOpenedIn, version=2
)
CASE_CHANGES: list[ConsumedEvent[Any]] = [
    consumed_event("lgnet.casework.case.status_changed", topic=_CASES, payload=CaseStatusChangedIn),
    consumed_event("lgnet.casework.case.closed", topic=_CASES, payload=CaseClosedIn),
    consumed_event("lgnet.casework.case.reopened", topic=_CASES, payload=CaseReopenedIn),
]
APPROVAL_DECIDED = consumed_event(
    "lgnet.casework.approval.decided", topic=_CASES, payload=ApprovalDecidedIn
)
REVIEW_RECORDED = consumed_event(
    "lgnet.casework.review.recorded", topic=_CASES, payload=ReviewRecordedIn
)
REVIEW_OVERDUE = consumed_event(
    "lgnet.casework.review.overdue", topic=_CASES, payload=ReviewOverdueIn
)
TURNING_18 = consumed_event(
    "lgnet.casework.minor.turning_18", topic=_CASES, payload=TurningEighteenIn
)


_INITIATIVES = "lgnet.events.initiatives"
INITIATIVE_EVENTS = [
    consumed_event(
        f"lgnet.events.initiative.{change}",
        topic=_INITIATIVES,
        payload=InitiativeIn,
        version=2 if change == "created" else 1,
    )
    for change in ("created", "changed", "published", "completed", "cancelled")
]
SESSION_EVENTS = [
    consumed_event(f"lgnet.events.session.{change}", topic=_INITIATIVES, payload=SessionIn)
    for change in ("scheduled", "changed", "rescheduled", "cancelled")
]
ATTENDANCE_RECORDED = consumed_event(
    "lgnet.events.attendance.recorded", topic=_INITIATIVES, payload=AttendanceRecordedIn
)
FEEDBACK_GIVEN = consumed_event(
    "lgnet.events.feedback.given", topic=_INITIATIVES, payload=FeedbackGivenIn
)


FACILITY_EVENTS: list[ConsumedEvent[Any]] = [
    consumed_event(
        "lgnet.housing.facility.registered",
        topic="lgnet.housing.facilities",
        payload=FacilityIn,
        version=2,
    ),
    consumed_event(
        "lgnet.housing.facility.changed",
        topic="lgnet.housing.facilities",
        payload=FacilityChangedIn,
    ),
]
REQUEST_EVENTS: list[ConsumedEvent[Any]] = [
    consumed_event(
        f"lgnet.housing.request.{change}", topic="lgnet.housing.requests", payload=HousingRequestIn
    )
    for change in ("filed", "changed", "withdrawn")
]
PLACEMENT_EVENTS: list[ConsumedEvent[Any]] = [
    consumed_event(
        f"lgnet.housing.placement.{change}", topic="lgnet.housing.placements", payload=PlacementIn
    )
    for change in ("started", "ended")
]


async def on_referrals_received(session: AsyncSession, events: list[CloudEvent]) -> None:
    received = [REFERRAL_RECEIVED.read(event) for event in events]
    await service.record_referrals_received(session=session, received=received)


async def on_referrals_handed_over(session: AsyncSession, events: list[CloudEvent]) -> None:
    handovers = [REFERRAL_HANDED_OVER.read(event) for event in events]
    await service.record_referrals_handed_over(session=session, handovers=handovers)


async def on_referrals_first_contacted(session: AsyncSession, events: list[CloudEvent]) -> None:
    contacts = [REFERRAL_FIRST_CONTACTED.read(event) for event in events]
    await service.record_referrals_first_contacted(session=session, contacts=contacts)


async def on_cases_opened(session: AsyncSession, events: list[CloudEvent]) -> None:
    cases = [CASE_OPENED.read(event) for event in events]
    await service.record_cases_opened(session=session, cases=cases)


async def on_case_changes(session: AsyncSession, events: list[CloudEvent]) -> None:
    changes = _read(CASE_CHANGES, events)
    await service.record_case_standings(session=session, changes=changes)


async def on_approvals(session: AsyncSession, events: list[CloudEvent]) -> None:
    decisions = [APPROVAL_DECIDED.read(event) for event in events]
    await service.record_approvals(session=session, decisions=decisions)


async def on_reviews(session: AsyncSession, events: list[CloudEvent]) -> None:
    reviews = [REVIEW_RECORDED.read(event) for event in events]
    await service.record_reviews(session=session, reviews=reviews)


async def on_review_breaches(session: AsyncSession, events: list[CloudEvent]) -> None:
    breaches = [REVIEW_OVERDUE.read(event) for event in events]
    await service.record_review_breaches(session=session, breaches=breaches)


async def on_turning_18(session: AsyncSession, events: list[CloudEvent]) -> None:
    minors = [TURNING_18.read(event) for event in events]
    await service.record_coming_of_age(session=session, minors=minors)


async def on_initiatives(session: AsyncSession, events: list[CloudEvent]) -> None:
    # one handler for every change of an initiative: each event carries its status
    initiatives = _read(INITIATIVE_EVENTS, events)
    await service.record_initiatives(session=session, initiatives=initiatives)


async def on_sessions(session: AsyncSession, events: list[CloudEvent]) -> None:
    # one handler for every change of a session: each event carries the whole session
    sessions = _read(SESSION_EVENTS, events)
    await service.record_sessions(session=session, sessions=sessions)


async def on_attendance(session: AsyncSession, events: list[CloudEvent]) -> None:
    attendances = [ATTENDANCE_RECORDED.read(event) for event in events]
    await service.record_attendance(session=session, attendances=attendances)


def _read(declared: list[ConsumedEvent[M]], events: list[CloudEvent]) -> list[M]:
    """The events' payloads, each read as the declaration of its type says."""
    kinds = {d.name: d for d in declared}
    return [kinds[event.type].read(event) for event in events]


async def on_feedback(session: AsyncSession, events: list[CloudEvent]) -> None:
    answers = [(event.id, FEEDBACK_GIVEN.read(event)) for event in events]
    await service.record_feedback(session=session, answers=answers)


async def on_facilities(session: AsyncSession, events: list[CloudEvent]) -> None:
    facilities = _read(FACILITY_EVENTS, events)
    await service.record_facilities(session=session, facilities=facilities)


async def on_housing_requests(session: AsyncSession, events: list[CloudEvent]) -> None:
    requests = _read(REQUEST_EVENTS, events)
    await service.record_housing_requests(session=session, requests=requests)


async def on_placements(session: AsyncSession, events: list[CloudEvent]) -> None:
    placements = _read(PLACEMENT_EVENTS, events)
    await service.record_placements(session=session, placements=placements)


referrals = Subscription(
    "referrals",
    {
        REFERRAL_RECEIVED: OneAtATime(on_referrals_received),
        REFERRAL_HANDED_OVER: OneAtATime(on_referrals_handed_over),
        REFERRAL_FIRST_CONTACTED: OneAtATime(on_referrals_first_contacted),
    },
    batched={
        REFERRAL_RECEIVED: on_referrals_received,
        REFERRAL_HANDED_OVER: on_referrals_handed_over,
        REFERRAL_FIRST_CONTACTED: on_referrals_first_contacted,
    },
    # a reception sets the channel, a hand-over the lead and its time, a first contact its
    # time, each its own columns, inserting the referral's facts if missing: in any order,
    # the same row
    commutative=True,
)
_CASE_STEPS: list[tuple[ConsumedEvent[Any], BatchHandler]] = [
    (CASE_OPENED, on_cases_opened),
    *((declared, on_case_changes) for declared in CASE_CHANGES),
    (APPROVAL_DECIDED, on_approvals),
    (REVIEW_RECORDED, on_reviews),
    (REVIEW_OVERDUE, on_review_breaches),
    (TURNING_18, on_turning_18),
]
cases = Subscription(
    "cases",
    {declared: OneAtATime(bulk) for declared, bulk in _CASE_STEPS},
    batched={declared: bulk for declared, bulk in _CASE_STEPS},
    # a case's opening, each of its standings, its first plan's earliest approval, its
    # reviews, their breaches and its coming of age are each inserted once, in rows of their
    # own joined when counted: in any order, the same rows
    commutative=True,
)

initiatives = Subscription(
    "initiatives",
    {
        **{declared: OneAtATime(on_initiatives) for declared in INITIATIVE_EVENTS},
        **{declared: OneAtATime(on_sessions) for declared in SESSION_EVENTS},
        ATTENDANCE_RECORDED: OneAtATime(on_attendance),
        FEEDBACK_GIVEN: OneAtATime(on_feedback),
    },
    batched={
        **{declared: on_initiatives for declared in INITIATIVE_EVENTS},
        **{declared: on_sessions for declared in SESSION_EVENTS},
        ATTENDANCE_RECORDED: on_attendance,
        FEEDBACK_GIVEN: on_feedback,
    },
    # an initiative's and a session's latest version wins, an attendance's latest totals,
    # and participants are a set: in any order, the same rows
    commutative=True,
)

_HOUSING: list[tuple[list[ConsumedEvent[Any]], BatchHandler]] = [
    (FACILITY_EVENTS, on_facilities),
    (REQUEST_EVENTS, on_housing_requests),
    (PLACEMENT_EVENTS, on_placements),
]
housing = Subscription(
    "housing",
    {declared: OneAtATime(bulk) for events, bulk in _HOUSING for declared in events},
    batched={declared: bulk for events, bulk in _HOUSING for declared in events},
    # facilities' and requests' latest versions win, a placement's move-out is kept once
    # known, and placements are counted through both by joins: in any order, the same rows
    commutative=True,
)
