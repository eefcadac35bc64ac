"""Evidence linking: sentences of stored articles matched to a case's indicators.

Each sentence of each article is a candidate, described by the most specific record of
the evidence layer that overlaps it (a quote, else a claim, else an event, else the bare
sentence), so that it carries a speaker or a source chain and an epistemic status. It links
to an indicator when one of the indicator's patterns matches (on RE2, in linear time:
``patterns.py``), or when its sentence embedding is near the indicator's description or
examples, or both. A link records its
score and, in words, the reason it was made.

Polarity: a link is *negated* when the sentence denies what the indicator describes ("there
are no signs of creating an offensive group"). For a pattern match a negation cue must stand
before the match in the same clause; for an embedding match the sentence's negation is
compared with that of the nearest example, so that "vowed not to send troops" is *seen*
for the indicator "Minsk says it will not send its troops". A match whose narrowest
enclosing claim is ``denied`` flips the polarity (for an embedding match, the sentence's
status decides). Indicators whose wording carries its own negation
("polls show Belarusians oppose joining the war") can be declared ``negatable: false``.

The numbers below were set by reading the links they make on the five bundled articles
(docs/assessment.md gives the counts); change them as a set, not one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from tocsin.assess import polarity
from tocsin.assess.candidates import Unit as Unit
from tocsin.assess.candidates import units as units
from tocsin.assess.case import Case, Indicator
from tocsin.assess.link_model import (
    NO_LESSONS,
    Lessons,
    LinkModels,
    PairScores,
    indicator_texts_of,
    pair_features,
    shipped,
)
from tocsin.assess.multilabel import context_cosines, near_counter, tfidf_matrix
from tocsin.assess.negation import is_negated, negated_before
from tocsin.assess.patterns import Hit, Pattern, Screen, compile_pattern, screen
from tocsin.assess.sources import SourceBook
from tocsin.extract.names import normalise
from tocsin.models.assessment import LinkFields

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder

LINKER_VERSION = "2"  # 2: the multi-label link model (link_model.py)
# Sentences of one topic all sit near each other in MiniLM's space (the median cosine of a
# bundled sentence to an indicator is 0.41, the 95th percentile 0.62), so a link made by
# the embedding alone needs a high cosine, a clear margin over the sentence's mean cosine
# to all indicators, and must be the sentence's nearest indicator.
SIMILARITY_THRESHOLD = 0.70  # cosine to the nearest description or example
SIMILARITY_MARGIN = 0.15  # over the sentence's mean cosine to every indicator
PATTERN_SCORE = 0.85  # a pattern alone; with similarity above the threshold, 1.0
# How much an epistemic status lets an item count: a speculation is no observation.
STATUS_WEIGHT = {
    "asserted": 1.0,
    "reported": 0.9,
    "alleged": 0.6,
    "denied": 0.7,
    "speculative": 0.35,
    None: 0.9,
}


@dataclass(frozen=True)
class Link:
    """A unit linked to an indicator, with its score and the reason for it."""

    unit: Unit
    indicator_id: str
    polarity: str  # 'seen' or 'negated'
    score: float
    method: str
    reason: str
    source_key: str
    reliability: str
    credibility: int
    source: str | None

    @property
    def weight(self) -> float:
        """How much the link counts: its score times its status weight."""
        return self.score * STATUS_WEIGHT.get(self.unit.status, STATUS_WEIGHT[None])

    def stored(self) -> LinkFields:
        """The link as the store keeps it."""
        published = self.unit.article.published
        return LinkFields(
            text=self.unit.text,
            polarity=self.polarity,
            score=self.score,
            method=self.method,
            reason=self.reason,
            kind=self.unit.kind,
            status=self.unit.status,
            source=self.source,
            source_key=self.source_key,
            reliability=self.reliability,
            credibility=self.credibility,
            published=published.isoformat() if published else None,
            linker_version=LINKER_VERSION,
        )


# -- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    score: float
    method: str
    reason: str
    negated: bool
    # 'speculative' when the clause is a conditional or a question (polarity.read): the
    # link then counts as a speculation whatever the evidence layer said of the sentence.
    status: str | None = None


def indicator_patterns(indicator: Indicator) -> tuple[Pattern, ...]:
    """The indicator's patterns compiled for RE2 (recent ones are cached)."""
    return tuple(compile_pattern(p) for p in indicator.patterns)


