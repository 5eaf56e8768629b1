"""CloudEvents 1.0 envelope in the Kafka protocol binding, binary content mode.

Binary mode everywhere: the event's attributes travel as ``ce_*`` headers, the record value is
the JSON payload and the record key is the subject (the aggregate id), so that Kafka keeps the
events of one aggregate in order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_core import from_json

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
Headers = list[tuple[str, bytes]]

# Extension attributes LGNet sets (CloudEvents names: lowercase letters and digits only).
_EXTENSIONS = ("traceparent", "tracestate", "organisation")


def pack_headers(headers: Headers) -> bytes:
    """Headers as one NUL-separated blob (the outbox stores them so: cheap to read back).

    CloudEvents forbids control characters in attribute values, so NUL cannot occur in them.
    """
    parts = [part for name, value in headers for part in (name.encode(), value)]
    blob = b"\0".join(parts)
    if parts and blob.count(b"\0") != len(parts) - 1:  # one scan, not one per header
        bad = next(name for name, value in headers if b"\0" in value or "\0" in name)
        raise ValueError(f"header {bad} contains NUL")
    return blob


def unpack_headers(blob: bytes) -> Headers:
    if not blob:
        return []
    parts = blob.split(b"\0")
    return [(name.decode(), value) for name, value in zip(parts[::2], parts[1::2], strict=True)]


class InvalidEnvelope(ValueError):
    """A Kafka record that is not a well-formed LGNet CloudEvent."""


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: Mapping[str, Any]
    dataschema: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    organisation: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    def to_record(self) -> tuple[bytes, bytes, Headers]:
        """Key, value and headers of the Kafka record carrying this event."""
        headers: Headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_dataschema", self.dataschema.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        for name in _EXTENSIONS:
            value = getattr(self, name)
            if value:
                headers.append((f"ce_{name}", value.encode()))
        value_bytes = json.dumps(self.data, separators=(",", ":"), sort_keys=True).encode()
        return self.subject.encode(), value_bytes, headers

    @classmethod
    def from_record(
        cls, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
    ) -> CloudEvent:
        """Parse a Kafka record; raise ``InvalidEnvelope`` if it is not a CloudEvent of ours."""
        attrs: dict[str, str] = {}
        for name, raw in headers:
            if name.startswith("ce_") or name == "content-type":
                try:
                    attrs[name.removeprefix("ce_")] = raw.decode()
                except UnicodeDecodeError as exc:
                    raise InvalidEnvelope(f"header {name} is not UTF-8") from exc
        if attrs.get("specversion") != SPEC_VERSION:
            raise InvalidEnvelope(f"specversion {attrs.get('specversion')!r} is not {SPEC_VERSION}")
        missing = [
            a for a in ("id", "source", "type", "subject", "time", "dataschema") if not attrs.get(a)
        ]
        if missing:
            raise InvalidEnvelope(f"missing attributes: {', '.join(missing)}")
        if attrs.get("content-type", CONTENT_TYPE).split(";")[0].strip() != CONTENT_TYPE:
            raise InvalidEnvelope(f"content-type {attrs['content-type']!r} is not JSON")
        try:
            data = from_json(value or b"null")  # pydantic's parser: a third of json's time
            time = datetime.fromisoformat(attrs["time"])
        except ValueError as exc:
            raise InvalidEnvelope(str(exc)) from exc
        if not isinstance(data, dict):
            raise InvalidEnvelope("data is not a JSON object")
        if time.tzinfo is None:
            raise InvalidEnvelope("time has no zone")
        return cls(
            type=attrs["type"],
            source=attrs["source"],
            subject=attrs["subject"],
            data=data,
            dataschema=attrs["dataschema"],
            id=attrs["id"],
            time=time,
            organisation=attrs.get("organisation"),
            traceparent=attrs.get("traceparent"),
            tracestate=attrs.get("tracestate"),
        )
