"""The committed JSON Schemas of events under ``contracts/events/`` and validation against them.

``python -m kit.events.contracts`` regenerates the files from the declared payload models; a
test fails when the committed files and the models drift apart. Validation at run time and in
tests uses the committed files, which are the contract integrators rely on.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from kit.events.envelope import CloudEvent
from kit.events.types import EventType, registered

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts" / "events"
ASYNCAPI = ROOT / "contracts" / "asyncapi.json"


class SchemaViolation(ValueError):
    """An event whose data does not match its declared schema."""


def import_all_event_modules() -> None:
    """Import every ``services/<service>/**/events.py`` so that all event types are registered."""
    for path in sorted((ROOT / "services").glob("*/**/events.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        importlib.import_module(module)


def schema_path(event_name: str, version: int) -> Path:
    return CONTRACTS / f"{event_name}.v{version}.schema.json"


def generate() -> dict[Path, str]:
    """Every contract file: one JSON Schema per event type, and the AsyncAPI document."""
    import_all_event_modules()
    declared = sorted(
        (e for e in registered().values() if e.payload.__module__.startswith("services.")),
        key=lambda e: e.name,
    )
    files: dict[Path, str] = {}
    for kind in declared:
        files[schema_path(kind.name, kind.version)] = _json(kind.json_schema())
    files[ASYNCAPI] = _json(asyncapi(declared))
    return files


def asyncapi(declared: list[EventType[Any]]) -> dict[str, Any]:
    """AsyncAPI 3.0: one channel per topic, one message per event type (binary CloudEvents)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for kind in declared:
        channel = channels.setdefault(
            kind.topic.replace(".", "_"),
            {"address": kind.topic, "messages": {}, "description": f"Kafka topic {kind.topic}"},
        )
        message_id = kind.name.replace(".", "_")
        channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
        messages[message_id] = {
            "name": kind.name,
            "title": kind.name,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/cloudevents_headers"},
            "payload": {"$ref": f"events/{schema_path(kind.name, kind.version).name}"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
        }
    for key, channel in channels.items():
        operations[f"receive_{key}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [
                {"$ref": f"#/channels/{key}/messages/{m}"} for m in sorted(channel["messages"])
            ],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "LGNet domain events",
            "version": "1",
            "description": (
                "CloudEvents 1.0 in Kafka binary content mode: attributes in ce_* headers, the "
                "JSON payload as the value, the aggregate id as the key. No direct identifiers."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"cloudevents_headers": _CE_HEADERS}},
    }


_CE_REQUIRED = (
    "ce_specversion",
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_subject",
    "ce_time",
    "ce_dataschema",
)
_CE_OPTIONAL = ("ce_traceparent", "ce_tracestate", "ce_organisation")
_CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": list(_CE_REQUIRED),
    "properties": {name: {"type": "string"} for name in (*_CE_REQUIRED, *_CE_OPTIONAL)},
}


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


class Contract:
    """One event schema, compiled once.

    Whether data is valid is answered by a compiled validator (``jsonschema-rs``, about 2 µs
    for a typical payload instead of 90 µs); what is wrong with data it rejects is said by
    ``jsonschema``, the reference implementation, which also has the last word: data is
    rejected only when both find it invalid, so validation accepts and rejects exactly what it
    did with ``jsonschema`` alone, and its messages are the same. As before, ``format`` is an
    annotation (draft 2020-12's default), not asserted.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        schema = dict(schema)
        Draft202012Validator.check_schema(schema)
        self._reference = Draft202012Validator(schema)
        self._compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=False)

    def violation(self, data: Mapping[str, Any]) -> str | None:
        """``where: message`` of the first violation (in path order), None if `data` is valid."""
        instance = data if isinstance(data, dict) else dict(data)
        if self._compiled.is_valid(instance):
            return None
        errors = sorted(self._reference.iter_errors(instance), key=lambda e: list(e.path))
        if not errors:
            return None
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        return f"{where}: {errors[0].message}"

    def check(self, event: CloudEvent) -> None:
        """Raise ``SchemaViolation`` unless `event`'s data is valid."""
        if (violation := self.violation(event.data)) is not None:
            raise SchemaViolation(f"{event.type}: {violation}")


def validator_for(schema: Mapping[str, Any]) -> Callable[[CloudEvent], None]:
    """A consumer's ``validate`` for events of one type, checked against `schema` (for an event
    type without a committed contract, such as a test's or a benchmark's own)."""
    return Contract(schema).check


@cache
def _contracts() -> dict[str, Contract]:
    contracts: dict[str, Contract] = {}
    for path in CONTRACTS.glob("*.schema.json"):
        schema: dict[str, Any] = json.loads(path.read_text())
        contracts[schema["$id"]] = Contract(schema)
    return contracts


def validate(event: CloudEvent) -> None:
    """Raise ``SchemaViolation`` unless the event's data matches its ``dataschema``."""
    contract = _contracts().get(event.dataschema)
    if contract is None:
        raise SchemaViolation(f"no contract for {event.dataschema}")
    contract.check(event)


def main() -> int:
    CONTRACTS.mkdir(parents=True, exist_ok=True)
    files = generate()
    for stale in set(CONTRACTS.glob("*.schema.json")) - set(files):  # removed event types
        stale.unlink()
    for path, text in files.items():
        path.write_text(text)
    print(f"wrote {len(files)} event schemas to {CONTRACTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