def case_patterns(case: Case) -> tuple[tuple[Pattern, ...], ...]:
    """Every indicator's compiled patterns, in case order; compiled once per case, however
    many chunks of sentences are linked."""
    return _compiled(tuple(tuple(i.patterns) for i in case.indicators))


@lru_cache(maxsize=2)
def _compiled(sources: tuple[tuple[str, ...], ...]) -> tuple[tuple[Pattern, ...], ...]:
    return tuple(tuple(compile_pattern(p) for p in group) for group in sources)


def _pattern_match(unit: Unit, patterns: Sequence[Pattern]) -> tuple[Hit, str] | None:
    """The first of ``patterns`` that matches the unit, case-insensitively, and where."""
    for pattern in patterns:
        hit = pattern.search(unit.text)
        if hit is not None:
            return hit, pattern.source
    return None


def _innermost_status(unit: Unit, start: int, end: int) -> str | None:
    """The status of the narrowest claim that holds start..end (article offsets), if any."""
    holding = [c for c in unit.claims if c[0] <= start and end <= c[1]]
    return min(holding, key=lambda c: c[1] - c[0])[2] if holding else None


def match(
    unit: Unit,
    indicator: Indicator,
    similarity: float | None = None,
    nearest: str | None = None,
    *,
    distinct: bool = True,
    patterns: Sequence[Pattern] | None = None,
    parties: polarity.Parties | None = None,
    clause: bool = False,
) -> Match | None:
    """How ``unit`` links to ``indicator``, if it does: score, method, reason, polarity.

    ``distinct`` says the indicator stands out among the sentence's similarities (nearest,
    with the margin): without a pattern, similarity alone links only then. ``patterns``
    are the indicator's, compiled (``indicator_patterns``), when the caller has them.
    ``parties`` are the case's actors (``polarity.Parties``): a claim one of them makes is
    marked as an interested party's. ``clause`` False reads polarity by the negation cues
    alone (``cue_negated``), as tocsin did before it read the clause.
    """
    compiled = indicator_patterns(indicator) if patterns is None else patterns
    found = _pattern_match(unit, compiled)
    return _match(unit, indicator, found, similarity, nearest, distinct, parties, clause)


def _match(
    unit: Unit,
    indicator: Indicator,
    found: tuple[Hit, str] | None,
    similarity: float | None,
    nearest: str | None,
    distinct: bool,
    parties: polarity.Parties | None,
    clause: bool,
) -> Match | None:
    similar = similarity is not None and similarity >= SIMILARITY_THRESHOLD
    if found is None and not (similar and distinct):
        return None
    if found is not None:
        hit, pattern = found
        reason = f"pattern /{pattern}/ matched “{hit.text}”"
    else:
        assert similarity is not None
        reason = f"similarity {similarity:.2f} to “{nearest}”"
    negated = cue_negated(unit, found[0] if found else None, nearest)
    reading = _reading(unit, indicator, found, nearest, parties) if clause else None
    status = None
    if reading is not None:
        # The clause decides when its parse found a cue that flips; otherwise the cue
        # rules stand (a negation they see that the parse put in another clause counts).
        if reading.parsed and reading.flipped:
            negated = reading.negated
        else:
            reading = replace(reading, polarity="negated" if negated else "seen")
        status = reading.status
        if reading.kinds or reading.negated:
            reason += f"; read as {reading.describe()}"
    negated = indicator.negatable and negated
    if found is not None and similar:
        reason += f"; similarity {similarity:.2f} to “{nearest}”"
        return Match(1.0, "pattern+embedding", reason, negated, status)
    if found is not None:
        return Match(PATTERN_SCORE, "pattern", reason, negated, status)
    assert similarity is not None
    return Match(round(float(similarity), 4), "embedding", reason, negated, status)


