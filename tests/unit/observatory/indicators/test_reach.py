"""The initiatives' reach: participants counted once where they first came, repeat ones among
them, a family protected on its own — figures known by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.observatory.indicators.breakdowns import (
    ONCE,
    REPEAT,
    BadBreakdown,
    Dimension,
    table,
)
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.reach import Attended, participant_counts, participant_key

MARCH, APRIL = "2026-03", "2026-04"
S1, S2, S3 = (uuid.UUID(int=n) for n in (1, 2, 3))
SESSIONS = {  # session → (start, month, Municipio)
    S1: (datetime(2026, 3, 5, 17, tzinfo=UTC), MARCH, 3),
    S2: (datetime(2026, 3, 20, 17, tzinfo=UTC), MARCH, 3),
    S3: (datetime(2026, 4, 2, 17, tzinfo=UTC), APRIL, 7),
}
# a: S1 and S2; b: S3; c: S2 and S3; d: S1
ATTENDED = {"a": (S1, S2), "b": (S3,), "c": (S2, S3), "d": (S1,)}


def _attended() -> list[Attended]:
    return [
        Attended(participant, session, *SESSIONS[session])
        for participant, sessions in ATTENDED.items()
        for session in sessions
    ]


def test_a_participant_key_is_a_one_way_digest_of_the_reference() -> None:
    ref = uuid.uuid4()
    key = participant_key(ref)
    assert key == participant_key(ref)
    assert len(key) == 32
    assert int(key, 16) >= 0
    assert ref.hex not in key
    assert key != participant_key(uuid.uuid4())


def test_each_participant_counts_once_where_they_first_came() -> None:
    counts = participant_counts(_attended())
    # a and c first came in March to Municipio 3 and came back; d came once; b once, in April
    assert counts == {(REPEAT, MARCH, "3"): 2, (ONCE, MARCH, "3"): 1, (ONCE, APRIL, "7"): 1}
    # the order they are read in does not matter
    assert participant_counts(reversed(_attended())) == counts


def test_participants_and_repeat_ones_are_one_family() -> None:
    counts = dict(participant_counts(_attended()))
    by = (Dimension.MUNICIPIO,)

    everyone = table(counts, Indicator.INITIATIVE_PARTICIPANTS, by, threshold=1, months=(MARCH,))
    repeat = table(counts, Indicator.INITIATIVE_REPEAT_PARTICIPANTS, by, threshold=1)

    assert everyone.total.value == 4
    shown = {dict(c.breakdown)[Dimension.MUNICIPIO]: c.value for c in everyone.cells}
    assert shown["3"] == 3
    assert shown["7"] == 1
    assert repeat.total.value == 2
    # at a threshold of 3, Municipio 7's one is hidden, and the total cannot give it away
    protected = table(counts, Indicator.INITIATIVE_PARTICIPANTS, by, threshold=3)
    cells = {dict(c.breakdown)[Dimension.MUNICIPIO]: c.value for c in protected.cells}
    assert cells["7"] is None
    assert protected.total.value is None or cells["3"] is None


def test_an_initiative_indicator_has_no_target_group() -> None:
    with pytest.raises(BadBreakdown, match="not broken down by target_group"):
        table({}, Indicator.INITIATIVE_SESSIONS, (Dimension.TARGET_GROUP,), threshold=5)
