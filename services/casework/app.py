"""Casework: taking charge (presa in carico). A case opens when intake hands a referral over,
or a case worker opens it; its team, plan, reviews and supervisors' approvals follow, and its
referrals to the services of the network's directory."""

from __future__ import annotations

from datetime import timedelta

from kit.audit import audit_router
from kit.jobs import PeriodicJob
from kit.policy import policy_router
from kit.service import service_app
from services.casework.approvals.router import router as approvals
from services.casework.cases import events as case_events
from services.casework.cases import handlers as case_handlers
from services.casework.cases.jobs import review_check_job
from services.casework.cases.policies import KINDS
from services.casework.cases.router import router as cases
from services.casework.directory.router import router as directory
from services.casework.minors.intake import BirthDateClient, BirthDateClientConfig
from services.casework.minors.jobs import birth_date_job, transition_job
from services.casework.minors.policies import MINORS
from services.casework.minors.router import router as minors
from services.casework.notes.router import router as notes
from services.casework.persons import handlers as person_handlers
from services.casework.plans.router import router as plans
from services.casework.referrals import router as referrals
from services.casework.referrals.jobs import referral_check_job
from services.casework.referrals.policies import REFERRALS
from services.casework.retention.jobs import retention_job
from services.casework.settings import CaseworkSettings
from services.casework.sharing.router import router as sharing
from services.casework.subjects.router import router as subjects
from services.casework.transfers.router import router as transfers


def _jobs(settings: CaseworkSettings) -> list[PeriodicJob]:
    jobs = [
        review_check_job(timedelta(seconds=settings.review_check_interval_seconds)),
        retention_job(timedelta(seconds=settings.retention_interval_seconds)),
        transition_job(timedelta(seconds=settings.minors_transition_interval_seconds)),
        referral_check_job(timedelta(seconds=settings.referral_check_interval_seconds)),
    ]
    if settings.intake_url:  # no intake to read birth dates from: no transition plan opens
        jobs.append(
            birth_date_job(
                timedelta(seconds=settings.birth_date_sync_interval_seconds),
                birth_date_client(settings),
            )
        )
    return jobs


def birth_date_client(settings: CaseworkSettings) -> BirthDateClient:
    """The client of intake's birth-date endpoint, as casework's service account."""
    return BirthDateClient(
        BirthDateClientConfig(
            intake_url=settings.intake_url,
            token_url=settings.token_url,
            client_id=settings.intake_client_id,
            client_secret=settings.intake_client_secret.get_secret_value(),
        )
    )


create_app = service_app(
    CaseworkSettings,
    description="Cases: people taken in charge by a lead organisation and its team, with "
    "individual plans, periodic reviews and supervisors' approvals.",
    routers=[
        cases,
        plans,
        notes,
        minors,
        approvals,
        sharing,
        transfers,
        subjects,
        directory,
        referrals.of_cases,
        referrals.referrals,
        policy_router("/v1/casework/policies", [*KINDS, MINORS, REFERRALS]),
        audit_router("/v1/casework/audit"),
    ],
    publishes=[case_events.TOPIC],
    subscriptions=[case_handlers.referrals, person_handlers.persons],
    jobs=_jobs,
)
"""The app with `settings`, by default the environment's (tests give others)."""

app = create_app()
