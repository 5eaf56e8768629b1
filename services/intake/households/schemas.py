"""The households API contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel
from services.intake.households.domain import Relation


class MemberIn(ClosedModel):
    person_id: uuid.UUID
    relation: Relation


class HouseholdIn(ClosedModel):
    members: Annotated[
        list[MemberIn],
        Field(
            min_length=1,
            max_length=30,
            description="At most one member is the head (reference person)",
            # domain.check_composition's rule, as JSON Schema states it
            json_schema_extra={
                "contains": {
                    "type": "object",
                    "properties": {"relation": {"const": Relation.HEAD.value}},
                    "required": ["relation"],
                },
                "minContains": 0,
                "maxContains": 1,
            },
        ),
    ]


class MemberPublic(PublicModel):
    person_id: Id
    relation: Relation


class HouseholdPublic(PublicModel):
    id: Id
    version: int
    members: list[MemberPublic]
    registered_by_organisation: str
    created_at: datetime
    updated_at: datetime
