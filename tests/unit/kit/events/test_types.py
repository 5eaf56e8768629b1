"""`EventData.of`: a payload read from an aggregate's attributes, some fields given."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from kit.events.types import EventData


class _OpenedData(EventData):
    thing_id: uuid.UUID
    municipio: int
    status: str


@dataclass
class _Thing:
    id: uuid.UUID
    municipio: int
    status: str
    note: str  # not in the payload: never read


def test_fields_not_given_are_read_from_the_attributes_of_the_same_name() -> None:
    thing = _Thing(id=uuid.uuid4(), municipio=4, status="open", note="free text")
    data = _OpenedData.of(thing, thing_id=thing.id)
    assert data == _OpenedData(thing_id=thing.id, municipio=4, status="open")


def test_the_payload_is_validated() -> None:
    thing = _Thing(id=uuid.uuid4(), municipio=4, status="open", note="")
    with pytest.raises(ValidationError):
        _OpenedData.of(thing, thing_id="not a uuid")
