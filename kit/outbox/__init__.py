"""Transactional outbox: events are written with the change, then relayed to Kafka."""

from kit.outbox.models import OutboxMessage
from kit.outbox.relay import OutboxRelay
from kit.outbox.writer import record_event

__all__ = ["OutboxMessage", "OutboxRelay", "record_event"]
