"""`where_given`: the filters given narrow a query, the ones left out match everything."""

from __future__ import annotations

import operator
from datetime import UTC, datetime

from sqlmodel import select

from kit.audit.models import AuditEntry
from kit.query import where_given


def _where(stmt: object) -> str:
    text = str(stmt)
    return text.partition("WHERE")[2].strip()


def test_only_the_given_filters_become_conditions() -> None:
    stmt = where_given(
        select(AuditEntry),
        (AuditEntry.resource_type, "referral"),
        (AuditEntry.subject, None),
        (AuditEntry.recorded_at, datetime(2026, 1, 1, tzinfo=UTC), operator.ge),
    )
    where = _where(stmt)
    assert "audit_log.resource_type = :resource_type_1" in where
    assert "audit_log.recorded_at >= :recorded_at_1" in where
    assert "subject" not in where


def test_no_filter_given_leaves_the_query_unfiltered() -> None:
    stmt = where_given(select(AuditEntry), (AuditEntry.subject, None))
    assert "WHERE" not in str(stmt)
