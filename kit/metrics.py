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
    "lgnet_http_request_seconds",
    "Time to answer an HTTP request (until the response headers); its _count counts requests. "
    "route: the path template in a service, the service or endpoint at the gateway",
    ["method", "route", "status"],
    # the default buckets, and 30 s: the gateway waits that long for a slow service
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0),
)
