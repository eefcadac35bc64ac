"""Evidence linking: patterns, embeddings, negation, status, grades and independence keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from tocsin.assess.candidates import _describe
from tocsin.assess.case import Case, parse_case
from tocsin.assess.link import (
    PATTERN_SCORE,
    SIMILARITY_THRESHOLD,
    Unit,
    independence_key,
    link_units,
    match,
)
from tocsin.assess.negation import negated_before
from tocsin.assess.sources import ArticleFacts, SourceBook
from tocsin.models.evidence import SpanRecord
from tocsin.text import sentences

CASE = parse_case(
    """\
id: t
question: q
resolution: {criteria: c, deadline: 2023-01-01}
hypotheses: [{id: H1, title: war}, {id: H2, title: peace}]
indicators:
  - id: offensive
    description: An offensive grouping forms near the border
    patterns: ['\\boffensive group(ing)?\\b']
    examples: [Signs of an offensive group are seen near the border.]
    likelihoods: {H1: 0.9, H2: 0.2}
  - id: no-troops
    description: Minsk says it will not send troops
    patterns: ['\\bnot send (our|its) (troops|military)\\b']
    examples: [Minsk will not send troops to the war.]
    likelihoods: {H1: 0.3, H2: 0.8}
  - id: polls
    description: Polls show the public opposes the war
    patterns: ['\\bsupport\\b[^.]{0,40}\\bparticipation\\b']
    likelihoods: {H1: 0.5, H2: 0.6}
    negatable: false
sources:
  - {name: Alexander Lukashenko, kind: person, aliases: [Lukashenka], reliability: D,
     credibility: 4}
  - {name: Hajun Project, kind: organisation, reliability: B, credibility: 2}
  - {name: Daily Planet, kind: outlet, reliability: B, credibility: 3}