def cue_negated(unit: Unit, hit: Hit | None, nearest: str | None) -> bool:
    """Polarity by negation cues alone: for a pattern hit, a cue shortly before it in its
    clause (``negated_before``); for an embedding match, a negation in the sentence but not
    in its nearest example, or the other way round. A denied claim around the match (the
    sentence's status, for an embedding match) flips either."""
    if hit is not None:
        status = _innermost_status(unit, unit.start + hit.start, unit.start + hit.end)
        return negated_before(unit.text, hit.start) != (status == "denied")
    denied = unit.status == "denied"
    return (is_negated(unit.text) != is_negated(nearest or "")) != denied


def _reading(
    unit: Unit,
    indicator: Indicator,
    found: tuple[Hit, str] | None,
    nearest: str | None,
    parties: polarity.Parties | None,
) -> polarity.Reading:
    """The clause's reading of the unit for the indicator (``polarity.read``)."""
    party = parties.find(unit.source, *reversed(unit.chain)) if parties else None
    target = polarity.target(indicator.description, tuple(indicator.examples))
    if found is not None:
        hit, pattern = found
        return polarity.read(
            unit.text, target, span=(hit.start, hit.end), pattern=pattern, party=party
        )
    return polarity.read(unit.text, target, reference=nearest, party=party)


# -- the whole case ---------------------------------------------------------------------


def independence_key(indicator_id: str, unit: Unit, graded_source: str | None) -> str:
    """Items with one key are one observation: same indicator, same original source.

    The original source is the innermost link of the claim's chain, or the speaker (the
    graded name when the case grades it). Unattributed text belongs to its outlet, all of
    whose articles are one source; without a known outlet, to its article, and a
    near-duplicate article has the key of the article it copies.
    """
    if unit.source:
        return f"{indicator_id}|{normalise(graded_source or unit.source)}"
    if unit.article.outlet:
        return f"{indicator_id}|outlet:{normalise(unit.article.outlet)}"
    return f"{indicator_id}|article:{unit.article.original_id}"


def make_link(unit: Unit, indicator_id: str, found: Match, book: SourceBook) -> Link:
    """The link, graded by its speaker or source chain; an ungraded speaker takes the grade
    of the outlet reporting them but stays the source (and the independence key). A match
    read as speculative (a conditional, a question) makes the unit speculative."""
    if found.status is not None and unit.status != found.status:
        unit = replace(unit, status=found.status)
    spoken = book.grade(unit.source, *reversed(unit.chain))
    grade = spoken if spoken.graded else book.grade(unit.article.outlet)
    source = spoken.source if spoken.graded or unit.source else grade.source
    return Link(
        unit=unit,
        indicator_id=indicator_id,
        polarity="negated" if found.negated else "seen",
        score=found.score,
        method=found.method,
        reason=found.reason,
        source_key=independence_key(indicator_id, unit, spoken.source if spoken.graded else None),
        reliability=grade.reliability,
        credibility=grade.credibility,
        source=source,
    )


