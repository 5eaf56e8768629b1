"""Name folding for duplicate detection: transliteration variants to one comparable key. Pure.

A name passes through three stages, each driven by the data tables below (policy, not code):

1. **Clean** — Unicode NFKD with combining marks removed (Traoré → traore, Beriša → berisa),
   lowercase, apostrophes dropped (N'Diaye → ndiaye), hyphens and dots become spaces.
2. **Tokens** — standalone Arabic articles (``PARTICLES``: al-, el-, ul-…) are dropped when
   another token remains ("Abd al-Rahman" → abd rahman, "El Idrissi" → idrissi); a
   ``JOINING_PREFIXES`` token (abd, abdul, ben, bin, bou, gebre, wolde…) is glued to the next
   token and a ``JOINING_SUFFIXES`` token (ullah, eddine…) to the previous one, so "Abdul Rahman"
   / "Abdulrahman", "Ben Ali" / "Benali", "Rahmat Ullah" / "Rahmatullah" agree. Known
   abbreviations (``ABBREVIATIONS``: Md → muhammad) are expanded.
3. **Fold** — ``FOLD_RULES``, ordered regex rewrites that map romanisation variants onto one
   spelling: double letters collapse (Hassan/Hasan, Cabdullaahi's aa), the Arabic article after
   ``abd`` is elided (Abdelrahman = Abderrahmane = Abdirahman = abdrahman), digraphs fold
   (kh→k, gh→g, ph→f, th→t, dh→d, sh/ch/cz/tch→s, xh/gj/dj/jh→j, qu/q/ck→k), French vowels
   (ou→u, oo→u, ee→i), Slavic iotation (Iurii → yurii, Yelena → elena), c→s before e/i/y else k,
   x→ks, z→s, ow before a consonant or at the end → o (Jallow = Jalloh, Chowdhury = Chaudhry),
   w→v, di+vowel→j and then j→y (Diallo = Jallow, Ndiaye = Njie, Yasmin = Jasmin).

   Some letters are ambiguous, so a name containing them gets *alternative readings*, all kept:
   Somali orthography (``SOMALI_RULES``) writes ayn as ``c`` and ħa as ``x`` (Cabdullaahi =
   Abdullahi, Maxamed = Mohamed, Xasan = Hassan) while ``c``/``x`` mean k/ks elsewhere (Camara,
   Alexandr); Arabic tha is written ``th`` or ``s`` (Othman = Osman); an article written as one
   word is also read without it (Elamrani = El Amrani = Amrani).

The **phonetic skeleton** of a folded form keeps the first letter (any initial vowel becomes
``a``: Ousmane = Usman, Omar = Umar), then drops vowels, ``y`` and an ``h`` not followed by a
vowel (Rahman = Rehman, Kahn = Khan, Fatimah = Fatima), and collapses repeats. Mohamed,
Muhammad, Mohammed, Mohamud and Maxamed all give ``mhmd``. The skeleton is what an index serves
for blocking; the folded form is what Jaro-Winkler compares for typos.

``KNOWN_EQUIVALENTS`` lists names that are the same name across languages but that no spelling
rule can reach (Mykola = Nikolai, Yohannes = Yonas, Dawit = David): real, well-known
correspondences an operator would recognise, kept short on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Jaro

PARTICLES: frozenset[str] = frozenset({"al", "el", "ul", "il", "ad", "ed", "ar", "er", "as", "es"})
"""Standalone Arabic articles, dropped when another token remains."""

JOINING_PREFIXES: frozenset[str] = frozenset(
    {
        "abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdi", "abdo",
        "abu", "abou", "ben", "bin", "ibn", "bou", "ould", "oul",
        "gebre", "ghebre", "wolde", "welde", "tesfa", "haile", "gabre",
    }
)  # fmt: skip
"""Tokens glued to the next token of the same field: 'Abdul Rahman' = 'Abdulrahman'."""

JOINING_SUFFIXES: frozenset[str] = frozenset(
    {"ullah", "ulla", "allah", "ullahi", "eddine", "uddin"}
)
"""Tokens glued to the previous token: 'Rahmat Ullah' = 'Rahmatullah'."""

ABBREVIATIONS: dict[str, str] = {"md": "muhammad", "mohd": "muhammad", "muhd": "muhammad"}
"""Written abbreviations expanded before folding (South Asian 'Md' for Muhammad)."""

FOLD_RULES: tuple[tuple[str, str], ...] = (
    (r"([a-z])\1+", r"\1"),  # double letters: Hassan/Hasan, Jalloh, Caasha
    # Arabic 'abd' + article (el, ul, al, with a sun-letter assimilation) → 'abd'
    (r"^abd[aeiou]{1,2}l(?=[bcdfgjklmnpqrstvwxz])", "abd"),
    (r"^abd[aeiou]{1,2}(?=[rnstdz])", "abd"),
    (r"chr", "kr"),  # Christian
    (r"tch|sch|ch|sh|cz", "s"),
    (r"xh|gj|dj|jh|zh", "j"),  # Albanian xh/gj, French dj, Spanish-American jh
    (r"kh", "k"),
    (r"gh", "g"),
    (r"ph", "f"),
    (r"th", "t"),
    (r"dh", "d"),
    (r"ck|qu|q", "k"),
    (r"ou", "u"),
    (r"oo", "u"),
    (r"ee", "i"),
    (r"^i(?=[aeou])", "y"),  # Iurii → yurii, Iuliia → yuliia
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"x", "ks"),
    (r"z", "s"),
    (r"ow(?=[bcdfgklmnprstvz]|$)", "o"),  # Chowdhury = Chaudhary, Jallow = Jalloh
    (r"w", "v"),
    (r"di(?=[aeou])", "j"),  # Diallo = Jallow, Ndiaye = Njie, Kadiatou = Khadijatou
    (r"j", "y"),
    (r"^ye", "e"),  # Yelena = Elena, Yessenia = Jessenia
    (r"([a-z])\1+", r"\1"),
)
"""Ordered regex rewrites (pattern, replacement) applied to a cleaned token."""

SOMALI_RULES: tuple[tuple[str, str], ...] = (
    (r"c", ""),  # ayn
    (r"x", "h"),  # ħa
)
"""Somali orthography, applied as an alternative reading before ``FOLD_RULES``."""

KNOWN_EQUIVALENTS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"mykola", "nikolai", "nicholas", "nicola"},
        {"yohannes", "yonas", "johannes", "john", "jon", "jhon"},
        {"dawit", "david"},
        {"boubacar", "abubakar", "bubacarr", "abu bakr", "abubakr"},
        {"oluwaseun", "seun"},
        {"ibrahim", "brahim", "ibrahima", "brahima"},
        {"lamine", "lamin", "al amin", "amin"},
        {"selam", "selamawit"},
        {"fatoumata", "fatou", "fatmata"},
        {"awa", "hawa"},
        {"bah", "ba", "barry"},
        {"traore", "trawally"},
        {"toure", "turay"},
        {"huaman", "guaman"},
        {"popal", "popalzai"},
        {"mebrat", "mebrahtu"},
        {"serhii", "sergei", "serhiy", "sergey"},
        {"oleksandr", "aleksandr", "alexander", "alexandr"},
    )
)
"""Cross-language forms of one name that no spelling rule reaches (lower-case, cleaned)."""

_VOWELS = frozenset("aeiou")


@dataclass(frozen=True)
class FoldedName:
    """One name field, folded: ``forms`` are the alternative readings (joined tokens)."""

    raw: str
    clean: str  # lowercase, no diacritics, single spaces
    tokens: tuple[str, ...]  # folded tokens of the primary reading
    forms: frozenset[str]  # folded, tokens joined; more than one when c/x are ambiguous
    skeletons: frozenset[str]  # phonetic keys of ``forms``
    equivalence: frozenset[int]  # indexes into KNOWN_EQUIVALENTS

    @property
    def empty(self) -> bool:
        return not self.forms


def clean(name: str) -> str:
    """Lowercase ASCII letters and single spaces: no diacritics, apostrophes or hyphens."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    stripped = re.sub(r"['’`ʼ]", "", stripped)
    return " ".join(re.sub(r"[^a-z]+", " ", stripped).split())


def _tokens(cleaned: str) -> list[str]:
    words = [ABBREVIATIONS.get(w, w) for w in cleaned.split()]
    if len(words) > 1:
        kept = [w for w in words if w not in PARTICLES]
        words = kept or words
    joined: list[str] = []
    glue_next = False
    for word in words:
        if joined and (glue_next or word in JOINING_SUFFIXES):
            joined[-1] += word
        else:
            joined.append(word)
        glue_next = word in JOINING_PREFIXES
    return joined


def _apply(rules: tuple[tuple[str, str], ...], text: str) -> str:
    for pattern, replacement in rules:
        text = _compiled(pattern).sub(replacement, text)
    return text


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def fold_token(token: str, *, somali: bool = False) -> str:
    """One cleaned token folded by ``FOLD_RULES`` (after ``SOMALI_RULES`` when ``somali``)."""
    if somali:
        token = _apply(SOMALI_RULES, token)
    return _apply(FOLD_RULES, token)


def skeleton(folded: str) -> str:
    """Phonetic key of a folded form: first letter (vowel → 'a'), consonants, no repeats."""
    if not folded:
        return ""
    first = "a" if folded[0] in _VOWELS else folded[0]
    out = [first]
    for i, ch in enumerate(folded[1:], start=1):
        if ch in _VOWELS or ch == "y":
            continue
        if ch == "h" and (i + 1 >= len(folded) or folded[i + 1] not in _VOWELS):
            continue
        if out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _readings(token: str) -> set[str]:
    readings = {fold_token(token)}
    if "c" in token or "x" in token:
        readings.add(fold_token(token, somali=True))
    if "th" in token:  # Arabic tha: Othman = Osman, Uthman
        readings.add(fold_token(token.replace("th", "s")))
    # 'Elamrani' written as one word: also read it without the article
    if len(token) >= 7 and token[:2] in {"al", "el"} and token[2] in _VOWELS:
        readings.add(fold_token(token[2:]))
    return readings


def _group_skeletons(group: frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in group:
        tokens = _tokens(clean(name))
        out.add(skeleton("".join(fold_token(t) for t in tokens)))
    return frozenset(s for s in out if len(s) >= 3)


_EQUIVALENT_SKELETONS: tuple[frozenset[str], ...] = tuple(map(_group_skeletons, KNOWN_EQUIVALENTS))


@lru_cache(maxsize=65536)
def fold_name(name: str) -> FoldedName:
    """Fold one name field (a given name or a family name, possibly compound)."""
    cleaned = clean(name)
    tokens = _tokens(cleaned)
    primary = tuple(fold_token(t) for t in tokens)
    forms: set[str] = set()
    if tokens:
        combos: list[str] = [""]
        for token in tokens:
            combos = [c + r for c in combos for r in sorted(_readings(token))][:8]
        forms.update(c for c in combos if c)
    skeletons = frozenset(skeleton(f) for f in forms)
    equivalence = frozenset(
        i for i, group in enumerate(_EQUIVALENT_SKELETONS) if len(skeletons & group) > 0
    )
    return FoldedName(
        raw=name,
        clean=cleaned,
        tokens=primary,
        forms=frozenset(forms),
        skeletons=skeletons,
        equivalence=equivalence,
    )


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4), the prefix bonus
    applied whatever the Jaro similarity (no boost threshold)."""
    if a == b:
        return 1.0
    jaro = Jaro.similarity(a, b)
    if not jaro:
        return 0.0
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return float(jaro + prefix * 0.1 * (1 - jaro))


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions."""
    return int(OSA.distance(a, b))
