"""OpenTelemetry: one trace from the HTTP request through the outbox and Kafka to the consumer.

The trace context travels in W3C ``traceparent``/``tracestate``: stored on the outbox row with
the change, set as the CloudEvent's ``traceparent`` extension by the relay, and restored by the
consumer. Export is off unless an OTLP endpoint is configured.
"""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_provider: trace.TracerProvider | None = None


def tracer() -> trace.Tracer:
    """The kit's tracer: from the provider set with `use_tracer_provider`, else the global one."""
    return (_provider or trace.get_tracer_provider()).get_tracer("lgnet.kit")


def use_tracer_provider(provider: trace.TracerProvider | None) -> None:
    """Record the kit's spans with ``provider`` (None: back to the global provider).

    Tests use it with an in-memory exporter; unlike the global provider it can be undone.
    """
    global _provider
    _provider = provider


def tracing_enabled() -> bool:
    """True when the kit's spans are recorded (a provider is installed), not no-ops."""
    provider = _provider or trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """Install an SDK tracer provider exporting over OTLP/HTTP; no-op without an endpoint."""
    if not otlp_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": f"lgnet-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)


def current_trace_headers() -> tuple[str | None, str | None]:
    """``(traceparent, tracestate)`` of the active span, if any."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


def context_from(traceparent: str | None, tracestate: str | None = None) -> otel_context.Context:
    """A context whose parent span is the one a ``traceparent`` names."""
    carrier = {}
    if traceparent:
        carrier["traceparent"] = traceparent
    if tracestate:
        carrier["tracestate"] = tracestate
    return extract(carrier)


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
