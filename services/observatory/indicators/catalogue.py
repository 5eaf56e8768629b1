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
from services.observatory.indicators.timeliness import TIMELINESS


class Unit(StrEnum):
    REFERRALS = "referrals"
    HOURS = "hours"


REFERRAL_FAMILY_RULE = (
    "Small-cell protection of the whole family (referrals received ⊇ handed over ⊇ taken in "
    "charge, over one cohort): every table of up to two breakdowns of each of the three and "
    "their totals are protected at once. Cells under the threshold in force are suppressed "
    "(zeros included); secondary cells are then chosen by Gaussian elimination (after "
    "Statistics Norway's GaussSuppression) so that no suppressed cell is a linear combination "
    "of published ones, and widened until linear programming cannot narrow any suppressed "
    "cell to a range smaller than the threshold. See docs/small-cells.md."
)

TIMELINESS_RULE = (
    "A statistic publishes no count: its cell is shown only where the count it is drawn from "
    "(given in the definition) is published by the small-cell protection of the referral "
    "family, and at least the threshold in force of referrals make it; otherwise it is "
    "suppressed with that count. See docs/small-cells.md."
)

_RECEIVED = "lgnet.intake.referral.received v1"
_FIRST_CONTACTED = "lgnet.intake.referral.first_contacted v1"
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
    drawn_from: Indicator | None = None
    """A statistic's: the count whose published cells its cells follow."""


def _timeliness(
    indicator: Indicator, step: tuple[str, str, str], statistic: tuple[str, str, str]
) -> Entry:
    """A timeliness statistic's entry: ``step`` and ``statistic`` as (Italian, English,
    definition) words."""
    first_contact = step[1] == "first contact"
    return Entry(
        indicator,
        name_it=f"Ore dalla segnalazione {step[0]} ({statistic[0]})",
        name_en=f"Hours from referral to {step[1]} ({statistic[1]})",
        definition=(
            f"The {statistic[2]} of the hours from a referral's reception to its {step[2]}, "
            "over the referrals of the cohort that reached it, whenever they did; drawn from "
            + (
                "the referrals received (a hand-over with no first contact recorded counts "
                "as the first contact)."
                if first_contact
                else "the referrals handed over."
            )
        ),
        unit=Unit.HOURS,
        source_events=(_RECEIVED, _FIRST_CONTACTED, _HANDED_OVER)
        if first_contact
        else (_RECEIVED, _HANDED_OVER),
        breakdowns=DIMENSIONS,
        part_of=None,
        suppression=TIMELINESS_RULE,
        drawn_from=TIMELINESS[indicator].drawn_from,
    )


_FIRST_CONTACT = ("al primo contatto", "first contact", "first contact with the person")
_HAND_OVER = ("al passaggio in carico", "hand-over", "hand-over to a lead organisation")
_MEDIAN = ("mediana", "median", "median")
_P90 = ("90° percentile", "90th percentile", "90th percentile (nearest rank)")

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
        _timeliness(Indicator.FIRST_CONTACT_HOURS_MEDIAN, _FIRST_CONTACT, _MEDIAN),
        _timeliness(Indicator.FIRST_CONTACT_HOURS_P90, _FIRST_CONTACT, _P90),
        _timeliness(Indicator.HAND_OVER_HOURS_MEDIAN, _HAND_OVER, _MEDIAN),
        _timeliness(Indicator.HAND_OVER_HOURS_P90, _HAND_OVER, _P90),
    )
}
