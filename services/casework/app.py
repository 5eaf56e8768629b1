"""Casework: taking charge (presa in carico). A case opens when intake hands a referral over."""

from __future__ import annotations

from kit.policy import policy_router
from kit.service import service_app
from services.casework.approvals.router import router as approvals
from services.casework.cases import events as case_events
from services.casework.cases import handlers as case_handlers
from services.casework.cases.policies import KINDS
from services.casework.cases.router import router as cases
from services.casework.plans.router import router as plans
from services.casework.settings import CaseworkSettings

create_app = service_app(
    CaseworkSettings,
    description="Cases: people taken in charge by a lead organisation and its team, with "
    "individual plans and supervisors' approvals.",
    routers=[cases, plans, approvals, policy_router("/v1/casework/policies", KINDS)],
    publishes=[case_events.TOPIC],
    subscriptions=[case_handlers.referrals],
)
"""The app with `settings`, by default the environment's (tests give others)."""

app = create_app()
