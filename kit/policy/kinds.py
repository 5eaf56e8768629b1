"""A policy kind (name, schema, default) and a recorded version of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from kit.policy.errors import InvalidPolicyDocument

T = TypeVar("T", bound=BaseModel)

_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class PolicyKind(Generic[T]):
    """A policy: its `name` (``"intake.sla"``), its document `schema`, and the `default` in
    force before any version was recorded (docs/domain.md §5 and §6 give intake's)."""

    name: str
    schema: type[T]
    default: T
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"policy name must be a short lower-case code: {self.name!r}")
        if not isinstance(self.default, self.schema):
            raise TypeError(f"default of {self.name!r} is not a {self.schema.__name__}")

    def validate(self, document: T | Mapping[str, Any]) -> T:
        """`document` checked against the schema; `InvalidPolicyDocument` (422) if it fails."""
        raw = document.model_dump(mode="json") if isinstance(document, BaseModel) else document
        try:
            return self.schema.model_validate(raw)
        except ValidationError as error:
            raise InvalidPolicyDocument.from_pydantic(
                error.errors(),
                loc_prefix=("body", "document"),
                detail=f"The document does not match the schema of policy {self.name!r}.",
            ) from None


@dataclass(frozen=True)
class PolicyVersionRecord(Generic[T]):
    """A recorded version with its document parsed."""

    policy: str
    version: int
    effective_from: datetime
    document: T
    subject: str
    organisation: str
    why: str
    recorded_at: datetime
