"""The committed JSON Schemas of events under ``contracts/events/`` and validation against them.

``python -m kit.events.contracts`` regenerates the files from the declared payload models; a
test fails when the committed files and the models drift apart. Validation at run time and in
tests uses the committed files, which are the contract integrators rely on.
"""

from __future__ import annotations

import importlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kit.events.envelope import CloudEvent
from kit.events.types import registered

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts" / "events"


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
    import_all_event_modules()
    files: dict[Path, str] = {}
    for declared in sorted(registered().values(), key=lambda e: e.name):
        text = json.dumps(declared.json_schema(), indent=2, sort_keys=True) + "\n"
        files[schema_path(declared.name, declared.version)] = text
    return files


@cache
def _validators() -> dict[str, Draft202012Validator]:
    validators: dict[str, Draft202012Validator] = {}
    for path in CONTRACTS.glob("*.schema.json"):
        schema: dict[str, Any] = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        validators[schema["$id"]] = Draft202012Validator(schema)
    return validators


def validate(event: CloudEvent) -> None:
    """Raise ``SchemaViolation`` unless the event's data matches its ``dataschema``."""
    validator = _validators().get(event.dataschema)
    if validator is None:
        raise SchemaViolation(f"no contract for {event.dataschema}")
    errors = sorted(validator.iter_errors(dict(event.data)), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        raise SchemaViolation(f"{event.type}: {where}: {errors[0].message}")


def main() -> int:
    CONTRACTS.mkdir(parents=True, exist_ok=True)
    files = generate()
    for stale in set(CONTRACTS.glob("*.schema.json")) - set(files):
        stale.unlink()
    for path, text in files.items():
        path.write_text(text)
    print(f"wrote {len(files)} event schemas to {CONTRACTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
