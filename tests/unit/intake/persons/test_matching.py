"""Duplicate detection rules, one named case each, plus properties of the score."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.persons.matching import (
    DEFAULT_THRESHOLD,
    REVIEW_THRESHOLD,
    Match,
    PersonFacts,
    Reason,
    blocking_keys,
    compare_birth_date,
    compare_name,
    rank,
    score,
)
from services.intake.persons.names import clean, edit_distance, fold_name, jaro_winkler, skeleton


def person(
    given: str = "Mohamed",
    family: str = "Ali",
    *,
    born: date | None = date(2001, 5, 17),
    estimated: bool = False,
    sex: str | None = "male",
    nationality: str | None = "SO",
    documents: tuple[str, ...] = (),
    alternative_names: tuple[str, ...] = (),
) -> PersonFacts:
    return PersonFacts(
        given_name=given,
        family_name=family,
        alternative_names=alternative_names,
        sex=sex,
        birth_date=born,
        birth_date_estimated=estimated,
        nationality=nationality,
        document_numbers=documents,
    )


def reason(match: Match, field_name: str) -> Reason:
    return next(r for r in match.reasons if r.field == field_name)


# --- folding ---------------------------------------------------------------------------------


def test_clean_strips_diacritics_apostrophes_and_case() -> None:
    assert clean("Traoré") == "traore"
    assert clean("N'Diaye") == "ndiaye"
    assert clean("  Abd al-Rahman ") == "abd al rahman"


@pytest.mark.parametrize(
    "variants",
    [
        ("Mohamed", "Muhammad", "Mohammed", "Mohammad", "Maxamed", "Md"),
        ("Abdulrahman", "Abd al-Rahman", "Abdelrahman", "Abdul Rahman", "Abderrahmane"),
        ("Abdirahman", "Cabdiraxmaan", "Abdurahman"),
        ("Abdullahi", "Cabdullaahi", "Abdulahi", "Abdillahi"),
        ("Hassan", "Xasan", "Hasan"),
        ("Omar", "Umar", "Cumar"),
        ("Youssef", "Yusuf", "Yousef", "Youcef"),
        ("Diallo", "Jallow", "Djallo", "Jalloh"),
        ("Chowdhury", "Choudhury", "Chaudhry"),
        ("Kravchuk", "Krawczuk"),
        ("Yuliia", "Iuliia", "Yulia", "Julia"),
        ("Benali", "Ben Ali", "Bin Ali"),
        ("Rahmatullah", "Rahmat Ullah"),
        ("Gebremedhin", "Ghebremedhin", "Gebre Medhin"),
    ],
)
def test_transliteration_variants_share_a_phonetic_skeleton(variants: tuple[str, ...]) -> None:
    common = frozenset.intersection(*(fold_name(v).skeletons for v in variants))
    assert common, {v: sorted(fold_name(v).skeletons) for v in variants}


def test_somali_orthography_is_an_alternative_reading_not_the_only_one() -> None:
    # c is ayn in Cabdi but a k in Camara: both readings are kept
    assert "abdi" in fold_name("Cabdi").forms
    assert "kamara" in fold_name("Camara").forms


def test_skeleton_keeps_first_letter_and_consonants() -> None:
    assert skeleton("mohamed") == "mhmd"
    assert skeleton("usman") == skeleton("osman") == "asmn"


# --- name comparison -------------------------------------------------------------------------


def test_mohamed_muhammad_is_a_transliteration() -> None:
    result = compare_name(fold_name("Mohamed"), fold_name("Muhammad"))
    assert result is not None
    assert result[1] == "phonetic"
    assert result[0] >= 0.9


def test_somali_maxamed_is_mohamed() -> None:
    result = compare_name(fold_name("Maxamed"), fold_name("Mohamed"))
    assert result is not None
    assert result[0] >= 0.9


def test_abd_al_rahman_is_abdulrahman() -> None:
    result = compare_name(fold_name("Abd al-Rahman"), fold_name("Abdulrahman"))
    assert result == (0.97, "transliteration")


def test_hassan_is_not_hussein() -> None:
    result = compare_name(fold_name("Hassan"), fold_name("Hussein"))
    assert result is not None
    assert result[0] < 0.75


def test_known_cross_language_equivalent() -> None:
    result = compare_name(fold_name("Mykola"), fold_name("Nikolay"))
    assert result == (0.90, "known variant")


def test_one_letter_typo() -> None:
    result = compare_name(fold_name("Warsame"), fold_name("Warame"))
    assert result == (0.88, "typo")


def test_missing_name_is_not_compared() -> None:
    assert compare_name(fold_name(""), fold_name("Ali")) is None


# --- birth dates -----------------------------------------------------------------------------


def test_1_january_placeholder_same_year() -> None:
    result = compare_birth_date(date(2008, 1, 1), True, date(2008, 9, 14), False)
    assert result == (0.95, "1 January placeholder, same year")


def test_placeholder_one_year_off_is_within_tolerance() -> None:
    result = compare_birth_date(date(2007, 1, 1), True, date(2008, 9, 14), False)
    assert result is not None
    assert result[1] == "within 1 year, 1 January placeholder"


def test_exact_dates_a_year_apart_are_weak_but_estimated_ones_agree() -> None:
    exact = compare_birth_date(date(2001, 5, 17), False, date(2002, 8, 3), False)
    estimated = compare_birth_date(date(2001, 5, 17), False, date(2002, 5, 17), True)
    assert exact is not None
    assert estimated is not None
    assert exact[0] < 0.5 < estimated[0]
    assert estimated[1] == "within 1 year, one estimated"


def test_day_and_month_swapped() -> None:
    assert compare_birth_date(date(2001, 5, 7), False, date(2001, 7, 5), False) == (
        0.85,
        "day and month swapped",
    )


# --- the score -------------------------------------------------------------------------------


def test_identical_records_score_one() -> None:
    assert score(person(), person()).score == 1.0


def test_swapped_given_and_family_names_match() -> None:
    match = score(person("Mohamed", "Warsame"), person("Warsame", "Mohamed"))
    assert match.score >= DEFAULT_THRESHOLD
    assert Reason("names", "swapped") in match.reasons


def test_transliteration_with_placeholder_birth_date_matches() -> None:
    a = person("Abdulrahman", "Hirsi", born=date(2007, 3, 2))
    b = person("Cabdiraxmaan", "Xirsi", born=date(2007, 1, 1), estimated=True)
    match = score(a, b)
    assert match.score >= DEFAULT_THRESHOLD
    assert reason(match, "birth_date").how == "1 January placeholder, same year"


def test_typo_and_estimated_year_still_match() -> None:
    a = person("Fatima", "Ahmadzai", born=date(2011, 8, 7), nationality="AF", sex="female")
    b = person(
        "Fatema", "Ahmadzia", born=date(2012, 8, 7), estimated=True, nationality="AF", sex="female"
    )
    assert score(a, b).score >= DEFAULT_THRESHOLD


def test_missing_birth_date_is_neutral() -> None:
    match = score(person(), person("Muhammad", "Ali", born=None))
    assert match.score >= DEFAULT_THRESHOLD
    assert reason(match, "birth_date").how == "missing"


def test_two_mohamed_ali_born_ten_years_apart_do_not_match() -> None:
    match = score(person(born=date(1990, 3, 1)), person(born=date(2000, 3, 1)))
    assert match.score < REVIEW_THRESHOLD
    assert reason(match, "birth_date").how == "10 years apart"


def test_same_family_name_different_given_name_does_not_match() -> None:
    match = score(person("Ahmed", "Warsame"), person("Abdi", "Warsame"))
    assert match.score < REVIEW_THRESHOLD


def test_sex_and_nationality_are_weak_evidence() -> None:
    base = score(person(), person()).score
    other_country = score(person(), person(nationality="ET")).score
    assert base > other_country >= DEFAULT_THRESHOLD
    assert reason(score(person(), person(sex="female")), "sex").how == "differs"


def test_same_document_number_dominates() -> None:
    a = person("Mohamed", "Ali", documents=("ZZ 123 4567",))
    b = person("Cali", "Maxamed", born=None, documents=("zz1234567",))
    match = score(a, b)
    assert match.score >= 0.99
    assert match.reasons[0] == Reason("document", "same number", 1.0)


def test_alternative_names_are_compared() -> None:
    a = person("Mykhailo", "Boyko", nationality="UA")
    b = person("Misha", "Boiko", nationality="UA", alternative_names=("Mykhailo Boiko",))
    match = score(a, b)
    assert match.score >= DEFAULT_THRESHOLD
    assert Reason("names", "alternative name") in match.reasons


# --- rank and blocking -----------------------------------------------------------------------


def test_rank_orders_matches_and_drops_those_under_the_threshold() -> None:
    query = person("Mohammed", "Ali", born=date(2001, 1, 1), estimated=True)
    exact = person()
    shifted = person("Muhammad", "Cali", born=date(2002, 5, 17), estimated=True)
    older = person(born=date(1980, 5, 17))
    ranked = rank(query, [older, shifted, exact], threshold=DEFAULT_THRESHOLD)
    assert [m.candidate for m in ranked] == [exact, shifted]
    assert ranked[0].score >= ranked[1].score


def test_blocking_keys_are_shared_by_transliterated_and_swapped_records() -> None:
    a = person("Mohamed", "Hassan", born=date(2005, 6, 1))
    b = person("Xasan", "Maxamed", born=date(2006, 1, 1), estimated=True)
    assert blocking_keys(a) & blocking_keys(b)


def test_blocking_keys_without_birth_date_still_meet() -> None:
    assert blocking_keys(person()) & blocking_keys(person("Muhammad", "Ali", born=None))


def test_blocking_keys_carry_no_raw_name() -> None:
    keys = blocking_keys(person("Abdulrahman", "Warsame"))
    assert not any("abdulrahman" in k or "warsame" in k for k in keys)


# --- properties ------------------------------------------------------------------------------

_names = st.text(
    alphabet=st.sampled_from("abcdehiklmnorsuxyzéç' -"), min_size=1, max_size=14
).filter(lambda s: any(ch.isalpha() for ch in s))
_persons = st.builds(
    PersonFacts,
    given_name=_names,
    family_name=_names,
    alternative_names=st.lists(_names, max_size=2).map(tuple),
    sex=st.sampled_from(["male", "female", "unknown", None]),
    birth_date=st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2026, 1, 1)),
    birth_date_estimated=st.booleans(),
    nationality=st.sampled_from(["SO", "ER", "AF", None]),
    document_numbers=st.lists(st.sampled_from(["ZZ1234567", "ZZ7654321"]), max_size=1).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(_persons, _persons)
def test_score_is_symmetric_and_in_unit_interval(a: PersonFacts, b: PersonFacts) -> None:
    ab, ba = score(a, b), score(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == ba.score


@settings(max_examples=200, deadline=None)
@given(_persons)
def test_identical_records_score_at_least_the_threshold(p: PersonFacts) -> None:
    assert score(p, p).score >= DEFAULT_THRESHOLD
    assert blocking_keys(p)  # a record always meets its own copy


@settings(max_examples=200, deadline=None)
@given(_persons)
def test_blocking_keys_are_order_free_for_names(a: PersonFacts) -> None:
    swapped = PersonFacts(
        given_name=a.family_name,
        family_name=a.given_name,
        birth_date=a.birth_date,
        birth_date_estimated=a.birth_date_estimated,
    )
    original = PersonFacts(
        given_name=a.given_name,
        family_name=a.family_name,
        birth_date=a.birth_date,
        birth_date_estimated=a.birth_date_estimated,
    )
    assert blocking_keys(original) == blocking_keys(swapped)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("martha", "marhta", 0.9611),  # the textbook pairs (Winkler 1990)
        ("dwayne", "duane", 0.84),
        ("dixon", "dicksonx", 0.8133),
        ("hassan", "hameeed", 0.6317),  # below 0.7 the prefix bonus still applies
        ("abc", "abc", 1.0),
        ("", "abc", 0.0),
        ("abc", "xyz", 0.0),
    ],
)
def test_jaro_winkler(a: str, b: str, expected: float) -> None:
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("mohamed", "mohamed", 0),
        ("mohamed", "mohammed", 1),  # insertion
        ("mohamed", "mohaemd", 1),  # transposition
        ("ca", "abc", 3),  # optimal string alignment, not unrestricted Damerau (2)
        ("", "abc", 3),
    ],
)
def test_edit_distance_is_optimal_string_alignment(a: str, b: str, expected: int) -> None:
    assert edit_distance(a, b) == expected
