"""Hand-made published breakdowns for the exports' and the report's writers."""

from __future__ import annotations

from datetime import UTC, datetime

from services.observatory.indicators.breakdowns import Dimension
from services.observatory.indicators.catalogue import Unit
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.schemas import (
    BreakdownCellPublic,
    BreakdownPublic,
    NamePublic,
)

RECEIVED = NamePublic(it="Segnalazioni ricevute", en="referrals received")

MONTH, MUNICIPIO = Dimension.MONTH, Dimension.MUNICIPIO
RULE = "Cells under the threshold suppressed, then secondary cells so none can be derived."


def cell(value: int | None, **breakdown: str) -> BreakdownCellPublic:
    return BreakdownCellPublic(
        breakdown={Dimension(d): v for d, v in breakdown.items()},
        value=value,
        suppressed=value is None,
    )


def by_municipio(
    values: list[int | None],
    *,
    total: int | None,
    indicator: Indicator = Indicator.REFERRALS_RECEIVED,
    start: datetime = datetime(2025, 2, 28, 23, tzinfo=UTC),  # 1 March in Milan
    end: datetime = datetime(2025, 3, 31, 22, tzinfo=UTC),  # 1 April in Milan
) -> BreakdownPublic:
    """``indicator`` by Municipio, ``values`` those of Municipi 1, 2, …"""
    return BreakdownPublic(
        code=indicator,
        name=NamePublic(it=f"{indicator} (it)", en=f"{indicator} (en)"),
        unit=Unit.REFERRALS,
        cohort=RECEIVED,
        start=start,
        end=end,
        by=[MUNICIPIO],
        suppression_threshold=5,
        suppression=RULE,
        total=cell(total),
        cells=[cell(value, municipio=str(m)) for m, value in enumerate(values, start=1)],
    )


def by_month_and_municipio() -> BreakdownPublic:
    return BreakdownPublic(
        code=Indicator.REFERRALS_HANDED_OVER,
        name=NamePublic(it="Segnalazioni affidate", en="Referrals handed over"),
        unit=Unit.REFERRALS,
        cohort=RECEIVED,
        start=datetime(2025, 1, 1, 9, 30, tzinfo=UTC),
        end=datetime(2025, 2, 28, 23, tzinfo=UTC),  # 1 March in Milan
        by=[MONTH, MUNICIPIO],
        suppression_threshold=5,
        suppression=RULE,
        total=cell(31),
        cells=[
            cell(12, month="2025-01", municipio="1"),
            cell(None, month="2025-01", municipio="2"),
            cell(19, month="2025-02", municipio="1"),
            cell(None, month="2025-02", municipio="2"),
        ],
    )
