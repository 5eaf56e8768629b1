"""Inbox consumer: each event's effect applied exactly once, failures parked in a DLQ."""

from kit.inbox.consumer import EventConsumer, Handler
from kit.inbox.models import InboxEntry

__all__ = ["EventConsumer", "Handler", "InboxEntry"]
