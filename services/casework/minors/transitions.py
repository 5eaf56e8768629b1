"""The transition at 18: keeping minors' birth dates from intake, opening transition plans and
raising ``minor.turning_18``. What the periodic jobs do (`jobs`); never commits.

Birth dates are read over REST outside any transaction (`BirthDateClient`), between two short
ones: the first enrols the persons of running minors' cases not followed yet and picks the
copies to fetch (never fetched, or behind the latest version an intake event named), the
second stores the answers. Intake being down loses nothing: the copy stays behind and is
fetched again with backoff.

A transition plan opens the policy's lead before the 18th birthday, claimed by the plan's
unique case id, and ``minor.turning_18`` is raised on the birthday or after, claimed in
``minor_turned_adult``: each once per case, however often or concurrently the job runs. A
rectification after either moves the plan's target date, never a second event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import city_date
from kit.policy import current
from services.casework.cases import service as cases
from services.casework.minors import domain, repository
from services.casework.minors.domain import TrackRecord, TransitionStatus
from services.casework.minors.events import TransitionPlanOpened, TurningEighteen
from services.casework.minors.intake import BirthDateClient, IntakeUnavailable, PersonUnknown
from services.casework.minors.models import BirthDateCopy, SupportExtension, TransitionPlan
from services.casework.minors.policies import MINORS
from services.casework.minors.schemas import IntakeBirthDateIn
from services.casework.minors.service import MinorCase, publish, snapshot

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
"""A failed read is tried again after 30 s, doubling each time up to six hours: intake back
after an outage is caught up within minutes, a long outage costs a request per copy per
six hours."""
UNKNOWN_RETRY = timedelta(days=1)
"""A person intake does not know (a reference typed by hand) or a merged record not followed
yet (the merge event is on its way) is asked about again a day later."""


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure in a row."""
    doubled: timedelta = BACKOFF_FIRST * (2 ** min(max(attempts - 1, 0), 20))
    return min(doubled, BACKOFF_CAP)


async def due_birth_dates(session: AsyncSession, now: datetime, *, limit: int) -> list[uuid.UUID]:
    """Enrol the persons of running minors' cases not followed yet, forget those no minors'
    case needs any more (minimisation), and answer up to `limit` copies to fetch at `now`."""
    minors = cases.running_minors()
    for person_ref in await repository.unfollowed_minors(session, minors, limit=limit):
        await repository.follow(session, person_ref)
    await repository.forget_unneeded(session, minors)
    return [
        copy.person_ref for copy in await repository.stale_birth_dates(session, now, limit=limit)
    ]


@dataclass(frozen=True)
class Read:
    """What intake answered about one person: the answer, or why there is none (a code)."""

    person_ref: uuid.UUID
    answer: IntakeBirthDateIn | None = None
    failure: str | None = None
    retry_after: timedelta | None = None  # None: the exponential backoff


async def read(client: BirthDateClient, http: httpx.AsyncClient, person_ref: uuid.UUID) -> Read:
    """Ask intake (no transaction is open meanwhile)."""
    try:
        answer = await client.read(http, person_ref)
    except PersonUnknown:
        return Read(person_ref, failure="person_unknown", retry_after=UNKNOWN_RETRY)
    except IntakeUnavailable as error:
        return Read(person_ref, failure=str(error)[:40])
    if answer.status == "merged":
        return Read(person_ref, failure="merged", retry_after=UNKNOWN_RETRY)
    return Read(person_ref, answer=answer)


async def store(session: AsyncSession, result: Read, now: datetime) -> bool:
    """Keep what intake answered (an older version than the copy's is ignored), or back off;
    the transition plans of the person's cases follow a new date. Whether it was stored."""
    copy = await repository.birth_date(session, result.person_ref, for_update=True)
    if copy is None:
        return False  # forgotten meanwhile (erased, merged, no longer a minors' case)
    answer = result.answer
    if answer is None or (copy.source_version or 0) > answer.version:
        copy.attempts += 1
        copy.failure = result.failure or "older_version"
        copy.next_attempt_at = now + (result.retry_after or backoff(copy.attempts))
        await session.flush()
        return False
    copy.birth_date, copy.estimated = answer.birth_date, answer.birth_date_estimated
    copy.coming_of_age_on = domain.coming_of_age(answer.birth_date) if answer.birth_date else None
    copy.source_version = answer.version
    copy.fetched_at, copy.failure, copy.attempts = now, None, 0
    # behind still (an event of a version intake does not answer yet): not again this run
    copy.next_attempt_at = now + BACKOFF_FIRST if answer.version < copy.wanted_version else None
    await session.flush()
    await _follow_plans(session, copy, now)
    return True


