"""The CloudEvents envelope in Kafka binary mode: round trips and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.events.envelope import (
    CloudEvent,
    InvalidEnvelope,
    pack_headers,
    unpack_headers,
)

EVENT = CloudEvent(
    type="lgnet.intake.referral.received",
    source="/lgnet/intake",
    subject="9b2f6a54-0c44-4f55-8d0e-4f2a7c1f9a10",
    data={"municipio": 2, "urgency": "immediate"},
    dataschema="urn:lgnet:event:lgnet.intake.referral.received:v1",
    organisation="coop-aurora",
    traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
)


def test_a_record_round_trips_with_the_subject_as_key() -> None:
    key, value, headers = EVENT.to_record()
    assert key == EVENT.subject.encode()
    assert dict(headers)["ce_type"] == b"lgnet.intake.referral.received"
    assert CloudEvent.from_record(key, value, headers) == EVENT


def test_packed_headers_round_trip() -> None:
    _, _, headers = EVENT.to_record()
    assert unpack_headers(pack_headers(headers)) == headers


@given(
    st.lists(st.tuples(st.from_regex(r"[a-z_-]{1,20}", fullmatch=True), st.binary()), max_size=12)
)
def test_any_nul_free_headers_round_trip(headers: list[tuple[str, bytes]]) -> None:
    headers = [(name, value.replace(b"\0", b"")) for name, value in headers]
    assert unpack_headers(pack_headers(headers)) == headers


def test_a_nul_in_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match="NUL"):
        pack_headers([("ce_subject", b"a\0b")])


@pytest.mark.parametrize(
    ("drop", "reason"),
    [("ce_specversion", "specversion"), ("ce_id", "missing"), ("ce_dataschema", "missing")],
)
def test_a_record_missing_an_attribute_is_not_an_event(drop: str, reason: str) -> None:
    key, value, headers = EVENT.to_record()
    with pytest.raises(InvalidEnvelope, match=reason):
        CloudEvent.from_record(key, value, [h for h in headers if h[0] != drop])


@pytest.mark.parametrize("value", [b"[1, 2]", b"{not json", b"null"])
def test_a_payload_that_is_not_a_json_object_is_refused(value: bytes) -> None:
    key, _, headers = EVENT.to_record()
    with pytest.raises(InvalidEnvelope):
        CloudEvent.from_record(key, value, headers)


def test_a_time_without_zone_is_refused() -> None:
    key, value, headers = EVENT.to_record()
    headers = [(n, b"2026-11-20T22:15:00" if n == "ce_time" else v) for n, v in headers]
    with pytest.raises(InvalidEnvelope, match="zone"):
        CloudEvent.from_record(key, value, headers)
