"""Validation against the committed event contracts: the compiled validator (jsonschema-rs)
accepts and rejects exactly what the reference implementation (jsonschema) does."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kit.events import contracts
from kit.events.envelope import CloudEvent

SCHEMAS = sorted(contracts.CONTRACTS.glob("*.schema.json"))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """A value `schema` accepts: required properties only, the first of an enum or anyOf."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return _sample(next(s for s in schema["anyOf"] if s.get("type") != "null"), root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _sample(properties[name], root) for name in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema["items"], root)] if "items" in schema else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return {
        "uuid": "9b2f6a54-0c44-4f55-8d0e-4f2a7c1f9a10",
        "date-time": "2026-03-01T10:00:00Z",
        "date": "2026-03-01",
    }.get(schema.get("format", ""), "a")


def _wrong(schema: dict[str, Any], root: dict[str, Any]) -> list[Any]:
    """Values of the wrong type (or outside the enum) for `schema`."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return [{"unexpected": "object"}]
    wrong_types: dict[str, list[Any]] = {
        "string": [1, None, True, ["a"]],
        "integer": ["1", 1.5, True, None],
        "number": ["1", True, None],
        "boolean": [0, "true", None],
        "array": ["a", {"a": 1}, None],
        "object": [[], "a", None],
    }
    values = list(wrong_types.get(schema.get("type", ""), []))
    if "enum" in schema:
        values.append("not-a-member")
    if schema.get("type") == "array" and "items" in schema:
        values += [[bad] for bad in _wrong(schema["items"], root)[:2]]
    return values


def _invalid(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Representative invalid payloads: each required field missing, each field of a wrong
    type, an unexpected field, nothing at all."""
    base = _sample(schema, schema)
    yield "empty", {}
    if schema.get("additionalProperties") is False:
        yield "unexpected field", {**base, "person_name": "x"}
    for name in schema.get("required", []):
        yield f"without {name}", {k: v for k, v in base.items() if k != name}
    for name, field in schema.get("properties", {}).items():
        for n, value in enumerate(_wrong(field, schema)):
            changed = copy.deepcopy(base)
            changed[name] = value
            yield f"{name} wrong #{n}", changed


def _event(schema: dict[str, Any], data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        type=schema["title"], source="/lgnet/test", subject="s", data=data, dataschema=schema["$id"]
    )


def test_there_are_contracts_to_check() -> None:
    assert len(SCHEMAS) >= 10


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name.removesuffix(".schema.json"))
def test_the_compiled_validator_agrees_with_jsonschema(path: Any) -> None:
    schema = json.loads(path.read_text())
    reference = Draft202012Validator(schema)
    contract = contracts.Contract(schema)
    base = _sample(schema, schema)
    assert reference.is_valid(base), list(reference.iter_errors(base))
    assert contract.violation(base) is None
    contracts.validate(_event(schema, base))
    cases = list(_invalid(schema))
    assert len(cases) > 3
    for label, data in cases:
        errors = sorted(reference.iter_errors(data), key=lambda e: list(e.path))
        assert errors, label  # the payload is invalid for the reference implementation
        # the compiled validator on its own rejects it too (not only through the fallback)
        assert not contract._compiled.is_valid(data), label
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        assert contract.violation(data) == f"{where}: {errors[0].message}", label
        with pytest.raises(contracts.SchemaViolation, match="^" + schema["title"]):
            contracts.validate(_event(schema, data))


def test_formats_stay_annotations_as_before() -> None:
    schema = {
        "type": "object",
        "properties": {"at": {"type": "string", "format": "date-time"}},
    }
    assert contracts.Contract(schema).violation({"at": "not a time"}) is None
    assert Draft202012Validator(schema).is_valid({"at": "not a time"})


def test_validator_for_an_uncontracted_schema_raises_schema_violation() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"sequence": {"type": "integer"}},
        "required": ["sequence"],
        "additionalProperties": False,
    }
    validate = contracts.validator_for(schema)
    event = CloudEvent(
        type="lgnet.test.thing", source="/t", subject="s", data={"sequence": 1}, dataschema="x"
    )
    validate(event)
    for bad in ({"sequence": True}, {"sequence": "1"}, {}, {"sequence": 1, "extra": 2}):
        with pytest.raises(contracts.SchemaViolation):
            validate(CloudEvent(**{**event.__dict__, "data": bad}))
    # an integral float is an integer in draft 2020-12, for both implementations
    validate(CloudEvent(**{**event.__dict__, "data": {"sequence": 2.0}}))


def test_an_unknown_dataschema_is_a_violation() -> None:
    event = CloudEvent(
        type="lgnet.test.thing", source="/t", subject="s", data={}, dataschema="urn:nothing:v1"
    )
    with pytest.raises(contracts.SchemaViolation, match="no contract"):
        contracts.validate(event)
