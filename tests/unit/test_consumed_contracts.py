"""Every event a service consumes is a published contract, and carries what the consumer reads.

A consumer never imports the publisher (services do not import each other), so its declaration
(`kit.inbox.consumed_event`) could drift from what is published: this test holds it to the
committed JSON Schemas under contracts/events.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from kit.events import contracts
from kit.inbox import ConsumedEvent, consumed


def _declarations() -> list[ConsumedEvent[Any]]:
    for path in sorted((contracts.ROOT / "services").glob("*/**/handlers.py")):
        module = ".".join(path.relative_to(contracts.ROOT).with_suffix("").parts)
        importlib.import_module(module)
    declared = [d for d in consumed() if d.payload.__module__.startswith("services.")]
    return sorted(declared, key=lambda d: (d.name, d.payload.__module__))


DECLARATIONS = _declarations()


def test_the_services_consumers_are_all_seen() -> None:
    assert {(d.name, d.payload.__module__.split(".")[1]) for d in DECLARATIONS} >= {
        ("lgnet.intake.referral.handed_over", "casework"),
        ("lgnet.intake.referral.handed_over", "observatory"),
        ("lgnet.intake.referral.received", "observatory"),
        ("lgnet.casework.case.opened", "observatory"),
        ("lgnet.intake.person.merged", "casework"),
        ("lgnet.intake.person.split", "casework"),
        ("lgnet.intake.person.erased", "casework"),
        ("lgnet.intake.consent.withdrawn", "casework"),
    }


@pytest.mark.parametrize(
    "declared", DECLARATIONS, ids=[f"{d.payload.__module__}:{d.name}" for d in DECLARATIONS]
)
def test_a_consumed_event_is_published_with_every_field_its_consumer_reads(
    declared: ConsumedEvent[Any],
) -> None:
    path = contracts.schema_path(declared.name, declared.version)
    assert path.exists(), f"{declared.name} v{declared.version} is not a published contract"
    schema = json.loads(path.read_text())
    assert schema["$id"] == declared.dataschema
    assert schema["x-topic"] == declared.topic, f"{declared.name} is published elsewhere"
    published = set(schema.get("properties", {}))
    always_there = set(schema.get("required", []))
    for name, field in declared.payload.model_fields.items():
        key = field.alias or name
        assert key in published, f"{declared.payload.__name__}.{name} is not in {path.name}"
        if field.is_required():
            assert key in always_there, (
                f"{declared.payload.__name__}.{name} is required but optional in {path.name}"
            )
