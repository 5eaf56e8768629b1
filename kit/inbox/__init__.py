"""Inbox consumer: each event's effect applied exactly once, failures parked in a DLQ."""

from kit.inbox.consumed import ConsumedEvent, consumed, consumed_event, read_payload
from kit.inbox.consumer import (
    BatchHandler,
    EventConsumer,
    Handler,
    OneAtATime,
    Unprocessable,
)
from kit.inbox.models import InboxEntry

__all__ = [
    "BatchHandler",
    "ConsumedEvent",
    "EventConsumer",
    "Handler",
    "InboxEntry",
    "OneAtATime",
    "Unprocessable",
    "consumed",
    "consumed_event",
    "read_payload",
]
