"""The OpenAPI document of an LGNet app: error responses as RFC 9457 problems.

The errors themselves, their rendering and `problem_responses` (what an operation declares)
are in `kit.errors`; this module only rewrites the generated document to match.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kit.errors import PROBLEM_JSON, Problem, ValidationProblem

_REF = "#/components/schemas/"


def document_problems(app: FastAPI) -> None:
    """Patch `app.openapi` so error responses are problem+json and 422 is a
    `ValidationProblem` instead of FastAPI's own validation error shape.

    Declare an operation's problems with ``responses=kit.errors.problem_responses(...)``.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        used = False
        for operation in (op for item in schema.get("paths", {}).values() for op in item.values()):
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if not code.isdigit() or int(code) < 400 or "application/json" not in content:
                    continue
                ref = content["application/json"].get("schema", {}).get("$ref", "")
                if ref == _REF + "HTTPValidationError":
                    ref = _REF + "ValidationProblem"
                if ref in (_REF + "Problem", _REF + "ValidationProblem"):
                    del content["application/json"]
                    content[PROBLEM_JSON] = {"schema": {"$ref": ref}}
                    used = True
        if used:
            for model in (Problem, ValidationProblem):
                generated = model.model_json_schema(ref_template=_REF + "{model}")
                schemas.update(generated.pop("$defs", {}))
                schemas[model.__name__] = generated
            for name in ("HTTPValidationError", "ValidationError"):
                if not _is_referenced(schema, _REF + name):
                    schemas.pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _is_referenced(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_is_referenced(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_is_referenced(v, ref) for v in node)
    return False
