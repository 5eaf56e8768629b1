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

from services.observatory.indicators.breakdowns import (
    ATTENDANCES,
    CASELOAD,
    FEEDBACK,
    FLOWS,
    PARTICIPANTS,
    SESSIONS,
    Dimension,
    Scheme,
)
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.housing import DURATIONS
from services.observatory.indicators.shares import SHARES
from services.observatory.indicators.timeliness import TIMELINESS


class Unit(StrEnum):
    REFERRALS = "referrals"
    HOURS = "hours"
    SESSIONS = "sessions"
    ATTENDANCES = "attendances"
    PARTICIPANTS = "participants"
    ANSWERS = "answers"
    HOUSEHOLDS = "households"
    DAYS = "days"
    CASES = "cases"
    REVIEWS = "reviews"
    MINORS = "minors"
    PERCENT = "percent"


REFERRALS_RECEIVED = ("Segnalazioni ricevute", "referrals received")
SESSIONS_STARTING = ("Sessioni svolte", "sessions held")
MOVING_IN = ("Ingressi in struttura", "households moving in")
MOVING_OUT = ("Uscite dalla struttura", "households moving out")
CASES_OPENED = ("Casi aperti", "cases opened")
REVIEWS_RECORDED = ("Verifiche registrate", "reviews recorded")
COMING_OF_AGE = ("Minori nel mese dei 18 anni", "minors in the month they turn 18")
OPEN_AT_THE_END = ("Casi aperti alla fine del periodo", "cases open at the end of the period")


REFERRAL_FAMILY_RULE = (
    "Small-cell protection of the whole family (referrals received ⊇ handed over ⊇ taken in "
    "charge, over one cohort): every table of up to two breakdowns of each of the three and "
    "their totals are protected at once. Cells under the threshold in force are suppressed "
    "(zeros included); secondary cells are then chosen by Gaussian elimination (after "
    "Statistics Norway's GaussSuppression) so that no suppressed cell is a linear combination "
    "of published ones, and widened until linear programming cannot narrow any suppressed "
    "cell to a range smaller than the threshold. See docs/small-cells.md."
)


def _family_rule(family: str, cohort: str = "sessions") -> str:
    """The protection of a family other than the referrals': the same method, its own tables."""
    return (
        f"Small-cell protection of the family ({family}, over one cohort of {cohort}): every "
        "table of up to two breakdowns and the total protected at once, by the method of the "
        "referral family (threshold in force, zeros included; secondary cells by Gaussian "
        "elimination, widened until linear programming cannot narrow a suppressed cell below "
        "the threshold). See docs/small-cells.md."
    )


TIMELINESS_RULE = (
    "A statistic publishes no count: its cell is shown only where the count it is drawn from "
    "(drawn_from) is published by the small-cell protection of that count's family, and at "
    "least the threshold in force of units make it; otherwise it is suppressed with that "
    "count. See docs/small-cells.md."
)

_INITIATIVE_STATUS = tuple(
    f"lgnet.events.initiative.{change} v{2 if change == 'created' else 1}"
    for change in ("created", "changed", "published", "completed", "cancelled")
)
_SESSIONS = tuple(
    f"lgnet.events.session.{change} v1"
    for change in ("scheduled", "changed", "rescheduled", "cancelled")
)
_ATTENDANCE = "lgnet.events.attendance.recorded v1"
_FEEDBACK = "lgnet.events.feedback.given v1"
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
    cohort: tuple[str, str] = REFERRALS_RECEIVED
    """What the period selects, in Italian and English."""
    over: Indicator | None = None
    """A share's: the count it is a percentage of (``drawn_from`` is the part)."""


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
        breakdowns=FLOWS,
        part_of=None,
        suppression=TIMELINESS_RULE,
        drawn_from=TIMELINESS[indicator].drawn_from,
    )


def _reach(
    indicator: Indicator,
    names: tuple[str, str],
    definition: str,
    unit: Unit,
    scheme: Scheme,
    *,
    part_of: Indicator | None = None,
) -> Entry:
    """An initiatives' indicator of ``scheme``'s family, over a cohort of sessions."""
    counted = ", ".join(f"{i}" for i in scheme.nesting)
    attendance = {SESSIONS.name: (), FEEDBACK.name: (_FEEDBACK,)}.get(scheme.name, (_ATTENDANCE,))
    return Entry(
        indicator,
        name_it=names[0],
        name_en=names[1],
        definition=definition,
        unit=unit,
        source_events=(*_INITIATIVE_STATUS, *_SESSIONS, *attendance),
        breakdowns=scheme.dimensions,
        part_of=part_of,
        suppression=_family_rule(counted),
        cohort=SESSIONS_STARTING,
    )


