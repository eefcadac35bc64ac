"""Indicator patterns on RE2: what Python's re means, in linear time; what RE2 lacks, named."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.assess.case import Case, parse_case, template
from tocsin.assess.patterns import RAW, PatternError, compile_pattern
from tocsin.demo import articles_dir

NEWS = [
    "Lukashenko’s “special” order—issued in Minsk—named the Élysée and the Bundestag.",
    "Le café noir: the protégé of Zelenskyy said ‘we won’t’ send troops, naïve as it sounds.",
    "Russian troops\u00a0massed near Brest; the mobilización of reservists in Škoda plants?",
    "Tsikhanouskaya (Ціханоўская) met officials on 12\u202fOctober in Vilnius — again.",
    "Über 3 000 soldiers, said the Kremlin’s spokesman, Dmitry Peskov, on Tuesday_night.",
]


def python_span(pattern: str, text: str) -> tuple[int, int] | None:
    found = re.search(pattern, text, re.IGNORECASE)
    return found.span() if found else None


def re2_span(pattern: str, text: str) -> tuple[int, int] | None:
    hit = compile_pattern(pattern).search(text)
    return (hit.start, hit.end) if hit else None


def test_the_shipped_patterns_match_where_pythons_re_does(belarus: Case) -> None:
    sentences = [*NEWS]
    for path in sorted(articles_dir().glob("*.txt")):
        sentences += [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    indicators = [*belarus.indicators, *parse_case(template()).indicators]
    patterns = [p for i in indicators for p in i.patterns]
    assert len(patterns) > 40
    assert any(not s.isascii() for s in sentences)
    differences = [
        (p, s) for p in patterns for s in sentences if python_span(p, s) != re2_span(p, s)
    ]
    assert differences == []
    assert sum(re2_span(p, s) is not None for p in patterns for s in sentences) > 40


@pytest.mark.parametrize(
    ("pattern", "text", "matched"),
    [
        (r"\bcafé\b", "Le café noir", "café"),
        (r"\bcaf\w*", "Le café noir", "café"),
        (r"\bcaf\b", "Le café noir", None),
        (r"\bélysée\b", "named the Élysée and the Bundestag", "Élysée"),
        (r"\bŠkoda\b", "reservists in Škoda plants", "Škoda"),
        (r"é\b", "the protégé of Zelenskyy", "é"),
        (r"\Bé\b", "the protégé of Zelenskyy", "é"),
        (r"\bwon’t\b", "‘we won’t’ send troops", "won’t"),
        (r"\btroops\b", "the “troops” left", "troops"),
        (r"\bspecial\b", "Lukashenko’s “special” order", "special"),
        (r"troops massed", "Russian troops\u00a0massed near Brest", None),
        (r"troops\smassed", "Russian troops\u00a0massed near Brest", "troops\u00a0massed"),
        (r"\w+ская\b", "Ціханоўская’s", "Ціханоўская"),
        (r"\d+", "on ١٢ October", "١٢"),
        (r"\btuesday\b", "on Tuesday_night", None),
        (r"\bKELVIN\b", "the \u212aelvin scale", "\u212aelvin"),
    ],
)
def test_accents_curly_quotes_and_spaces_mean_what_they_mean_in_python(
    pattern: str, text: str, matched: str | None
) -> None:
    hit = compile_pattern(pattern).search(text)
    assert (hit.text if hit else None) == matched
    assert re2_span(pattern, text) == python_span(pattern, text)


def test_the_classes_are_pythons_on_every_character_python_knows() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for escape in (r"\w", r"\d", r"\s"):
        ours = set(re2.findall(compile_pattern(escape).translated, every))
        pythons = set(re.findall(escape, every))
        assert pythons <= ours
        # RE2's tables are newer: what it adds is unassigned in Python's Unicode database.
        assert {unicodedata.category(c) for c in ours - pythons} <= {"Cn"}
        assert len(ours - pythons) < 0.05 * len(pythons)


@pytest.mark.parametrize(
    ("pattern", "named"),
    [
        (r"troops(?= mass)", "a lookahead (?=...)"),
        (r"troops(?! mass)", "a negative lookahead (?!...)"),
        (r"(?<=russian )troops", "a lookbehind (?<=...)"),
        (r"(?<!no )troops", "a negative lookbehind (?<!...)"),
        (r"(a|b)\1", r"a backreference \1"),
        (r"(?P<x>a)(?P=x)", "a backreference (?P=name)"),
        (r"(a)?(?(1)b|c)", "a conditional group"),
        (r"(?>troops)", "an atomic group"),
        (r"troops*+", "a possessive quantifier *+"),
        (r"(?x) troops  # massing", "verbose mode (?x)"),
        (r"(?a)\w+", "ASCII mode (?a)"),
        (r"[^\W\d]+", "a negated class holding"),
        (r"a{1001}", "RE2 allows at most 1000"),
    ],
)
def test_a_construct_re2_lacks_is_named_with_its_rewrite(pattern: str, named: str) -> None:
    re.compile(pattern)  # valid in Python
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    message = str(caught.value)
    assert named in message
    assert ":" in message or "(use" in message  # a rewrite follows


def test_octal_escapes_are_characters_not_backreferences() -> None:
    assert re2_span(r"\101\0", "xA\x00") == (1, 3)
    assert re2_span(r"[\101-\103]+", "xABC") == (1, 4)


def test_a_pattern_python_cannot_read_is_not_a_regular_expression() -> None:
    with pytest.raises(PatternError, match=r"is not a regular expression: missing \)"):
        compile_pattern("troops (mass")


@pytest.mark.parametrize("length", [40, 100_000])
def test_catastrophic_backtracking_patterns_answer_at_once(length: int) -> None:
    pattern = compile_pattern("(a+)+$")
    assert pattern.search("a" * length + "!") is None  # where re would try 2**length splits
    hit = pattern.search("a" * length)
    assert hit is not None
    assert (hit.start, hit.end) == (0, length)
    assert compile_pattern(r"(x+x+)+y").search("x" * length) is None


@pytest.mark.parametrize("text", ["a’", "’a", "’’", "a’b", "é’", "“é”", "x\u202fy", "ab"])
def test_a_non_boundary_never_falls_inside_a_character(text: str) -> None:
    for pattern in (r"\B", r"\B\W?", r"a?\B"):
        assert re2_span(pattern, text) == python_span(pattern, text)


def test_text_with_a_lone_surrogate_is_searched() -> None:
    hit = compile_pattern(r"\bx\b").search("\ud800x")
    assert hit is not None
    assert (hit.start, hit.end) == (1, 2)


def test_patterns_naming_rare_letters_keep_their_literal_matches() -> None:
    # No spare stand-in for ß (its upper case is two letters): the text is not folded.
    assert compile_pattern("straße").fold == RAW
    assert re2_span("straße", "die Straße") == (4, 10)
    assert re2_span(r"[à-ÿ]+", "un café") == (6, 7)


ATOMS = [
    r"\b", r"\B", r"\w", r"\W", r"\d", r"\s", r"\S", ".", "a", "é", "É", "k", "_",
    "[ab]", "[^a]", r"[\w’]", "’", "ü", r"[^\w]", r"[\W]", "(?:a|é)", "(?:x|_|ü)",
]  # fmt: skip
QUANTIFIERS = ["", "", "*", "+", "?", "{1,2}", "*?", "+?"]
LETTERS = [*"abcéÉèkKsS_ ’“”-.,1٣²x", "\u00a0", "\u212a", "ſ", "ı", "ü", "Ü", "Ж"]


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        atom = draw(st.sampled_from(ATOMS))
        plain = atom in (r"\b", r"\B")
        parts.append(atom + ("" if plain else draw(st.sampled_from(QUANTIFIERS))))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(patterns(), st.lists(st.sampled_from(LETTERS), min_size=1, max_size=14).map("".join))
def test_any_pattern_matches_where_pythons_re_does(pattern: str, text: str) -> None:
    assert re2_span(pattern, text) == python_span(pattern, text)