def link_units(
    case: Case,
    candidates: Sequence[Unit],
    embedder: Embedder | None = None,
    vectors: np.ndarray | None = None,
    indicator_vectors: np.ndarray | None = None,
    *,
    lessons: Lessons = NO_LESSONS,
    models: LinkModels | str | None = "shipped",
    wording: Any = None,
    clause: bool = False,
) -> list[Link]:
    """Every link between ``candidates`` and the case's indicators.

    ``vectors`` are the candidates' sentence embeddings and ``indicator_vectors`` those of
    ``indicator_texts(case, lessons)``, when already known (the store caches the first, a
    caller linking in chunks computes the second once); otherwise ``embedder`` computes them.

    A case whose ``linker`` is "model" (or any case, given ``models``) has every sentence
    scored against every indicator by the link model, with embeddings, and linked where its
    probability of being right reaches the model's threshold; ``wording`` is the TF-IDF
    vectoriser fitted on every candidate of the store when the caller links in chunks.
    Otherwise, or without embeddings, the rules: a pattern, or a near, distinct embedding.
    ``clause`` (the rules only) reads polarity from the clause (``polarity.py``) as well as
    by the negation cues; it is off by default: on the shelf it did not generalise
    (docs/backtest.md, "Polarity").

    With the rules, ``match`` is asked only about the pairs where it can link: an indicator
    one of whose patterns matches the sentence (searched where ``case_screens`` let it
    through), or whose similarity passes the threshold and stands out (``_distinct``). Every
    other pair has no pattern match and no similarity link, so ``match`` would return None
    for it: the links are those of asking every pair.
    """
    if models == "shipped":
        models = shipped() if case.linker == "model" else None
    if vectors is None and embedder is not None and candidates and case.indicators:
        vectors = embedder.encode([u.text for u in candidates])  # once, for every use below
    sims, nearest, described = _similarities(
        case, candidates, embedder, vectors, indicator_vectors, lessons
    )
    if sims is not None and described is not None and isinstance(models, LinkModels):
        measured = (sims, nearest, described)
        return _model_links(case, candidates, measured, embedder, vectors, lessons, models, wording)
    return _rule_links(case, candidates, sims, nearest, clause)


def _rule_links(
    case: Case,
    candidates: Sequence[Unit],
    sims: np.ndarray | None,
    nearest: list[list[str]],
    clause: bool,
) -> list[Link]:
    """The links the rules make: a pattern, or a near and distinct embedding."""
    book = SourceBook(case.sources)
    parties = polarity.Parties((a.name, a.aliases) for a in case.actors)
    distinct = _distinct(sims)
    hits = pattern_hits(case, candidates)
    # float64, as ``match`` compares: a float32 comparison would round the threshold.
    similar = (
        (sims.astype(np.float64) >= SIMILARITY_THRESHOLD) & distinct if sims is not None else None
    )
    if clause:  # parse, in one batch, the sentences that will link and what they are read against
        linking = [
            i
            for i in range(len(candidates))
            if any(hits[i]) or (similar is not None and bool(similar[i].any()))
        ]
        polarity.prepare(candidates[i].text for i in linking)
        polarity.prepare(indicator_texts(case))
    links = []
    for i, unit in enumerate(candidates):
        askable = (j for j, hit in enumerate(hits[i]) if hit is not None or _similar(similar, i, j))
        for j in askable:
            indicator = case.indicators[j]
            sim = float(sims[i, j]) if sims is not None else None
            near = nearest[i][j] if nearest else None
            apart = bool(distinct[i, j]) if sims is not None else False
            found = _match(unit, indicator, hits[i][j], sim, near, apart, parties, clause)
            if found is not None:
                links.append(make_link(unit, indicator.id, found, book))
    return links


def _similar(similar: np.ndarray | None, i: int, j: int) -> bool:
    return similar is not None and bool(similar[i, j])


