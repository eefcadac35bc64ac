"""The linker's shortcuts change no link: pattern screens and the pairs ``link_units`` asks.

``link_units`` asks ``match`` only about the pairs a pattern screen lets through or whose
similarity alone can link. These tests set it beside a straightforward version that asks
``match`` about every sentence and every indicator, on the sentences of tuned backtest
questions (never a held-out one), and check that a screen never passes over a sentence one
of its patterns matches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tocsin.assess.backtest import load_shelf
from tocsin.assess.candidates import MIN_SENTENCE_CHARS, _describe
from tocsin.assess.case import Case, load_case, parse_case
from tocsin.assess.link import (
    Link,
    Unit,
    _distinct,
    _pattern_match,
    case_screens,
    indicator_patterns,
    indicator_texts,
    link_units,
    make_link,
    match,
    pattern_hits,
    pattern_matrix,
)
from tocsin.assess.patterns import compile_pattern, screen
from tocsin.assess.sources import ArticleFacts, SourceBook
from tocsin.text import sentences

ROOT = Path(__file__).resolve().parents[2]
# Tuned questions only: the shelf's held-out ones are read by bench/backtest.py alone.
TUNED = ("kherson-2022", "eu-oil-embargo-2022", "scotland-indyref-2023", "turkey-election-2023")


def tuned_question(qid: str) -> tuple[Case, list[Unit]]:
    """A tuned question's case and every candidate sentence of its articles."""
    (question,) = load_shelf(ROOT / "backtest", only=[qid])
    assert not question.held_out
    case = load_case(question.case_path)
    lines = question.articles_path.read_text("utf-8").splitlines()
    found = []
    for number, line in enumerate(x for x in lines if x.strip()):
        article = json.loads(line)
        text = article["text"]
        facts = ArticleFacts(number, article["title"], date(2022, 1, 1), article["outlet"], number)
        for s in sentences(text):
            if s.end - s.start >= MIN_SENTENCE_CHARS:
                found.append(_describe(facts, s.start, s.end, text[s.start : s.end], []))
    return case, found


def every_pair(
    case: Case, candidates: Sequence[Unit], vectors: np.ndarray | None, targets: np.ndarray | None
) -> list[Link]:
    """The links of asking ``match`` about every pair, the linker as it was before its
    shortcuts: each indicator's nearest text found by a loop over the same cosines, the
    distinction by ``_distinct``, which the shortcuts left alone."""
    book = SourceBook(case.sources)
    texts = indicator_texts(case)
    owner = [j for j, i in enumerate(case.indicators) for _ in [i.description, *i.examples]]
    sims = nearest = None
    if vectors is not None and targets is not None:
        cos = vectors @ targets.T
        sims = np.zeros((len(candidates), len(case.indicators)), dtype=np.float32)
        nearest = [[""] * len(case.indicators) for _ in candidates]
        for i in range(len(candidates)):
            for j in range(len(case.indicators)):
                cols = [k for k in range(len(texts)) if owner[k] == j]
                best = max(cols, key=lambda k: (cos[i, k], -k))  # the first of equal maxima
                sims[i, j], nearest[i][j] = cos[i, best], texts[best]
    distinct = _distinct(sims)
    links = []
    for i, unit in enumerate(candidates):
        for j, indicator in enumerate(case.indicators):
            found = match(
                unit,
                indicator,
                float(sims[i, j]) if sims is not None else None,
                nearest[i][j] if nearest is not None else None,
                distinct=bool(distinct[i, j]) if sims is not None else False,
                patterns=indicator_patterns(indicator),
            )
            if found is not None:
                links.append(make_link(unit, indicator.id, found, book))
    return links


def _said(links: Sequence[Link]) -> list[tuple[object, ...]]:
    return [
        (x.unit, x.indicator_id, x.polarity, x.score, x.method, x.reason, x.source_key)
        for x in links
    ]


@pytest.mark.parametrize("qid", TUNED)
def test_screens_never_pass_over_a_sentence_a_pattern_matches(qid: str) -> None:
    case, candidates = tuned_question(qid)
    whole, owner = case_screens(case)
    assert whole is not None
    patterns = [p for i in case.indicators for p in indicator_patterns(i)]
    assert len(owner) == len(patterns)
    matched_any = 0
    for unit in candidates:
        hits = {k for k, p in enumerate(patterns) if p.search(unit.text) is not None}
        named = whole.which(unit.text)
        assert named is not None  # no set ran out of memory on a news sentence
        stepped = {k for k, p in enumerate(patterns) if p.stepped}
        # The screen names every pattern that matches, and others only if searched by byte.
        assert hits <= named
        assert named - hits <= stepped
        assert whole.passes(unit.text) == bool(named)
        matched_any += bool(hits)
    # The screen must have had both kinds of sentence to tell apart.
    assert 0 < matched_any < len(candidates)


