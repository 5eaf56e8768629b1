"""The committed event schemas under contracts/ are exactly what the payload models declare."""

from __future__ import annotations

import json
import re
from typing import Any

from kit.events import contracts


def test_committed_event_schemas_match_the_payload_models() -> None:
    generated = contracts.generate()
    committed = {p: p.read_text() for p in contracts.CONTRACTS.glob("*.schema.json")}
    committed[contracts.ASYNCAPI] = contracts.ASYNCAPI.read_text()
    assert set(committed) == set(generated), "run `python -m kit.events.contracts`"
    for path, text in generated.items():
        assert committed[path] == text, (
            f"{path.name} is stale: run `python -m kit.events.contracts`"
        )


# Direct identifiers and free text never go into events (docs/architecture.md §4): no event
# schema may even have a field that would carry them.
_FORBIDDEN = re.compile(
    r"name|birth|dob|document|passport|fiscal|cui|phone|email|address|contact|note|comment"
    r"|description|title|text|reason"
)


def _property_names(schema: Any) -> list[str]:
    names: list[str] = []
    if isinstance(schema, dict):
        for key, value in schema.get("properties", {}).items():
            names.append(key)
            names += _property_names(value)
        for value in schema.values():
            if isinstance(value, dict | list):
                names += _property_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names += _property_names(value)
    return names


def test_no_event_schema_has_a_field_for_identifiers_or_free_text() -> None:
    for path in contracts.CONTRACTS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        offending = [name for name in _property_names(schema) if _FORBIDDEN.search(name)]
        assert not offending, f"{path.name}: {offending}"