def _model_links(
    case: Case,
    candidates: Sequence[Unit],
    measured: tuple[np.ndarray, list[list[str]], np.ndarray],
    embedder: Embedder | None,
    vectors: np.ndarray | None,
    lessons: Lessons,
    models: LinkModels,
    wording: Any = None,
) -> list[Link]:
    """The links the model makes: P(right) of every pair, a link where it reaches the
    threshold, weighed down near a counter-example. ``measured``: the cosines to each
    indicator's nearest text, that text, and the cosines to its description."""
    sims, nearest, described = measured
    assert vectors is not None  # link_units embeds the candidates first
    hits = pattern_hits(case, candidates)
    scores = _scores(case, candidates, sims, described, hits, lessons, wording)
    has_patterns = np.array([bool(i.patterns) for i in case.indicators], dtype=bool)
    probability = models.probabilities(pair_features(scores), has_patterns)
    nearer_counter = near_counter(case, vectors, sims, lessons, embedder)
    probability = np.where(nearer_counter, probability * models.counter_factor, probability)
    thresholds = models.thresholds(has_patterns)
    book = SourceBook(case.sources)
    links = []
    for i, j in zip(*np.nonzero(probability >= thresholds[None, :]), strict=True):
        unit, indicator, p = candidates[i], case.indicators[j], float(probability[i, j])
        reason = (
            f"P(right) {p:.2f}: similarity {sims[i, j]:.2f} to “{nearest[i][j]}”, "
            f"TF-IDF {scores.tfidf[i, j]:.2f}"
        )
        found = hits[i][j]
        if found is not None:
            reason += f"; pattern /{found[1]}/ matched “{found[0].text}”"
            negated = indicator.negatable and cue_negated(unit, found[0], None)
        else:
            negated = indicator.negatable and cue_negated(unit, None, nearest[i][j])
        if nearer_counter[i, j]:
            reason += "; nearer a counter-example than any example"
        links.append(
            make_link(unit, indicator.id, Match(round(p, 4), "model", reason, negated), book)
        )
    return links


def _askable(
    text: str, screened: tuple[Screen | None, tuple[int, ...]], similar: np.ndarray | None
) -> list[int]:
    """The indicators, in case order, that may link to ``text``: one of their patterns may
    match (``screened``: ``case_screens``), or the similarity alone links (``similar``, one
    flag per indicator)."""
    found = set() if similar is None else set(np.flatnonzero(similar).tolist())
    whole, owner = screened
    named = None if whole is None else whole.which(text)
    if named is None:  # no screen, or it cannot tell: every indicator with patterns
        found.update(owner)
    else:
        found.update(owner[k] for k in named)
    return sorted(found)


def case_screens(case: Case) -> tuple[Screen | None, tuple[int, ...]]:
    """A screen for all the case's patterns (``patterns.screen``), and the indicator each
    of them belongs to, by its position in the case; built once per case."""
    return _screens(case_patterns(case))


@lru_cache(maxsize=2)
def _screens(
    compiled: tuple[tuple[Pattern, ...], ...],
) -> tuple[Screen | None, tuple[int, ...]]:
    owner = tuple(j for j, group in enumerate(compiled) for _ in group)
    return screen(tuple(p for group in compiled for p in group)), owner


def _distinct(sims: np.ndarray | None) -> np.ndarray:
    """Where an indicator is a sentence's nearest, by a margin over its mean similarity to
    the other indicators (a case with one indicator has no others: no margin applies)."""
    if sims is None:
        return np.zeros((0, 0), dtype=bool)
    nearest = sims == sims.max(axis=1, keepdims=True)
    n = sims.shape[1]
    if n < 2:
        return np.asarray(nearest)
    others = (sims.sum(axis=1, keepdims=True) - sims) / (n - 1)
    return np.asarray(nearest & (sims - others >= SIMILARITY_MARGIN))


def indicator_texts(case: Case, lessons: Lessons = NO_LESSONS) -> list[str]:
    """Every indicator's description, examples and learned examples, in case order: what
    embeddings match."""
    return [t for i in case.indicators for t in indicator_texts_of(i, lessons)]


