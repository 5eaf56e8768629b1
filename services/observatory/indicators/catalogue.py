"""The indicator catalogue: what each published figure counts, in the words of the people who
read it. Pure: no I/O.

Each entry names its indicator in Italian and English, defines it, gives its unit, the events
it is counted from, the breakdowns it may be asked by, the indicator it is part of (the
nesting the protection links), the rule that protects it and, for the fund's common
indicators, the legal reference. The catalogue is what ``GET /v1/observatory/indicators``
publishes; docs/indicators.md explains it at length.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.observatory.indicators.breakdowns import DIMENSIONS, Dimension
from services.observatory.indicators.domain import Indicator


class Unit(StrEnum):
    REFERRALS = "referrals"


REFERRAL_FAMILY_RULE = (
    "Small-cell protection of the whole family (referrals received ⊇ handed over ⊇ taken in "
    "charge, over one cohort): every table of up to two breakdowns of each of the three and "
    "their totals are protected at once. Cells under the threshold in force are suppressed "
    "(zeros included); secondary cells are then chosen by Gaussian elimination (after "
    "Statistics Norway's GaussSuppression) so that no suppressed cell is a linear combination "
    "of published ones, and widened until linear programming cannot narrow any suppressed "
    "cell to a range smaller than the threshold. See docs/small-cells.md."
)

_RECEIVED = "lgnet.intake.referral.received v1"
_HANDED_OVER = "lgnet.intake.referral.handed_over v1"
_CASE_OPENED = "lgnet.casework.case.opened v2"


@dataclass(frozen=True)
class Entry:
    indicator: Indicator
    name_it: str
    name_en: str
    definition: str
    unit: Unit
    source_events: tuple[str, ...]
    breakdowns: tuple[Dimension, ...]
    part_of: Indicator | None
    suppression: str
    reference: str | None = None


CATALOGUE: Mapping[Indicator, Entry] = {
    entry.indicator: entry
    for entry in (
        Entry(
            Indicator.REFERRALS_RECEIVED,
            name_it="Segnalazioni ricevute",
            name_en="Referrals received",
            definition=(
                "Referrals received by the network in the cohort (received from … before), "
                "counted by the month received (in Milan), where the person was met "
                "(Municipio) and target group."
            ),
            unit=Unit.REFERRALS,
            source_events=(_RECEIVED, _HANDED_OVER),
            breakdowns=DIMENSIONS,
            part_of=None,
            suppression=REFERRAL_FAMILY_RULE,
        ),
        Entry(
            Indicator.REFERRALS_HANDED_OVER,
            name_it="Segnalazioni passate in carico a un ente",
            name_en="Referrals handed over",
            definition=(
                "Referrals of the cohort that intake has handed over to a lead organisation "
                "of the network, whenever the hand-over happened."
            ),
            unit=Unit.REFERRALS,
            source_events=(_HANDED_OVER,),
            breakdowns=DIMENSIONS,
            part_of=Indicator.REFERRALS_RECEIVED,
            suppression=REFERRAL_FAMILY_RULE,
        ),
        Entry(
            Indicator.REFERRALS_TAKEN_IN_CHARGE,
            name_it="Segnalazioni prese in carico (caso aperto)",
            name_en="Referrals taken in charge",
            definition=(
                "Referrals of the cohort for which casework opened a case from the hand-over: "
                "the person or family is taken in charge by the lead organisation. A case a "
                "case worker opened without a referral is not counted here."
            ),
            unit=Unit.REFERRALS,
            source_events=(_CASE_OPENED,),
            breakdowns=DIMENSIONS,
            part_of=Indicator.REFERRALS_HANDED_OVER,
            suppression=REFERRAL_FAMILY_RULE,
        ),
    )
}