"""
)
IND = {i.id: i for i in CASE.indicators}
FACTS = ArticleFacts(1, "A title", date(2022, 6, 1), "Daily Planet", 1)


def unit(
    text: str,
    *,
    source: str | None = None,
    status: str | None = None,
    facts: ArticleFacts = FACTS,
    claims: tuple[tuple[int, int, str], ...] = (),
) -> Unit:
    chain = (source,) if source else ()
    kind = "claim" if source or status else "sentence"
    return Unit(facts, 0, len(text), text, kind, status, source, chain, claims)


def test_a_pattern_links_with_its_reason() -> None:
    found = match(unit("Belarus is forming an offensive group in Gomel."), IND["offensive"])
    assert found is not None
    assert found.score == PATTERN_SCORE
    assert found.method == "pattern"
    assert "offensive group" in found.reason
    assert not found.negated
    assert match(unit("Nothing relevant was said today."), IND["offensive"]) is None


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("There are no signs of creating an offensive group in Belarus yet.", True),
        ("Kyiv does not see an offensive group forming.", True),
        ("It is not clear when they decided, but an offensive group is forming.", False),
        ("Analysts in Kyiv, never shy, say an offensive grouping is forming in the south.", False),
    ],
)
def test_negation_before_a_match_in_its_clause(text: str, negated: bool) -> None:
    found = match(unit(text), IND["offensive"])
    assert found is not None
    assert found.negated is negated


def test_a_negation_inside_the_pattern_is_not_a_negation() -> None:
    text = (
        "However, he stressed that “we do not kill anyone” and “we do not send our military"
        " anywhere.”"
    )
    found = match(unit(text), IND["no-troops"])
    assert found is not None
    assert not found.negated


def test_an_indicator_declared_not_negatable_never_flips() -> None:
    found = match(unit("Most will not support the participation of the army."), IND["polls"])
    assert found is not None
    assert not found.negated


def test_a_match_inside_a_denied_claim_is_negated() -> None:
    text = "Officials denied that an offensive group had formed."
    found = match(unit(text, status="denied", claims=((0, len(text), "denied"),)), IND["offensive"])
    assert found is not None
    assert found.negated


def test_only_the_narrowest_claim_around_a_match_can_deny_it() -> None:
    text = "Kyiv denied the claims and said an offensive group could be a ruse."
    inner = (text.index("an offensive"), len(text) - 1, "speculative")
    found = match(unit(text, claims=((0, len(text), "denied"), inner)), IND["offensive"])
    assert found is not None
    assert not found.negated


def test_negated_before_reads_only_a_short_window() -> None:
    text = "No one thought that after many long months of quiet talks the offensive group formed"
    assert not negated_before(text, text.index("offensive"))
    assert negated_before("there is no offensive group", len("there is no "))


def test_similarity_alone_needs_the_threshold_and_distinction() -> None:
    text = "Belarusian battalions are gathering close to the frontier."
    near = IND["offensive"].examples[0]
    high = match(unit(text), IND["offensive"], SIMILARITY_THRESHOLD + 0.05, near)
    assert high is not None
    assert high.method == "embedding"
    assert "similarity" in high.reason
    assert match(unit(text), IND["offensive"], SIMILARITY_THRESHOLD - 0.01, near) is None
    assert match(unit(text), IND["offensive"], 0.95, near, distinct=False) is None


def test_embedding_polarity_compares_the_sentence_with_its_nearest_example() -> None:
    near = IND["no-troops"].examples[0]  # "Minsk will not send troops to the war."
    same = match(unit("Lukashenko vowed not to dispatch soldiers."), IND["no-troops"], 0.9, near)
    flipped = match(unit("Lukashenko will dispatch soldiers."), IND["no-troops"], 0.9, near)
    assert same is not None
    assert flipped is not None
    assert not same.negated
    assert flipped.negated


class FakeEmbedder:
    """Vectors chosen by keyword, so similarities are known exactly."""

    AXES = ("offensive", "troops", "polls")

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        rows = []
        for text in texts:
            lower = text.lower()
            v = np.array([1.0 if a in lower else 0.0 for a in ("group", "send", "poll")] + [0.3])
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32)


def test_link_units_uses_embeddings_for_the_nearest_indicator_only() -> None:
    candidates = [unit("A new armoured group gathers near the border.")]
    links = link_units(CASE, candidates, FakeEmbedder())  # type: ignore[arg-type]
    assert [(link.indicator_id, link.method) for link in links] == [("offensive", "embedding")]
    assert link_units(CASE, candidates, None) == []


def test_grades_come_from_the_speaker_then_the_outlet() -> None:
    book = SourceBook(CASE.sources)
    spoken = link_units(
        CASE, [unit("Lukashenka: we will not send our troops.", source="Lukashenka")]
    )
    assert (spoken[0].reliability, spoken[0].credibility) == ("D", 4)
    assert spoken[0].source == "Alexander Lukashenko"
    plain = link_units(CASE, [unit("An offensive group is forming.")])
    assert (plain[0].reliability, plain[0].source) == ("B", "Daily Planet")
    unknown = ArticleFacts(2, "t", None, None, 2)
    bare = link_units(CASE, [unit("An offensive group is forming.", facts=unknown)])
    assert (bare[0].reliability, bare[0].credibility) == ("F", 6)
    assert book.grade("Nobody Known").graded is False


def test_independence_keys_follow_the_original_source() -> None:
    other = ArticleFacts(7, "other", date(2022, 7, 1), "Other Times", 7)
    copy = ArticleFacts(9, "copy", date(2022, 7, 2), None, 1)  # a near-duplicate of article 1
    a = unit("x", source="Hajun Project")
    b = unit("x", source="Hajun Project", facts=other)
    assert independence_key("offensive", a, None) == independence_key("offensive", b, None)
    assert independence_key("offensive", a, None) != independence_key("no-troops", a, None)
    plain, dup = unit("x"), unit("x", facts=copy)
    assert independence_key("offensive", plain, None) != independence_key("offensive", b, None)
    assert independence_key("offensive", dup, None).endswith("|article:1")
    later = ArticleFacts(8, "later", date(2022, 9, 1), "Daily Planet", 8)
    same_outlet = unit("y", facts=later)
    assert independence_key("offensive", plain, None) == independence_key(
        "offensive", same_outlet, None
    )


def test_a_speculation_weighs_less_than_an_assertion() -> None:
    text = "An offensive group is forming."
    asserted = link_units(CASE, [unit(text, source="Hajun Project", status="asserted")])[0]
    speculative = link_units(CASE, [unit(text, source="Hajun Project", status="speculative")])[0]
    assert speculative.weight < asserted.weight


def test_the_real_embedder_links_a_paraphrase(belarus: Case, embedder: object) -> None:
    candidates = [unit("Thousands of Russian soldiers have been arriving at Belarusian bases.")]
    links = link_units(belarus, candidates, embedder)  # type: ignore[arg-type]
    assert "russian-troops-arrive" in {link.indicator_id for link in links}


def test_sentences_keep_offsets_and_split_paragraphs() -> None:
    text = "Heading\nFirst one. Second, said he. “A quote.” He said.\n\nLast."
    pieces = [text[s.start : s.end] for s in sentences(text)]
    assert pieces == [
        "Heading",
        "First one.",
        "Second, said he.",
        "“A quote.”",
        "He said.",
        "Last.",
    ]


def test_every_bundled_indicator_pattern_compiles_and_some_match(belarus: Case) -> None:
    from tocsin.demo import articles_dir

    text = " ".join(p.read_text("utf-8") for p in sorted(articles_dir().glob("*.txt")))
    matched = {
        i.id
        for i in belarus.indicators
        if any(re.search(p, text, re.IGNORECASE) for p in i.patterns)
    }
    assert len(matched) >= 10


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("There are no signs that Belarus is creating an offensive group", "offensive", True),
        ("There is no evidence that Belarusian troops have crossed", "troops", True),
        ("Belarus has not, so far, sent troops", "sent", True),
        ("It is not clear whether Belarus will send troops", "send", False),
        ("There were no signs at first, but an offensive group is forming", "offensive", False),
    ],
)
def test_absences_asides_and_whether(text: str, word: str, negated: bool) -> None:
    assert negated_before(text, text.index(word)) is negated


def test_ungraded_speakers_stay_apart_and_take_the_outlets_grade() -> None:
    doe = link_units(CASE, [unit("An offensive group is forming.", source="John Doe")])[0]
    roe = link_units(CASE, [unit("An offensive group is forming.", source="Jane Roe")])[0]
    assert doe.source_key != roe.source_key
    assert doe.source == "John Doe"
    assert (doe.reliability, doe.credibility) == ("B", 3)  # Daily Planet's grade


def test_one_indicator_can_still_link_by_embedding() -> None:
    single = CASE.model_copy(update={"indicators": [CASE.indicators[0]]})
    links = link_units(single, [unit("A new armoured group gathers.")], FakeEmbedder())  # type: ignore[arg-type]
    assert [link.method for link in links] == ["embedding"]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "There are no signs of withdrawal and Russian troops keep arriving in Belarus.",
            "Russian",
        ),
        ("Little evidence of fatigue; Belarus has mobilised reservists", "mobilised"),
        ("Without evidence of a plan, the troops nevertheless moved to the border.", "moved"),
        ("Whether or not Belarus sends troops, it matters", "sends"),
    ],
)
def test_an_absence_governs_only_its_own_clause(text: str, word: str) -> None:
    assert not negated_before(text, text.index(word))


def test_an_absence_reaches_past_yet() -> None:
    text = "There are no signs yet that Belarus is forming an offensive group."
    assert negated_before(text, text.index("offensive"))


def test_an_events_mode_gives_the_status_of_a_sentence_no_claim_speaks_for() -> None:
    text = "Russia will deploy more troops to Belarus."
    planned = _describe(FACTS, 0, len(text), text, [SpanRecord("event", 0, 42, mode="planned")])
    assert (planned.kind, planned.status) == ("event", "speculative")
    done = _describe(FACTS, 0, len(text), text, [SpanRecord("event", 0, 42, mode="asserted")])
    assert done.status is None
    claimed = [SpanRecord("claim", 0, 42, "alleged"), SpanRecord("event", 0, 42, mode="planned")]
    assert _describe(FACTS, 0, len(text), text, claimed).status == "alleged"  # a claim first


def test_the_pattern_matrix_scores_every_sentence_against_every_indicator() -> None:
    from tocsin.assess.link import pattern_matrix, similarity_matrix

    texts = [unit("Belarus is forming an offensive group in Gomel."), unit("Rain fell.")]
    hits = pattern_matrix(CASE, texts)
    assert hits.shape == (2, len(CASE.indicators))
    column = [i.id for i in CASE.indicators].index("offensive")
    assert hits[0, column]
    assert not hits[1].any()
    sims = similarity_matrix(CASE, texts, FakeEmbedder())  # type: ignore[arg-type]
    assert sims.shape == hits.shape
