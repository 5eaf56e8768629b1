"""A list's query parameters become the repository's filter key for key."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from services.intake.referrals.repository import ReferralFilter
from services.intake.referrals.router import ReferralQuery


def test_every_query_parameter_is_a_filter_key() -> None:
    # ReferralQuery.where casts its fields to a ReferralFilter: this keeps the cast true
    assert {f.name for f in fields(ReferralQuery)} <= set(ReferralFilter.__annotations__)


def test_the_filter_judges_overdue_at_the_moment_given() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    where = ReferralQuery(overdue=True).where(now)
    assert where["overdue"] is True
    assert where["now"] == now
    assert where["status"] is None