def _similarities(
    case: Case,
    candidates: Sequence[Unit],
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
    indicator_vectors: np.ndarray | None = None,
    lessons: Lessons = NO_LESSONS,
) -> tuple[np.ndarray | None, list[list[str]], np.ndarray | None]:
    """Cosine of each candidate to each indicator's nearest text, that text, and the cosine
    to each indicator's description alone."""
    if (embedder is None and vectors is None) or not candidates or not case.indicators:
        return None, [], None
    texts = [indicator_texts_of(i, lessons) for i in case.indicators]
    flat = [t for group in texts for t in group]
    ends = np.cumsum([len(g) for g in texts])  # indicator j owns flat[ends[j-1]:ends[j]]
    if vectors is None:
        assert embedder is not None
        vectors = embedder.encode([u.text for u in candidates])
    if indicator_vectors is None:
        if embedder is None:
            return None, [], None
        indicator_vectors = embedder.encode(flat)
    cos = vectors @ indicator_vectors.T
    sims = np.full((len(candidates), len(texts)), -1.0, dtype=np.float32)
    best = np.zeros((len(candidates), len(texts)), dtype=np.intp)  # into flat
    for j in range(len(texts)):
        cols = np.arange(ends[j] - len(texts[j]), ends[j])
        best[:, j] = cols[np.argmax(cos[:, cols], axis=1)]
        sims[:, j] = cos[np.arange(len(candidates)), best[:, j]]
    nearest: list[list[str]] = np.asarray(flat, dtype=object)[best].tolist()
    described = np.asarray(cos[:, ends - np.array([len(g) for g in texts])], dtype=np.float32)
    return sims, nearest, described


def similarity_matrix(case: Case, candidates: Sequence[Unit], embedder: Embedder) -> np.ndarray:
    """Cosine of each candidate to each indicator's nearest description or example."""
    sims, _, _ = _similarities(case, candidates, embedder)
    if sims is None:
        return np.zeros((len(candidates), len(case.indicators)), dtype=np.float32)
    return sims


def pair_scores(
    case: Case, candidates: Sequence[Unit], embedder: Embedder, vectors: np.ndarray | None = None
) -> PairScores:
    """Everything the link model reads of every (candidate, indicator) pair: what
    bench/fit_links.py fits it on (``vectors``: the candidates' embeddings, when known)."""
    sims, _, described = _similarities(case, candidates, embedder, vectors)
    if sims is None or described is None:
        sims = described = np.zeros((len(candidates), len(case.indicators)), dtype=np.float32)
    return _scores(case, candidates, sims, described, pattern_hits(case, candidates))


def _scores(
    case: Case,
    candidates: Sequence[Unit],
    sims: np.ndarray,
    described: np.ndarray,
    hits: list[list[tuple[Hit, str] | None]],
    lessons: Lessons = NO_LESSONS,
    wording: Any = None,
) -> PairScores:
    return PairScores(
        sims=sims,
        tfidf=tfidf_matrix(case, [u.text for u in candidates], lessons, wording),
        context=context_cosines([u.article.article_id for u in candidates], sims),
        description=described,
        patterns=_hit_matrix(hits, sims.shape),
    )


def pattern_hits(case: Case, candidates: Sequence[Unit]) -> list[list[tuple[Hit, str] | None]]:
    """For each candidate and each indicator, the first of the indicator's patterns that
    matches and where (``_pattern_match``), None where none does; a pattern is searched only
    where the screens (``case_screens``) let the sentence through."""
    compiled = case_patterns(case)
    screened = case_screens(case)
    out: list[list[tuple[Hit, str] | None]] = []
    for unit in candidates:
        row: list[tuple[Hit, str] | None] = [None] * len(compiled)
        for j in _askable(unit.text, screened, None):
            row[j] = _pattern_match(unit, compiled[j])
        out.append(row)
    return out


def pattern_matrix(case: Case, candidates: Sequence[Unit]) -> np.ndarray:
    """Whether one of each indicator's patterns matches each candidate."""
    return _hit_matrix(pattern_hits(case, candidates), (len(candidates), len(case.indicators)))


def _hit_matrix(hits: list[list[tuple[Hit, str] | None]], shape: tuple[int, ...]) -> np.ndarray:
    return np.array([[hit is not None for hit in row] for row in hits], dtype=bool).reshape(shape)
