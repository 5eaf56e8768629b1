"""The catalogue describes every indicator, truly: its nesting is the protection's, its source
events are published ones."""

from __future__ import annotations

from kit.settings import REPO_ROOT
from services.observatory.indicators.breakdowns import NESTING, REFERRALS, SCHEME_OF, SCHEMES
from services.observatory.indicators.catalogue import (
    CATALOGUE,
    SHARE_RULE,
    TIMELINESS_RULE,
    Unit,
)
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.housing import DURATIONS, Duration
from services.observatory.indicators.service import catalogue
from services.observatory.indicators.shares import SHARES
from services.observatory.indicators.timeliness import TIMELINESS, Timeliness

EVENTS = REPO_ROOT / "contracts" / "events"
STATISTIC_UNITS = (Unit.HOURS, Unit.DAYS)


def test_every_indicator_has_one_entry_named_in_italian_and_english() -> None:
    assert set(CATALOGUE) == set(Indicator)
    for entry in CATALOGUE.values():
        assert entry.name_it
        assert entry.name_en
        assert entry.name_it != entry.name_en
        assert len(entry.definition) > 40


def test_an_indicator_is_part_of_the_one_whose_units_hold_its_own() -> None:
    for indicator, entry in CATALOGUE.items():
        if entry.part_of is not None:
            scheme = SCHEME_OF[indicator]
            assert SCHEME_OF[entry.part_of] is scheme  # one family
            assert scheme.nesting[indicator] < scheme.nesting[entry.part_of]
    for scheme in SCHEMES.values():
        roots = [i for i in scheme.nesting if CATALOGUE[i].part_of is None]
        assert len(roots) == 1, scheme.name  # each family nests in one indicator
        assert all(CATALOGUE[i].breakdowns == scheme.dimensions for i in scheme.nesting)
    counts = [
        entry
        for entry in CATALOGUE.values()
        if entry.unit not in STATISTIC_UNITS and entry.unit is not Unit.PERCENT
    ]
    assert {entry.indicator for entry in counts} == set(SCHEME_OF)
    referrals = [e.indicator for e in counts if e.unit is Unit.REFERRALS and e.part_of is None]
    assert referrals == [Indicator.REFERRALS_RECEIVED]
    assert set(REFERRALS.nesting) == set(NESTING)


def test_a_statistic_follows_a_count_of_the_family() -> None:
    statistics = [entry for entry in CATALOGUE.values() if entry.unit in STATISTIC_UNITS]
    drawn: dict[Indicator, Timeliness | Duration] = {**TIMELINESS, **DURATIONS}
    assert {entry.indicator for entry in statistics} == set(drawn)
    for entry in statistics:
        assert entry.part_of is None
        assert entry.drawn_from == drawn[entry.indicator].drawn_from
        assert entry.drawn_from is not None
        assert entry.drawn_from in SCHEME_OF
        assert entry.breakdowns == SCHEME_OF[entry.drawn_from].dimensions
        assert entry.suppression == TIMELINESS_RULE


def test_a_share_is_of_a_part_of_its_whole() -> None:
    shares = [entry for entry in CATALOGUE.values() if entry.unit is Unit.PERCENT]
    assert {entry.indicator for entry in shares} == set(SHARES)
    for entry in shares:
        share = SHARES[entry.indicator]
        assert (entry.drawn_from, entry.over) == (share.part, share.whole)
        assert CATALOGUE[share.part].part_of == share.whole
        assert entry.breakdowns == SCHEME_OF[share.whole].dimensions
        assert entry.cohort == CATALOGUE[share.whole].cohort
        assert entry.suppression == SHARE_RULE


def test_the_source_events_are_published_contracts() -> None:
    for entry in CATALOGUE.values():
        for source in entry.source_events:
            event_type, version = source.split(" ")
            assert (EVENTS / f"{event_type}.{version}.schema.json").is_file(), source


def test_the_published_catalogue_carries_the_threshold_in_force() -> None:
    published = catalogue(threshold=7)

    assert published.suppression_threshold == 7
    assert [entry.code for entry in published.indicators] == list(Indicator)
    received = published.indicators[0]
    assert received.name.it == "Segnalazioni ricevute"
    assert "Gaussian elimination" in received.suppression
