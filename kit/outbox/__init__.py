"""Transactional outbox: events are written with the change, then relayed to Kafka."""

from kit.outbox.models import OutboxMessage
from kit.outbox.relay import OutboxRelay
from kit.outbox.writer import Pending, record_event, record_events

__all__ = ["OutboxMessage", "OutboxRelay", "Pending", "record_event", "record_events"]
