"""One trace id links the HTTP request, the outbox relay's publish and the consumer's effect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deploy.local.realm import Realm
from deploy.local.stack import Stack
from kit.telemetry import use_tracer_provider
from kit.testing.apps import serve
from kit.testing.intake import REFERRAL, REFERRALS, hand_over
from kit.testing.services import service_settings
from services.casework.app import create_app as create_casework
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as create_intake
from services.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The kit's spans (request, publish, consume), recorded in memory for this test."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer_provider(provider)
    yield exporter
    use_tracer_provider(None)


def _in_trace(spans: InMemorySpanExporter, trace_id: int) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.context and s.context.trace_id == trace_id]


async def test_request_publish_and_effect_share_one_trace(
    stack: Stack, realm: Realm, spans: InMemorySpanExporter
) -> None:
    # started here, not by a module's fixture: the spans of this test's tracer provider only
    intake_app = create_intake(service_settings(IntakeSettings, stack))
    casework_app = create_casework(service_settings(CaseworkSettings, stack))
    headers = realm.headers("intake.aurora")
    async with serve(intake_app) as intake, serve(casework_app):
        created = await intake.post(REFERRALS, json=REFERRAL, headers=headers)
        assert created.status_code == 201
        await hand_over(intake, created, headers, "assoc-ponte")

        request_span = next(
            s
            for s in spans.get_finished_spans()
            if s.kind == trace.SpanKind.SERVER and s.name.endswith("/handover")
        )
        assert request_span.context is not None
        trace_id = request_span.context.trace_id
        deadline = time.monotonic() + 15
        while not any(
            s.kind == trace.SpanKind.CONSUMER
            and s.name == "process lgnet.intake.referral.handed_over"
            for s in _in_trace(spans, trace_id)
        ):
            assert time.monotonic() < deadline, "the consumer's effect never joined the trace"
            await asyncio.sleep(0.1)

    linked = _in_trace(spans, trace_id)
    kinds = {(s.kind, s.name) for s in linked}
    assert (trace.SpanKind.PRODUCER, "publish lgnet.intake.referrals") in kinds
    assert (trace.SpanKind.CONSUMER, "process lgnet.intake.referral.handed_over") in kinds
    # and the chain is parent → child: request → publish → effect
    by_id = {s.context.span_id: s for s in linked if s.context}
    effect = next(s for s in linked if s.kind == trace.SpanKind.CONSUMER)
    publish = by_id[effect.parent.span_id] if effect.parent else None
    assert publish is not None
    assert publish.kind == trace.SpanKind.PRODUCER
    assert publish.parent is not None
    assert by_id[publish.parent.span_id] is request_span
