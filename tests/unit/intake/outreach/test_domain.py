"""Offline sync rules: item identity, fingerprints, per-item validation, result shapes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kit.errors import problem_type
from services.intake.outreach.domain import (
    FINAL_STATUSES,
    BatchTooLarge,
    ClientIdReused,
    ItemStatus,
    SyncConflictResolved,
    UnknownBaseVersion,
    check_base_version,
    check_batch_size,
    check_open,
    client_id_of,
    fingerprint,
    summarise,
)
from services.intake.outreach.schemas import (
    SYNC_ITEM,
    ContactItem,
    PersonItem,
    PersonUpdateItem,
)
from services.intake.outreach.service import invalid_item

CID = "6f1c1b9e-5d0e-4b8a-9c55-3c1f0e2b7a10"
PERSON_ITEM: dict[str, Any] = {
    "client_id": CID,
    "kind": "person",
    "person": {"given_name": "Awa", "family_name": "Keita", "languages": ["fr"]},
}


def test_the_same_item_has_the_same_fingerprint_whatever_the_key_order() -> None:
    reordered = {"person": dict(reversed(PERSON_ITEM["person"].items())), **PERSON_ITEM}
    assert fingerprint(reordered) == fingerprint(PERSON_ITEM)
    changed = {**PERSON_ITEM, "person": {**PERSON_ITEM["person"], "given_name": "Aïcha"}}
    assert fingerprint(changed) != fingerprint(PERSON_ITEM)


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_a_fingerprint_is_a_sha256_hex(item: dict[str, object]) -> None:
    print_ = fingerprint(item)
    assert len(print_) == 64
    assert set(print_) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (PERSON_ITEM, uuid.UUID(CID)),
        ({"client_id": "not-a-uuid"}, None),
        ({"client_id": 12}, None),
        ({}, None),
        ("a string", None),
        ([CID], None),
    ],
)
def test_client_id_of_labels_even_an_invalid_item(raw: object, expected: uuid.UUID | None) -> None:
    assert client_id_of(raw) == expected


def test_items_are_told_apart_by_kind() -> None:
    assert isinstance(SYNC_ITEM.validate_python(PERSON_ITEM), PersonItem)
    update = SYNC_ITEM.validate_python(
        {
            "client_id": CID,
            "kind": "person_update",
            "person_id": str(uuid.uuid4()),
            "base_version": 2,
            "changes": {"nationality": "ml", "given_name": None},
        }
    )
    assert isinstance(update, PersonUpdateItem)
    assert update.changes.model_fields_set == {"nationality", "given_name"}
    contact = SYNC_ITEM.validate_python(
        {
            "client_id": CID,
            "kind": "contact",
            "contact": {
                "received_at": "2026-11-20T22:15:00+01:00",
                "place": {"municipio": 2, "name": "Stazione Centrale"},
                "urgency": "immediate",
                "target_group": "unaccompanied_minor",
                "persons": [{"client_ref": CID}],
            },
        }
    )
    assert isinstance(contact, ContactItem)
    assert contact.contact.channel == "mobile_unit"
    assert contact.contact.as_referral([uuid.UUID(CID)]).persons[0].person_id == uuid.UUID(CID)


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        ({**PERSON_ITEM, "kind": "teleport"}, "#/items/4"),
        ({"kind": "person", "person": PERSON_ITEM["person"]}, "#/items/4/client_id"),
        ({**PERSON_ITEM, "person": {"given_name": "A", "sex": "robot"}}, "#/items/4/person/sex"),
        (
            {
                "client_id": CID,
                "kind": "person_update",
                "person_id": CID,
                "base_version": 1,
                "changes": {},
            },
            "#/items/4",
        ),
        (
            {
                "client_id": CID,
                "kind": "contact",
                "contact": {
                    "received_at": "2026-11-20T22:15:00+01:00",
                    "place": {"municipio": 2, "name": "x"},
                    "urgency": "immediate",
                    "target_group": "unaccompanied_minor",
                    "persons": [{"client_ref": CID, "person_id": CID}],
                },
            },
            "#/items/4/contact/persons/0",
        ),
    ],
)
def test_a_bad_item_becomes_a_validation_problem_pointing_into_the_body(
    raw: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SYNC_ITEM.validate_python(raw)
    problem = invalid_item(caught.value, 4, raw).problem()
    assert problem["type"] == problem_type("validation-failed")
    assert problem["status"] == 422
    pointers = [e["pointer"] for e in problem["errors"]]
    assert any(p.startswith(pointer) for p in pointers), pointers
    assert all("input" not in e for e in problem["errors"])  # values never echoed


def test_a_domain_error_becomes_a_problem_object() -> None:
    problem = ClientIdReused("client_id x was used for another item.").problem()
    assert problem == {
        "type": "urn:lgnet:problem:client-id-reused",
        "title": ClientIdReused.title,
        "status": 422,
        "detail": "client_id x was used for another item.",
    }


def test_rejections_are_not_final() -> None:
    assert ItemStatus.REJECTED not in FINAL_STATUSES
    assert {ItemStatus.CREATED, ItemStatus.CONFLICT, ItemStatus.DUPLICATE_OF} <= FINAL_STATUSES


def test_summary_counts_every_status_and_the_replays() -> None:
    summary = summarise(["created", "created", "rejected", "conflict"], [True, False, False, True])
    assert summary == {
        "created": 2,
        "updated": 0,
        "duplicate_of": 0,
        "conflict": 1,
        "rejected": 1,
        "replayed": 2,
    }


def test_limits_and_states() -> None:
    check_batch_size(1000, 1000)
    with pytest.raises(BatchTooLarge):
        check_batch_size(1001, 1000)
    check_base_version(3, 3)
    check_base_version(1, 3)
    with pytest.raises(UnknownBaseVersion):
        check_base_version(4, 3)
    check_open("open")
    with pytest.raises(SyncConflictResolved):
        check_open("resolved")
