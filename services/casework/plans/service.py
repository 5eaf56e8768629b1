"""Plan use cases: make the first version, revise, read any version. Never commits.

Every change locks the case's row (`cases.service.managed`) before it reads the plan's
version, so that two revisions from the same ``If-Match`` are serialised: the second finds the
version moved on and is answered 412, never saved over the first.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction
from kit.auth import Principal
from kit.db import utcnow
from kit.errors import Conflict, NotFound
from kit.etag import require_if_match
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.cases import service as cases
from services.casework.cases.schemas import CaseFacts, Reach
from services.casework.plans import domain, repository
from services.casework.plans.domain import Achievement, ActionStatus, Content
from services.casework.plans.events import PlanRevised
from services.casework.plans.models import Plan, PlanVersion
from services.casework.plans.schemas import PlanIn


class PlanNotFound(NotFound, slug="plan-not-found", title="Plan not found"): ...


class PlanExists(Conflict, slug="plan-exists", title="The case has a plan already"):
    """A case has one plan, revised version by version (409)."""


async def create(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, plan_in: PlanIn
) -> tuple[CaseFacts, Plan, PlanVersion]:
    """The case's plan, version 1."""
    case = await cases.managed(session, principal, case_id)
    cases.require_running(case, "given a plan")
    if await repository.plan_of(session, case.id) is not None:
        raise PlanExists("This case has a plan already: revise it (PUT, with If-Match).")
    content = domain.revise(_content(plan_in), active_members=await _active(session, case.id))
    now = utcnow()
    plan = Plan(case_id=case.id, created_by=principal.subject, created_at=now, updated_at=now)
    session.add(plan)
    await session.flush()
    return await _saved(session, principal, CaseFacts.model_validate(case), plan, content, now)


async def revise(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    if_match: str | None,
    plan_in: PlanIn,
) -> tuple[CaseFacts, Plan, PlanVersion]:
    """A new version of the case's plan, made from the version `if_match` names."""
    case = await cases.managed(session, principal, case_id)
    plan = await _plan(session, case.id, for_update=True)
    require_if_match(if_match, plan.version)
    cases.require_running(case, "given a new plan version")
    latest = await repository.version_of(session, plan.id, plan.version)
    before = domain.owners(_stored(latest)) if latest is not None else {}
    content = domain.revise(
        _content(plan_in), active_members=await _active(session, case.id), owners_before=before
    )
    plan.version += 1
    now = utcnow()
    plan.updated_at = now
    return await _saved(session, principal, CaseFacts.model_validate(case), plan, content, now)


async def _saved(
    session: AsyncSession,
    principal: Principal,
    facts: CaseFacts,
    plan: Plan,
    content: Content,
    now: datetime,
) -> tuple[CaseFacts, Plan, PlanVersion]:
    version = PlanVersion(
        plan_id=plan.id,
        version=plan.version,
        goals=[_json(goal) for goal in content.goals],
        actions=[_json(action) for action in content.actions],
        changed_by=principal.subject,
        changed_at=now,
    )
    session.add(version)
    await session.flush()
    await cases.CASES.record(session, principal, AuditAction.UPDATE, facts.id)
    data = PlanRevised.payload.of(
        facts,
        case_id=facts.id,
        plan_version=plan.version,
        domains=sorted({goal.domain for goal in content.goals}),
        goals=len(content.goals),
        goals_achieved=sum(g.achievement is Achievement.ACHIEVED for g in content.goals),
        actions=len(content.actions),
        actions_done=sum(a.status is ActionStatus.DONE for a in content.actions),
        changed_at=now,
    )
    await record_event(
        session, PlanRevised, data, subject=str(facts.id), organisation=facts.lead_organisation
    )
    return facts, plan, version


async def latest(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[CaseFacts, Plan, PlanVersion]:
    """The plan's latest version (the read of the case is audited)."""
    return await version(session=session, principal=principal, case_id=case_id, number=None)


async def version(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, number: int | None
) -> tuple[CaseFacts, Plan, PlanVersion]:
    """Version `number` of the case's plan (None: the latest)."""
    case = await cases.get(session=session, principal=principal, case_id=case_id, reach=Reach.PLAN)
    plan = await _plan(session, case.id)
    found = await repository.version_of(session, plan.id, number or plan.version)
    if found is None:
        raise PlanNotFound(f"The plan of case {case_id} has no version {number}.")
    return CaseFacts.model_validate(case), plan, found


async def versions(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, page: PageParams
) -> tuple[CaseFacts, Plan, Page[PlanVersion]]:
    """Every version of the case's plan, oldest first."""
    case = await cases.get(session=session, principal=principal, case_id=case_id, reach=Reach.PLAN)
    plan = await _plan(session, case.id)
    return (
        CaseFacts.model_validate(case),
        plan,
        await repository.versions_of(session, plan.id, page),
    )


async def latest_version_number(session: AsyncSession, case_id: uuid.UUID) -> int | None:
    """The number of the case's latest plan version; None if it has no plan."""
    plan = await repository.plan_of(session, case_id)
    return None if plan is None else plan.version


async def _plan(session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False) -> Plan:
    plan = await repository.plan_of(session, case_id, for_update=for_update)
    if plan is None:
        raise PlanNotFound(f"Case {case_id} has no plan yet.")
    return plan


async def _active(session: AsyncSession, case_id: uuid.UUID) -> frozenset[uuid.UUID]:
    return frozenset(m.id for m in await cases.active_members(session, case_id))


def _content(plan_in: PlanIn) -> Content:
    return Content(
        goals=tuple(domain.Goal(**goal.model_dump()) for goal in plan_in.goals),
        actions=tuple(domain.Action(**action.model_dump()) for action in plan_in.actions),
    )


def _stored(version: PlanVersion) -> Content:
    plan_in = PlanIn.model_validate({"goals": version.goals, "actions": version.actions})
    return _content(plan_in)


def _json(item: domain.Goal | domain.Action) -> dict[str, Any]:
    """A goal or an action as stored: ids and dates as their JSON text."""
    stored: dict[str, Any] = json.loads(json.dumps(asdict(item), default=str))
    return stored


async def held_on_case(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every version of the case's plan as JSON values (subject access)."""
    plan = await repository.plan_of(session, case_id)
    if plan is None:
        return []
    versions = await repository.all_versions_of(session, plan.id)
    return [version.model_dump(mode="json") for version in versions]


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: every version keeps its goals' domains, dates and achievements and its
    actions' dates and statuses; their descriptions go."""
    plan = await repository.plan_of(session, case_id)
    if plan is None:
        return
    for version in await repository.all_versions_of(session, plan.id):
        version.goals = [{**g, "description": cases.ANONYMISED} for g in version.goals]
        version.actions = [{**a, "description": cases.ANONYMISED} for a in version.actions]
    await session.flush()