_FACILITIES = (
    "lgnet.housing.facility.registered v2",
    "lgnet.housing.facility.changed v1",
)
_REQUESTS = tuple(f"lgnet.housing.request.{c} v1" for c in ("filed", "changed", "withdrawn"))
_PLACEMENTS = ("lgnet.housing.placement.started v1", "lgnet.housing.placement.ended v1")
_HOUSING_SOURCES = (*_FACILITIES, *_REQUESTS, *_PLACEMENTS)
_PLACEMENTS_RULE = _family_rule("housing_placements", "placements")
_EXITS_RULE = _family_rule("housing_exits ⊇ housing_exits_to_autonomy", "placements ended")
_HOUSING_WHERE = (
    "by the month (in Milan), the Municipio of the facility and the household's target group"
)


def _housing(
    indicator: Indicator,
    names: tuple[str, str],
    definition: str,
    *,
    part_of: Indicator | None = None,
) -> Entry:
    """A housing indicator: a count of households, or a statistic in days drawn from one."""
    drawn_from = DURATIONS[indicator].drawn_from if indicator in DURATIONS else None
    family = drawn_from or indicator
    exits = family in (Indicator.HOUSING_EXITS, Indicator.HOUSING_EXITS_TO_AUTONOMY)
    return Entry(
        indicator,
        name_it=names[0],
        name_en=names[1],
        definition=f"{definition}, {_HOUSING_WHERE}.",
        unit=Unit.DAYS if drawn_from else Unit.HOUSEHOLDS,
        source_events=_HOUSING_SOURCES,
        breakdowns=FLOWS,
        part_of=part_of,
        suppression=TIMELINESS_RULE if drawn_from else _EXITS_RULE if exits else _PLACEMENTS_RULE,
        drawn_from=drawn_from,
        cohort=MOVING_OUT if exits else MOVING_IN,
    )


SHARE_RULE = (
    "A share publishes no count: its cell is shown only where both the count it is drawn "
    "from (drawn_from) and the count it is a percentage of (over) are published by the "
    "small-cell protection of their family; otherwise it is suppressed. See "
    "docs/small-cells.md."
)
_OPENED = "lgnet.casework.case.opened v2"
_APPROVED = "lgnet.casework.approval.decided v1"
_REVIEWED = ("lgnet.casework.review.recorded v1", "lgnet.casework.review.overdue v1")
_TURNING_18 = "lgnet.casework.minor.turning_18 v1"
_CASE_WHERE = "by the month (in Milan), the case's Municipio and target group"


def _casework(
    indicator: Indicator,
    names: tuple[str, str],
    definition: str,
    *,
    unit: Unit,
    family: str,
    cohort: tuple[str, str],
    source_events: tuple[str, ...],
    part_of: Indicator | None = None,
) -> Entry:
    """A count of a casework family."""
    return Entry(
        indicator,
        name_it=names[0],
        name_en=names[1],
        definition=f"{definition}, {_CASE_WHERE}.",
        unit=unit,
        source_events=source_events,
        breakdowns=FLOWS,
        part_of=part_of,
        suppression=_family_rule(family, cohort[1]),
        cohort=cohort,
    )


def _share(indicator: Indicator, names: tuple[str, str], definition: str, of: Entry) -> Entry:
    """A share of ``of``'s family: ``SHARES`` says which part of which whole."""
    share = SHARES[indicator]
    return Entry(
        indicator,
        name_it=names[0],
        name_en=names[1],
        definition=f"{definition} (per cent, one decimal), {_CASE_WHERE}.",
        unit=Unit.PERCENT,
        source_events=of.source_events,
        breakdowns=FLOWS,
        part_of=None,
        suppression=SHARE_RULE,
        drawn_from=share.part,
        cohort=of.cohort,
        over=share.whole,
    )


