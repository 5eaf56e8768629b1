"""Sharing rules: which legal bases cover which purpose; who records them."""

from __future__ import annotations

import pytest

from services.casework.sharing.domain import (
    BASES_FOR,
    Basis,
    NotLeadSupervisor,
    Purpose,
    may_record,
)


def test_health_data_need_an_article_9_ground() -> None:
    assert Basis.PUBLIC_TASK in BASES_FOR[Purpose.NETWORK_SHARING]
    assert Basis.PUBLIC_TASK not in BASES_FOR[Purpose.HEALTH_DATA]
    assert Basis.HEALTH_OR_SOCIAL_CARE in BASES_FOR[Purpose.HEALTH_DATA]


def test_every_purpose_has_a_basis_and_every_basis_a_purpose() -> None:
    assert set(BASES_FOR) == set(Purpose)
    assert set().union(*BASES_FOR.values()) == set(Basis)


@pytest.mark.parametrize(
    ("supervisor", "organisation"), [(False, "assoc-ponte"), (True, "coop-aurora")]
)
def test_only_a_supervisor_of_the_lead_records(supervisor: bool, organisation: str) -> None:
    may_record(supervisor=True, organisation="assoc-ponte", lead_organisation="assoc-ponte")
    with pytest.raises(NotLeadSupervisor):
        may_record(
            supervisor=supervisor, organisation=organisation, lead_organisation="assoc-ponte"
        )
