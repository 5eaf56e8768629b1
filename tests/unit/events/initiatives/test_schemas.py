"""The initiative request schema: what a client may send, without I/O."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kit.testing.initiatives import INITIATIVE
from services.events.initiatives.schemas import InitiativeCreate


def test_text_is_trimmed() -> None:
    created = InitiativeCreate.model_validate(
        {**INITIATIVE, "title": "  Incontro  ", "neighbourhood": " Corvetto "}
    )
    assert (created.title, created.neighbourhood) == ("Incontro", "Corvetto")


@pytest.mark.parametrize(
    "starts_on",
    [1764547200, "2026-12-01T00:00:00", "20261201", "2026-12-32", "   ", None],
    ids=["timestamp", "date-time", "basic-format", "no-such-day", "blank", "null"],
)
def test_dates_are_iso_calendar_dates_only(starts_on: object) -> None:
    with pytest.raises(ValidationError) as refused:
        InitiativeCreate.model_validate({**INITIATIVE, "starts_on": starts_on})
    assert [e["loc"] for e in refused.value.errors()] == [("starts_on",)]


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_title_has_one_to_two_hundred_characters(title: str) -> None:
    with pytest.raises(ValidationError):
        InitiativeCreate.model_validate({**INITIATIVE, "title": title})
