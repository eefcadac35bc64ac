"""The fast lookups the rules use give the answers of the scans they replaced.

Each structure (``lookup``, ``syntax``, ``matching``) and each rewritten pattern is checked
against the plain version it stands for, on random input: a wrong fast path would change
what the rules produce on ordinary text, which the issue forbids.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise, permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from tocsin.extract.lookup import Intervals, LatestBefore, Ordered, TextIndex
from tocsin.extract.matching import can_assign
from tocsin.extract.quantities import group_quantities, measure_key
from tocsin.extract.quote_marks import find_quote_spans
from tocsin.extract.syntax import tree
from tocsin.extract.timex import _GAP, _trailing
from tocsin.extract.timex_relative import _parsed, _too_few_parts
from tocsin.models.evidence import Mention, Quantity

positions = st.integers(0, 60)


@given(
    st.booleans(),
    st.lists(st.one_of(st.tuples(st.just("add"), positions), st.tuples(st.just("ask"), positions))),
)
def test_latest_before_is_the_last_added_below_the_bound(
    strict: bool, steps: list[tuple[str, int]]
) -> None:
    fast: LatestBefore[int] = LatestBefore(strict=strict)
    added: list[tuple[int, int]] = []
    for n, (step, pos) in enumerate(steps):
        if step == "add":
            fast.add(pos, n)
            added.append((pos, n))
        else:
            below = [item for p, item in added if (p < pos if strict else p <= pos)]
            assert fast.latest(pos) == (below[-1] if below else None)


intervals = st.lists(st.tuples(positions, positions).map(lambda p: (min(p), max(p))))


@given(intervals, positions, positions)
def test_intervals_answer_as_a_scan_would(spans: list[tuple[int, int]], a: int, b: int) -> None:
    fast = Intervals(spans)
    assert fast.covers(a) == any(s <= a < e for s, e in spans)
    assert fast.meets(a, b) == any(s < b and a < e for s, e in spans)
    a, b = min(a, b), max(a, b)  # covered is asked of intervals only
    assert fast.covered(a, b) == sum(max(0, min(b, e) - max(a, s)) for s, e in spans)


def _mention(start: int, length: int, label: str) -> Mention:
    return Mention(start, start + length, "x" * length, label, f"k{start}")  # type: ignore[arg-type]


mentions = st.lists(
    st.builds(_mention, positions, st.integers(1, 6), st.sampled_from(["PERSON", "ORG", "GPE"]))
)


@given(mentions, st.booleans(), positions, positions)
def test_ordered_records_answer_as_a_scan_would(
    found: list[Mention], sort: bool, a: int, b: int
) -> None:
    items = sorted(found, key=lambda m: m.start) if sort else found
    fast = Ordered(items)
    assert fast.containing(a) == next((m for m in items if m.start <= a < m.end), None)
    expected = [k for k, m in enumerate(items) if a <= m.start and m.end <= b]
    assert list(fast.within(a, b)) == expected


texts = st.text(alphabet=st.sampled_from(list("ab1 _\n\t’.é\u00a0\u2003")), max_size=40)


@given(texts, st.integers(0, 45), st.integers(0, 45))
def test_text_index_answers_as_the_string_would(text: str, a: int, b: int) -> None:
    index = TextIndex(text)
    assert index.words(a, b) == len(re.findall(r"\w+", text[a:b]))
    assert index.blank_before(a) == text.rfind("\n\n", 0, a)
    assert index.blank_after(a) == text.find("\n\n", a)
    if a < len(text):
        k = a
        while k < len(text) and text[k].isspace():
            k += 1
        assert index.next_non_space(a) == k


def _brute_assign(match: list[list[bool]], columns: int) -> bool:
    return any(
        all(match[r][c] for r, c in enumerate(chosen))
        for chosen in permutations(range(columns), len(match))
    )


def _matrices(columns: int) -> st.SearchStrategy[tuple[list[list[bool]], int]]:
    row = st.lists(st.booleans(), min_size=columns, max_size=columns)
    return st.lists(row, max_size=columns).map(lambda rows: (rows, columns))


@given(st.integers(1, 5).flatmap(_matrices))
def test_can_assign_finds_an_assignment_when_there_is_one(
    matrix: tuple[list[list[bool]], int],
) -> None:
    match, columns = matrix
    assert can_assign(match, columns) == _brute_assign(match, columns)


# timex's patterns as they were written before they were made linear
_OLD_GAP = re.compile(r"^\s*(?:,?\s*and|to|until|till|through|-|–|—)\s*$", re.I)
_OLD_TRAIL = re.compile(r"(?:['’]s|['’])?[\s,.;:!?)(\"“”]*$")
gap_texts = st.text(alphabet=st.sampled_from(list(" ,\n\tandtoAND-–—x")), max_size=12)
trail_texts = st.text(alphabet=st.sampled_from(list("ab's’ ,.;:!?)(\"“”\n")), max_size=12)


@given(gap_texts)
def test_the_gap_between_dates_reads_as_before(text: str) -> None:
    assert bool(_GAP.match(text)) == bool(_OLD_GAP.match(text))


@given(trail_texts)
def test_the_trail_of_a_date_reads_as_before(text: str) -> None:
    match = _OLD_TRAIL.search(text)
    assert match is not None
    assert _trailing(text, 0, len(text)) == len(match.group(0))


digit_groups = st.lists(
    st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=2
)
separators = st.sampled_from([" ", "/", ".", "-", ", ", " - "])
digit_strings = st.tuples(digit_groups, separators).map(lambda p: p[1].join(p[0]))


@settings(max_examples=40, deadline=None)
@given(digit_strings)
def test_dateparser_reads_no_day_in_two_short_numbers(text: str) -> None:
    # what timex_relative._too_few_parts relies on to skip dateparser
    assert _too_few_parts(text)
    assert _parsed(text, date(2022, 10, 12)) is None


def _naive_groups(items: list[Quantity]) -> list[int | None]:
    """group_quantities as it was first written: every pair of a bucket compared."""
    keys = [measure_key(q) for q in items]
    parent = list(range(len(items)))

    def find(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    parsed = {k: key.split(":", 1) for k, key in enumerate(keys) if key}
    for a, (fa, ma) in parsed.items():
        for b, (fb, mb) in parsed.items():
            wa, wb = set(ma.split()), set(mb.split())
            same = fa == fb and ma.split()[-1] == mb.split()[-1]
            negation = ("not" in wa) == ("not" in wb)
            if a < b and same and negation and (wa <= wb or wb <= wa):
                ra, rb = find(a), find(b)
                parent[max(ra, rb)] = min(ra, rb)
    ids: dict[int, int] = {}
    return [
        None if key is None else ids.setdefault(find(k), len(ids)) for k, key in enumerate(keys)
    ]


measure_words = st.sampled_from(["force", "armed", "not", "support", "public", "size"])
measures = st.lists(measure_words, min_size=1, max_size=4).map(" ".join)


@given(
    st.lists(st.tuples(st.one_of(st.none(), measures), st.sampled_from([None, "percent", "USD"])))
)
def test_figures_group_as_when_every_pair_was_compared(
    found: list[tuple[str | None, str | None]],
) -> None:
    items = [Quantity(0, 1, "1", 1.0, None, None, unit, None, what) for what, unit in found]
    assert group_quantities(items) == _naive_groups(items)


hostile = st.text(alphabet=st.sampled_from(list('ab “”"‘’«»„\n')), max_size=60)


@given(hostile)
def test_quoted_spans_overlap_only_when_single_marks_nest(text: str) -> None:
    # blank spans make no quote: the rules drop them
    found = [s for s in find_quote_spans(text) if text[s.start : s.end].strip()]
    spans = sorted(found, key=lambda s: (s.start, -s.end))
    for first, second in pairwise(spans):
        if second.start < first.end:  # the one inside is a single-quoted span
            assert second.end <= first.end
            assert text[second.open_mark] == "‘"


# --- syntax.Tree gives spaCy's own answers --------------------------------------------------

PARAGRAPHS = [
    "The ministry said on Tuesday that about 1,200 troops, most of them conscripts, had "
    "arrived near the border, and officials in the capital, who asked not to be named, "
    "denied that any order to cross it had been given.",
    "“We will not send soldiers,” Ivan Petrov, the defence minister, told reporters after a "
    "meeting that lasted for more than three hours, adding that talks would resume next week.",
    "According to the agency, which cited two sources, between 5 and 10 percent of voters may "
    "not take part, while others, including the opposition, said the figure was higher.",
]


@pytest.mark.parametrize("text", PARAGRAPHS)
def test_the_tree_answers_as_spacy_does(nlp: Language, text: str) -> None:
    doc = nlp(text)
    parse = tree(doc)
    for token in doc:
        subtree = list(token.subtree)
        summary = parse.summary(token)
        assert parse.children_of(token) == list(token.children)
        assert list(parse.subtree_of(token)) == subtree
        assert parse.subtree_bounds(token) == (subtree[0], subtree[-1])
        assert summary.size[token.i] == len(subtree)
        assert summary.highest[token.i] == max(t.i for t in subtree)
        assert summary.proper[token.i] == any(t.pos_ == "PROPN" for t in subtree)
        if summary.ordered[token.i]:
            assert [t.i for t in subtree] == list(range(subtree[0].i, subtree[-1].i + 1))
        verb = token
        while verb.pos_ != "VERB" and verb.head.i != verb.i:
            verb = verb.head
        assert parse.up_to("test-verb", token, lambda t: t.pos_ == "VERB") == verb
    for start in range(len(doc)):
        for end in range(start + 1, min(len(doc), start + 12) + 1):
            assert parse.span_root(start, end) == doc[start:end].root