async def _follow_plans(session: AsyncSession, copy: BirthDateCopy, now: datetime) -> None:
    """A rectified birth date moves the target of the person's transition plans (the plans
    stay open, and ``turning_18`` stays raised once)."""
    case_ids = await cases.cases_of_person(session, copy.person_ref)
    for plan in await repository.plans_of_cases(session, case_ids, for_update=True):
        if (plan.target_on, plan.target_estimated) == (copy.coming_of_age_on, copy.estimated):
            continue
        plan.target_on, plan.target_estimated = copy.coming_of_age_on, copy.estimated
        plan.version += 1
        plan.updated_at, plan.updated_by = now, None
        await session.flush()
        await snapshot(session, TrackRecord.TRANSITION_PLAN, plan, plan.case_id, None, now)


# --- the transition job -----------------------------------------------------------------


def _minor(row: Row[Any]) -> MinorCase:
    return MinorCase(
        case_id=row.case_id,
        lead_organisation=row.lead_organisation,
        target_group=row.target_group,
        municipio=row.municipio,
        person_ref=row.person_ref,
    )


@dataclass(frozen=True)
class Step:
    """One batch of the transition job: the cases it acted on, and how many it looked at."""

    done: list[uuid.UUID]
    seen: int


async def open_plans(session: AsyncSession, *, now: datetime, limit: int) -> Step:
    """Open the transition plan of each minors' case whose 18th birthday's lead (policy)
    begins this month at `now`, and raise ``minor.transition_plan_opened``: once per case.
    By the month (`domain.month_end`): the plan opens up to a month before the lead, never
    after it."""
    policy = await current(session, MINORS, at=now)
    today = city_date(now)
    horizon = domain.month_end(today) + policy.transition_lead
    rows = await repository.transitions_due(session, cases.running_minors(), horizon, limit=limit)
    opened = []
    for row in rows:
        plan_id = uuid.uuid4()
        claimed = await repository.claim_transition_plan(
            session,
            id=plan_id,
            version=1,
            case_id=row.case_id,
            target_on=row.coming_of_age_on,
            target_estimated=row.estimated,
            opened_on=today,
            opened_at=now,
            status=TransitionStatus.OPEN.value,
            goals=[],
            extension_requested=False,
            updated_at=now,
        )
        if not claimed:
            continue  # another run opened it first
        plan = await repository.one_of_case(session, TransitionPlan, row.case_id)
        assert plan is not None
        await snapshot(session, TrackRecord.TRANSITION_PLAN, plan, plan.case_id, None, now)
        await publish(
            session,
            TransitionPlanOpened,
            _minor(row),
            plan_id=plan_id,
            opened_on=today,
            lead_days=policy.transition_lead.days,
            estimated=row.estimated,
        )
        opened.append(row.case_id)
    return Step(opened, len(rows))


async def raise_turning_18(session: AsyncSession, *, now: datetime, limit: int) -> Step:
    """Raise ``minor.turning_18`` for each minors' case whose person turns 18 in `now`'s month
    in Milan (or did before): once per case (claimed in ``minor_turned_adult``). By the month
    (`domain.month_end`), so that the day it is raised on is not the birthday."""
    today = city_date(now)
    rows = await repository.turning_adult(
        session, cases.running_minors(), domain.month_end(today), limit=limit
    )
    raised = []
    for row in rows:
        if not await repository.claim_turned_adult(session, row.case_id, today, now):
            continue
        plan = await repository.one_of_case(session, TransitionPlan, row.case_id)
        extension = await repository.one_of_case(session, SupportExtension, row.case_id)
        await publish(
            session,
            TurningEighteen,
            _minor(row),
            raised_on=today,
            plan_id=plan.id if plan is not None else None,
            extended=extension is not None,
        )
        raised.append(row.case_id)
    return Step(raised, len(rows))
