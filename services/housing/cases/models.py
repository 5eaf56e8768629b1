"""The case facts housing keeps (from casework's events; never from its database)."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Uuid
from sqlmodel import Field

from kit.db import UtcDateTime
from services.housing.tables import HousingTable


class CaseFact(HousingTable, table=True):
    """A case as casework's events last told it."""

    __tablename__ = "case_facts"

    case_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    lead_organisation: str = Field(max_length=100, index=True)
    target_group: str = Field(max_length=40)  # casework's vocabulary, as told
    municipio: int
    status: str = Field(max_length=20)
    urgency: str = Field(max_length=20)  # intake's, from the case's opening
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CaseFactPerson(HousingTable, table=True):
    """A person the case concerns: intake's pseudonymous reference."""

    __tablename__ = "case_fact_persons"

    case_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("case_facts.case_id"), primary_key=True)
    )
    person_ref: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True, index=True))


class CaseFactMember(HousingTable, table=True):
    """An active member of the case's team: which organisation they act for (no user)."""

    __tablename__ = "case_fact_members"

    case_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("case_facts.case_id"), primary_key=True)
    )
    member_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    organisation: str = Field(max_length=100, index=True)