_CASES_OPENED = _casework(
    Indicator.CASES_OPENED,
    ("Casi aperti", "Cases opened"),
    "Cases casework opened in the cohort, from a referral's hand-over or by a case worker",
    unit=Unit.CASES,
    family="cases_opened ⊇ cases_plan_approved_30_days",
    cohort=CASES_OPENED,
    source_events=(_OPENED, _APPROVED),
)
_REVIEWS = _casework(
    Indicator.REVIEWS_RECORDED,
    ("Verifiche del caso registrate", "Case reviews recorded"),
    "Reviews of a case recorded in the cohort, each closing a cycle of the review cadence "
    "in force for the case's target group",
    unit=Unit.REVIEWS,
    family="reviews_recorded ⊇ reviews_on_time",
    cohort=REVIEWS_RECORDED,
    source_events=_REVIEWED,
)
_TURNING = _casework(
    Indicator.MINORS_TURNING_18,
    ("Minori che compiono 18 anni", "Minors turning 18"),
    "Minors' cases reaching, in the cohort, the month of the minor's 18th birthday (casework "
    "raises minor.turning_18 on its first day; the birth date itself is never published)",
    unit=Unit.MINORS,
    family="minors_turning_18 ⊇ minors_turning_18_with_plan",
    cohort=COMING_OF_AGE,
    source_events=(_TURNING_18,),
)
_CASEWORK = (
    _CASES_OPENED,
    _casework(
        Indicator.CASES_PLAN_APPROVED_30_DAYS,
        ("Casi con progetto approvato entro 30 giorni", "Cases with a plan approved in 30 days"),
        "Cases of cases_opened whose first individual plan (PEI/PAI) a supervisor of the "
        "lead organisation approved within 30 days of the opening; a case whose plan is "
        "still awaited is not counted, so a recent cohort's figure may still rise",
        unit=Unit.CASES,
        family="cases_opened ⊇ cases_plan_approved_30_days",
        cohort=CASES_OPENED,
        source_events=(_OPENED, _APPROVED),
        part_of=Indicator.CASES_OPENED,
    ),
    _share(
        Indicator.CASES_PLAN_APPROVED_30_DAYS_SHARE,
        ("Quota di casi con progetto entro 30 giorni", "Share of cases with a plan in 30 days"),
        "cases_plan_approved_30_days as a share of cases_opened",
        _CASES_OPENED,
    ),
    _REVIEWS,
    _casework(
        Indicator.REVIEWS_ON_TIME,
        ("Verifiche nei tempi", "Reviews on time"),
        "Reviews of reviews_recorded done by their due date: casework raised no "
        "review.overdue for the case's cycle",
        unit=Unit.REVIEWS,
        family="reviews_recorded ⊇ reviews_on_time",
        cohort=REVIEWS_RECORDED,
        source_events=_REVIEWED,
        part_of=Indicator.REVIEWS_RECORDED,
    ),
    _share(
        Indicator.REVIEWS_ON_TIME_SHARE,
        ("Rispetto delle verifiche", "Review compliance"),
        "reviews_on_time as a share of reviews_recorded (a review still not done is counted "
        "once it is recorded, as late)",
        _REVIEWS,
    ),
    _TURNING,
    _casework(
        Indicator.MINORS_TURNING_18_WITH_PLAN,
        ("Neomaggiorenni con progetto di transizione", "Turning 18 with a transition plan"),
        "Cases of minors_turning_18 with a transition plan (towards the prosieguo "
        "amministrativo or autonomy) open by the first day of the month of the birthday",
        unit=Unit.MINORS,
        family="minors_turning_18 ⊇ minors_turning_18_with_plan",
        cohort=COMING_OF_AGE,
        source_events=(_TURNING_18,),
        part_of=Indicator.MINORS_TURNING_18,
    ),
    _share(
        Indicator.MINORS_TURNING_18_WITH_PLAN_SHARE,
        ("Quota con progetto di transizione in tempo", "Share with a transition plan in time"),
        "minors_turning_18_with_plan as a share of minors_turning_18",
        _TURNING,
    ),
    Entry(
        Indicator.CASELOAD,
        name_it="Casi in carico per organizzazione",
        name_en="Caseload per organisation",
        definition=(
            "Cases open at the end of the cohort (at to; from only bounds the query), by the "
            "organisation leading each then, its Municipio and target group: a stock, so "
            "not by month. Open is any status but closed; a case being transferred is its "
            "lead's until the transfer is answered."
        ),
        unit=Unit.CASES,
        source_events=(
            _OPENED,
            *(
                f"lgnet.casework.case.{change} v1"
                for change in ("status_changed", "closed", "reopened")
            ),
        ),
        breakdowns=CASELOAD.dimensions,
        part_of=None,
        suppression=_family_rule("caseload", "cases open at its end"),
        cohort=OPEN_AT_THE_END,
    ),
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
            breakdowns=FLOWS,
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
            breakdowns=FLOWS,
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
            breakdowns=FLOWS,
            part_of=Indicator.REFERRALS_HANDED_OVER,
            suppression=REFERRAL_FAMILY_RULE,
        ),
        _timeliness(Indicator.FIRST_CONTACT_HOURS_MEDIAN, _FIRST_CONTACT, _MEDIAN),
        _timeliness(Indicator.FIRST_CONTACT_HOURS_P90, _FIRST_CONTACT, _P90),
        _timeliness(Indicator.HAND_OVER_HOURS_MEDIAN, _HAND_OVER, _MEDIAN),
        _timeliness(Indicator.HAND_OVER_HOURS_P90, _HAND_OVER, _P90),
        _reach(
            Indicator.INITIATIVE_SESSIONS,
            ("Sessioni delle iniziative", "Initiative sessions"),
            "Sessions of the public initiatives starting in the cohort, not cancelled, of an "
            "initiative published or completed (a draft's or a cancelled one's do not count), "
            "by the month they start (in Milan) and the Municipio of the venue.",
            Unit.SESSIONS,
            SESSIONS,
        ),
        _reach(
            Indicator.INITIATIVE_ATTENDANCES,
            ("Presenze alle iniziative", "Initiative attendances"),
            "Attendances at the sessions counted by initiative_sessions: everyone checked in "
            "(beneficiaries and others registered) and every walk-in, each time; a person at "
            "two sessions is two attendances.",
            Unit.ATTENDANCES,
            ATTENDANCES,
        ),
        _reach(
            Indicator.INITIATIVE_PARTICIPANTS,
            ("Partecipanti alle iniziative", "Initiative participants"),
            "Distinct beneficiaries checked in at the sessions counted by initiative_sessions "
            "(walk-ins are not named, so not counted), each once, in the month and Municipio "
            "of the first session they attended in the cohort.",
            Unit.PARTICIPANTS,
            PARTICIPANTS,
        ),
        _reach(
            Indicator.INITIATIVE_REPEAT_PARTICIPANTS,
            ("Partecipanti che tornano", "Repeat participants"),
            "Participants who attended two sessions or more of the cohort, counted where "
            "initiative_participants counts them (their first session's month and Municipio).",
            Unit.PARTICIPANTS,
            PARTICIPANTS,
            part_of=Indicator.INITIATIVE_PARTICIPANTS,
        ),
        _reach(
            Indicator.INITIATIVE_FEEDBACK,
            ("Risposte sull'utilità delle sessioni", "Answers on the sessions' usefulness"),
            "Answers registrants gave on how useful a session counted by initiative_sessions "
            "was to them (one per registrant and session), by its month and Municipio.",
            Unit.ANSWERS,
            FEEDBACK,
        ),
        _reach(
            Indicator.INITIATIVE_FEEDBACK_HELPFUL,
            ("Risposte: sessione utile", "Answers: the session helped"),
            "Answers of initiative_feedback that found the session helpful (4 or 5 of 5). "
            "Answers, not distinct persons: a registrant answers once per session.",
            Unit.ANSWERS,
            FEEDBACK,
            part_of=Indicator.INITIATIVE_FEEDBACK,
        ),
        _housing(
            Indicator.HOUSING_PLACEMENTS,
            ("Nuclei accolti in struttura", "Households placed"),
            "Households that moved into a reception facility or flat on a day of the cohort",
        ),
        _housing(
            Indicator.HOUSING_WAIT_DAYS_MEDIAN,
            ("Giorni di attesa di un posto (mediana)", "Days waiting for a place (median)"),
            "The median of the days from the day a household asked for a place to the day it "
            "moved in, over the households placed in the cohort; drawn from housing_placements",
        ),
        _housing(
            Indicator.HOUSING_EXITS,
            ("Nuclei usciti dalla struttura", "Households moving out"),
            "Households that moved out of a facility or flat on a day of the cohort",
        ),
        _housing(
            Indicator.HOUSING_EXITS_TO_AUTONOMY,
            ("Uscite verso l'autonomia abitativa", "Exits to autonomous housing"),
            "Households of housing_exits that moved out to a home of their own (outcome "
            "autonomous_housing)",
            part_of=Indicator.HOUSING_EXITS,
        ),
        _housing(
            Indicator.HOUSING_STAY_DAYS_MEDIAN,
            ("Durata della permanenza in giorni (mediana)", "Length of stay in days (median)"),
            "The median of the days from moving in to moving out, over the households moving "
            "out in the cohort; drawn from housing_exits",
        ),
        *_CASEWORK,
    )
}
