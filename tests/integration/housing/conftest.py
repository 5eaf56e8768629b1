"""Housing in-process on a fresh PostgreSQL database of its own (one per test module), and
`cases`: casework's case events, published to the real Kafka as casework's relay would, for
housing to keep the facts of (no casework running)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from deploy.local.stack import Stack
from kit.events.types import EventType
from kit.testing.apps import ServiceClient
from kit.testing.kafka import publish
from kit.testing.services import service_client
from kit.testing.waiting import eventually
from services.casework.cases.events import (
    CaseAnonymised,
    CaseClosed,
    CaseOpened,
    TeamMemberJoined,
    TeamMemberLeft,
)
from services.housing.app import create_app
from services.housing.cases.models import CaseFact, CaseFactMember
from services.housing.settings import HousingSettings
from services.intake.persons.events import ConsentWithdrawn, PersonErased

housing = service_client(create_app, HousingSettings)


@dataclass
class Cases:
    """Casework's and intake's events about synthetic cases, each awaited until housing has
    followed it."""

    stack: Stack
    housing: ServiceClient

    async def open(
        self,
        lead: str = "assoc-ponte",
        *,
        target_group: str = "unaccompanied_minor",
        urgency: str = "high",
        person_refs: list[str] | None = None,
    ) -> str:
        """A new case opened by `lead`; its id, once housing knows it."""
        case_id = str(uuid.uuid4())
        data = {
            **self._case(case_id, lead, target_group),
            "origin": "manual",
            "referral_id": None,
            "urgency": urgency,
            "person_refs": person_refs or [str(uuid.uuid4())],
            "opened_at": _now(),
            "referral_received_at": None,
        }
        await self._publish(CaseOpened, data, case_id, lead)
        await eventually(lambda: self._has(CaseFact, case_id), 20, "housing kept the case")
        return case_id

    async def member(self, case_id: str, organisation: str, *, left: bool = False) -> None:
        """A member of `organisation` joins the case's team (or, with `left`, leaves it)."""
        member_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/{organisation}"))
        data = {
            **self._case(case_id, "assoc-ponte", "unaccompanied_minor"),
            "member_id": member_id,
            "member_organisation": organisation,
            "role": "educator",
            "joined_on": date.today().isoformat(),
            "left_on": date.today().isoformat() if left else None,
        }
        await self._publish(TeamMemberLeft if left else TeamMemberJoined, data, case_id)

        async def followed() -> bool:
            return await self._has(CaseFactMember, (case_id, member_id)) != left

        await eventually(followed, 20, "housing followed the team")

    async def close(self, case_id: str) -> None:
        data = {
            **self._case(case_id, "assoc-ponte", "unaccompanied_minor"),
            "outcome": "autonomy_reached",
            "opened_at": _now(),
            "closed_at": _now(),
            "approval_id": str(uuid.uuid4()),
        }
        await self._publish(CaseClosed, data, case_id)

    async def anonymise(self, case_id: str) -> None:
        data = {
            **self._case(case_id, "assoc-ponte", "unaccompanied_minor"),
            "outcome": "autonomy_reached",
            "closed_at": _now(),
            "anonymised_at": _now(),
        }
        await self._publish(CaseAnonymised, data, case_id)

    async def withdraw_consent(self, person_ref: str, purpose: str = "housing_support") -> None:
        data = {
            "consent_id": str(uuid.uuid4()),
            "person_ref": person_ref,
            "purpose": purpose,
            "legal_basis": "consent",
            "withdrawn_at": _now(),
        }
        await self._publish(ConsentWithdrawn, data, person_ref)

    async def erase(self, person_ref: str) -> None:
        data = {
            "person_ref": person_ref,
            "merged_refs": [],
            "ground": "data_subject_request",
            "erased_at": _now(),
        }
        await self._publish(PersonErased, data, person_ref)

    @staticmethod
    def _case(case_id: str, lead: str, target_group: str) -> dict[str, Any]:
        return {
            "case_id": case_id,
            "lead_organisation": lead,
            "target_group": target_group,
            "municipio": 8,
        }

    async def _publish(
        self, kind: EventType[Any], data: dict[str, Any], subject: str, org: str = "assoc-ponte"
    ) -> None:
        await publish(self.stack.kafka_bootstrap, [(kind, data)], subject=subject, organisation=org)

    async def _has(self, table: type[Any], key: Any) -> bool:
        async with self.housing.app.state.database.session(writes=False) as session:
            return await session.get(table, _uuids(key)) is not None


def _uuids(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(uuid.UUID(part) for part in key)
    return uuid.UUID(key)


def _now() -> str:
    return datetime.now(UTC).isoformat()


@pytest.fixture
def cases(stack: Stack, housing: ServiceClient) -> Cases:
    return Cases(stack, housing)
