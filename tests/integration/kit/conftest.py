"""A topic of its own for each test of the kit's outbox and inbox (kit.testing.things has the
event type, table and databases they share)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def topic() -> str:
    return f"lgnet.testkit.things{uuid.uuid4().hex[:8]}"
