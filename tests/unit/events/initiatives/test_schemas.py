"""The initiative request schemas: what a client may send, without I/O."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kit.testing.initiatives import INITIATIVE
from services.events.initiatives.schemas import InitiativeCreate, InitiativePatch


def _refused(body: dict[str, Any]) -> list[tuple[int | str, ...]]:
    with pytest.raises(ValidationError) as refused:
        InitiativeCreate.model_validate(body)
    return [e["loc"] for e in refused.value.errors()]


def test_text_is_trimmed() -> None:
    created = InitiativeCreate.model_validate(
        {**INITIATIVE, "title": "  Incontro  ", "neighbourhood": " Corvetto "}
    )
    assert (created.title, created.neighbourhood) == ("Incontro", "Corvetto")


def test_only_the_title_what_for_whom_where_and_when_are_required() -> None:
    required = ("title", "kind", "audience", "municipio", "starts_on", "ends_on")
    created = InitiativeCreate.model_validate({name: INITIATIVE[name] for name in required})
    assert (created.description, created.neighbourhood) == (None, None)
    assert (created.translations, created.topics, created.partner_organisations) == ({}, [], [])


@pytest.mark.parametrize(
    "starts_on",
    [1764547200, "2026-12-01T00:00:00", "20261201", "2026-12-32", "   ", None],
    ids=["timestamp", "date-time", "basic-format", "no-such-day", "blank", "null"],
)
def test_dates_are_iso_calendar_dates_only(starts_on: object) -> None:
    assert _refused({**INITIATIVE, "starts_on": starts_on}) == [("starts_on",)]


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_title_has_one_to_two_hundred_characters(title: str) -> None:
    assert _refused({**INITIATIVE, "title": title}) == [("title",)]


def test_translations_are_by_two_letter_code_other_than_italian() -> None:
    created = InitiativeCreate.model_validate(
        {**INITIATIVE, "translations": {"en": {"title": " Workshop ", "description": "Twice"}}}
    )
    assert created.translations["en"].title == "Workshop"
    assert created.translations["en"].description == "Twice"
    for code in ("it", "EN", "eng", "e", "e1"):
        locs = _refused({**INITIATIVE, "translations": {code: {"title": "Workshop"}}})
        assert locs == [("translations", code, "[key]")], code


@pytest.mark.parametrize(
    ("translation", "loc"),
    [
        ({}, ("translations", "en", "title")),
        ({"title": "   "}, ("translations", "en", "title")),
        ({"title": "Workshop", "subtitle": "x"}, ("translations", "en", "subtitle")),
    ],
    ids=["no-title", "blank-title", "unknown-field"],
)
def test_each_translation_has_a_title_and_nothing_unknown(
    translation: dict[str, Any], loc: tuple[str, ...]
) -> None:
    assert _refused({**INITIATIVE, "translations": {"en": translation}}) == [loc]


def test_topics_are_lower_case_slugs_kept_once_at_most_ten() -> None:
    created = InitiativeCreate.model_validate(
        {**INITIATIVE, "topics": ["lavoro", "lingua-italiana", "lavoro"]}
    )
    assert created.topics == ["lavoro", "lingua-italiana"]
    for topic in ("Lavoro", "lingua italiana", "-casa", "casa-", "x" * 41, ""):
        assert _refused({**INITIATIVE, "topics": [topic]}) == [("topics", 0)], topic
    assert _refused({**INITIATIVE, "topics": [f"t{i}" for i in range(11)]}) == [("topics",)]


def test_partners_are_organisation_aliases_kept_once() -> None:
    created = InitiativeCreate.model_validate(
        {**INITIATIVE, "partner_organisations": ["coop-aurora", "coop-aurora"]}
    )
    assert created.partner_organisations == ["coop-aurora"]
    for alias in ("Coop Aurora", "-aurora", 7):
        refused = _refused({**INITIATIVE, "partner_organisations": [alias]})
        assert refused == [("partner_organisations", 0)], alias


def test_a_patch_holds_only_the_fields_given() -> None:
    patch = InitiativePatch.model_validate({"description": None, "topics": ["casa"]})
    assert patch.model_fields_set == {"description", "topics"}
    for field in ("kind", "organiser_organisation", "status"):
        with pytest.raises(ValidationError):
            InitiativePatch.model_validate({field: INITIATIVE.get(field, "x")})
    for field in ("title", "translations", "audience", "topics", "municipio", "starts_on"):
        with pytest.raises(ValidationError):
            InitiativePatch.model_validate({field: None})
