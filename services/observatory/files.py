"""Files the observatory answers with (exports, the monthly report): saved by the client under
the name the answer gives, and documented as such."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from kit.errors import problem_responses


def file_responses(
    description: str,
    schemas: Mapping[str, dict[str, str]],
    *,
    disposition: str,
    headers: Mapping[str, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """A file route's OpenAPI responses: the file (its schema by media type, `disposition`
    describing its Content-Disposition, then any other `headers`), or a 400 problem."""
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": schema} for media_type, schema in schemas.items()},
            "headers": {
                "Content-Disposition": {"description": disposition, "schema": {"type": "string"}},
                **(headers or {}),
            },
        },
        **problem_responses(400),
    }


def attachment(
    body: bytes, media_type: str, filename: str, headers: Mapping[str, str] | None = None
) -> Response:
    """`body` as a file to save as `filename`, with `headers` besides."""
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})},
    )