def test_the_linker_makes_the_links_of_asking_every_pair(embedder: object) -> None:
    case, candidates = tuned_question("kherson-2022")
    vectors = embedder.encode([u.text for u in candidates])  # type: ignore[attr-defined]
    targets = embedder.encode(indicator_texts(case))  # type: ignore[attr-defined]
    fast = link_units(case, candidates, embedder, vectors, targets)  # type: ignore[arg-type]
    slow = every_pair(case, candidates, vectors, targets)
    assert _said(fast) == _said(slow)
    # Both ways to link were taken, and both polarities: the comparison covers them.
    assert {x.method for x in fast} == {"pattern", "embedding", "pattern+embedding"}
    assert {x.polarity for x in fast} == {"seen", "negated"}


@pytest.mark.parametrize("qid", TUNED)
def test_patterns_alone_make_the_links_of_asking_every_pair(qid: str) -> None:
    case, candidates = tuned_question(qid)
    fast = link_units(case, candidates)
    assert fast
    assert _said(fast) == _said(every_pair(case, candidates, None, None))
    every = [
        [_pattern_match(u, indicator_patterns(i)) for i in case.indicators] for u in candidates
    ]
    assert pattern_hits(case, candidates) == every
    assert pattern_matrix(case, candidates).tolist() == [[h is not None for h in r] for r in every]


def test_a_screen_too_large_for_re2_falls_back_to_every_pattern() -> None:
    sources = [rf"\w{{{300 + n}}}x" for n in range(4)]
    patterns = tuple(compile_pattern(s) for s in sources)  # each one compiles alone
    assert screen(patterns) is None  # their alternation does not
    case = parse_case(
        f"""\
id: t
question: q
resolution: {{criteria: c, deadline: 2023-01-01}}
hypotheses: [{{id: H1, title: a}}, {{id: H2, title: b}}]
indicators:
  - id: long
    description: d
    patterns: {json.dumps(sources)}
    likelihoods: {{H1: 0.9, H2: 0.2}}
"""
    )
    whole, owner = case_screens(case)
    assert whole is None
    assert owner == (0, 0, 0, 0)
    facts = ArticleFacts(1, "t", date(2022, 6, 1), None, 1)
    text = "a" * 303 + "x and more"
    links = link_units(case, [Unit(facts, 0, len(text), text, "sentence", None, None)])
    assert [x.indicator_id for x in links] == ["long"]


def test_a_screen_reads_each_fold_and_skips_nothing_a_pattern_finds() -> None:
    patterns = tuple(compile_pattern(s) for s in (r"\bcafé\b", r"\boffensive group\b", r"\Bfé"))
    found = screen(patterns)
    assert found is not None
    assert len(found.groups) >= 2  # the pattern naming é folds the text another way
    for text, numbers in (
        ("Un café noir.", {0, 2}),
        ("An OFFENSIVE GROUP forms.", {1}),
        ("Le caféier pousse.", {2}),
    ):
        assert found.passes(text)
        assert found.which(text) == numbers
        assert {k for k, p in enumerate(patterns) if p.search(text) is not None} == numbers
    assert not found.passes("Nothing here at all, only tea.")
    assert found.which("Nothing here at all, only tea.") == set()


class _SpentSet:
    """An RE2 set that ran out of memory: it names no pattern."""

    def Match(self, data: bytes) -> list[int]:  # RE2 set's method name
        return []


def test_a_set_that_names_nothing_where_the_alternation_matched_means_try_all() -> None:
    patterns = tuple(compile_pattern(s) for s in (r"\bgroup\b", r"\btroops\b"))
    found = screen(patterns)
    assert found is not None
    ((fold, alternation, _, numbers),) = found.groups
    spent = type(found)(((fold, alternation, _SpentSet(), numbers),))
    assert spent.which("The troops left.") is None  # cannot tell: the caller tries all
    assert spent.which("Nothing here.") == set()  # the alternation alone says no
