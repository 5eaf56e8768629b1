"""Validate answers against HSDS 3.0's own JSON Schemas (vendored in contracts/hsds/3.0),
offline: each file is registered under the URI it has on the specification's 3.0 branch,
where its references and the HSDS OpenAPI's point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS = Path(__file__).resolve().parents[2] / "contracts" / "hsds" / "3.0"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page"}
PAGE_KEYS |= {"empty", "contents"}
ONE = {
    "/services/{id}": "service.json",
    "/organizations/{id}": "organization.json",
    "/service_at_locations/{id}": "service_at_location.json",
}


def _registry() -> Registry[Any]:
    resources = [
        (
            BASE + path.relative_to(HSDS).as_posix(),
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012),
        )
        for path in sorted(HSDS.rglob("*.json"))
    ]
    return Registry().with_resources(resources)


class Hsds:
    """Validates answers against HSDS 3.0's schemas and its API's response schemas."""

    def __init__(self) -> None:
        self.registry = _registry()

    def errors(self, instance: Any, ref: str) -> list[str]:
        validator = Draft202012Validator(
            {"$ref": BASE + ref},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def object(self, instance: Any, schema_file: str) -> None:
        """`instance` is a valid HSDS object of `schema_file` (``service.json``…)."""
        assert not self.errors(instance, schema_file), self.errors(instance, schema_file)

    def response(self, instance: Any, path: str) -> None:
        """`instance` is what HSDS's OpenAPI says ``GET <path>`` answers (``/services``); one
        entity (``/services/{id}``), what the modular schema its compiled one is made of says
        (the compiled full objects are not vendored: contracts/hsds/README.md)."""
        if path in ONE:
            self.object(instance, ONE[path])
            return
        pointer = path.replace("~", "~0").replace("/", "~1")
        ref = f"openapi.json#/paths/{pointer}/get/responses/200/content/application~1json/schema"
        assert not self.errors(instance, ref), self.errors(instance, ref)
        if path != "/":
            assert set(instance) >= PAGE_KEYS, "HSDS lists carry the whole envelope"
