"""Prometheus metrics shared by every service (exposed at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_PUBLISHED = Counter(
    "lgnet_outbox_published_total", "Events relayed from the outbox to Kafka", ["topic"]
)
OUTBOX_ERRORS = Counter(
    "lgnet_outbox_publish_errors_total", "Failed relay attempts (the events stay in the outbox)"
)
OUTBOX_OLDEST_AGE = Gauge(
    "lgnet_outbox_oldest_pending_seconds", "Age of the oldest event waiting in the outbox"
)
CONSUMER_LAG = Gauge(
    "lgnet_consumer_lag", "Messages not yet consumed", ["group", "topic", "partition"]
)
CONSUMED = Counter(
    "lgnet_consumer_events_total", "Events handled by a consumer", ["group", "type", "outcome"]
)
CONSUMER_RETRIES = Counter(
    "lgnet_consumer_retries_total", "Retried event handlings", ["group", "type"]
)
HTTP_LATENCY = Histogram(
    "lgnet_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)
