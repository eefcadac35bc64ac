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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from tocsin.assess.case import Case, Indicator
from tocsin.assess.patterns import Hit, Pattern, Screen, compile_pattern, screen
from tocsin.assess.sources import ArticleFacts, SourceBook, article_facts
from tocsin.extract.names import normalise
from tocsin.models.assessment import LinkFields
from tocsin.models.evidence import SpanRecord
from tocsin.store.db import Store
from tocsin.store.evidence import sentences as stored_sentences
from tocsin.store.evidence import span_records
from tocsin.text import sentences

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder

LINKER_VERSION = "1"
# Sentences of one topic all sit near each other in MiniLM's space (the median cosine of a
# bundled sentence to an indicator is 0.41, the 95th percentile 0.62), so a link made by
# the embedding alone needs a high cosine, a clear margin over the sentence's mean cosine
# to all indicators, and must be the sentence's nearest indicator.
SIMILARITY_THRESHOLD = 0.70  # cosine to the nearest description or example
SIMILARITY_MARGIN = 0.15  # over the sentence's mean cosine to every indicator
PATTERN_SCORE = 0.85  # a pattern alone; with similarity above the threshold, 1.0
MIN_SENTENCE_CHARS = 25  # headings, credits and fragments are no evidence
# How much an epistemic status lets an item count: a speculation is no observation.
STATUS_WEIGHT = {
    "asserted": 1.0,
    "reported": 0.9,
    "alleged": 0.6,
    "denied": 0.7,
    "speculative": 0.35,
    None: 0.9,
}
_NEGATION = re.compile(
    r"\b(no|not|never|neither|nor|none|without|cannot|unable|no longer|failed to|fails to|"
    r"yet to)\b|n't\b|n’t\b",
    re.IGNORECASE,
)
# A cue negates a match only from the same clause and at most this many words before it;
# a comma-enclosed aside of at most ASIDE_WORDS words ("has not, so far, sent") is skipped.
NEGATION_WINDOW = 6
ASIDE_WORDS = 3
# "There are no signs that Belarus is forming an offensive group": an absence stated
# earlier in the sentence negates what follows it, unless a contrast comes between.
# Its scope: the complement after "of" or "that", up to a clause end or a new clause.
_ABSENCE = re.compile(
    r"\b(no|not any|without any|without|little|nor any)\s+(\w+\s+)?"
    r"(signs?|evidence|indications?|proof|reports?|plans?|intention)\b"
    r"(\s+\w+){0,2}?\s+(of|that)\b",
    re.IGNORECASE,
)
_ABSENCE_WORDS = 15  # the most words an absence reaches past its "of" or "that"
_SCOPE_END = re.compile(
    r"[;:,–—]|\b(and|but|however|although|though|whereas|while)\b", re.IGNORECASE
)
_WHETHER_OR_NOT = re.compile(r"\bwhether or not\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[;:,–—“”\"(]\s?|\b(and|but|however|although|while|whereas|that|who|which|whose|"
    r"whether)\b",
    re.IGNORECASE,
)
_MODAL = re.compile(r"\b(may|might|could|would|if)\b", re.IGNORECASE)
_KIND_ORDER = ("quote", "claim", "event")
# The status an event's mode gives a sentence no claim speaks for: a plan, a threat or a
# hypothesis is no observation, as a modal sentence is not. A denial or refusal is left to
# the negation rules, which read it off the words.
_EVENT_STATUS = {
    "hypothetical": "speculative",
    "planned": "speculative",
    "threatened": "speculative",
    "reported": "reported",
}


@dataclass(frozen=True)
class Unit:
    """One candidate sentence and what the evidence layer knows of it."""

    article: ArticleFacts
    start: int
    end: int
    text: str
    kind: str  # 'quote', 'claim', 'event' or 'sentence'
    status: str | None
    source: str | None  # the innermost attributed source, if any
    chain: tuple[str, ...] = ()
    claims: tuple[tuple[int, int, str], ...] = ()  # (start, end, status) of claims, in the article


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


# -- candidates -------------------------------------------------------------------------


def units(store: Store, case: Case) -> Iterator[Unit]:
    """Every sentence of every stored article that is not a near-duplicate: as extraction
    stored them, or from the same text model for an article not extracted yet."""
    for article in store.articles(include_duplicates=False):
        facts = article_facts(article, case)
        records = span_records(store, article.id)
        found = stored_sentences(store, article.id) or sentences(article.text)
        for sentence in found:
            start, end = sentence.start, sentence.end
            text = article.text[start:end]
            if len(text) < MIN_SENTENCE_CHARS:
                continue
            yield _describe(facts, start, end, text, records)


def _describe(
    facts: ArticleFacts, start: int, end: int, text: str, records: list[SpanRecord]
) -> Unit:
    inside = [r for r in records if r.start < end and r.end > start]
    claims = tuple((r.start, r.end, r.status) for r in inside if r.status)

    def overlap(r: SpanRecord) -> int:
        return min(r.end, end) - max(r.start, start)

    for kind in _KIND_ORDER:
        found = [r for r in inside if r.kind == kind]
        if found:
            best = max(found, key=overlap)
            status = _status(inside, start, end)
            source = best.source or next((r.source for r in inside if r.source), None)
            chain = best.chain or next((r.chain for r in inside if r.chain), ())
            return Unit(facts, start, end, text, kind, status, source, tuple(chain), claims)
    status = "speculative" if _MODAL.search(text) else None
    return Unit(facts, start, end, text, "sentence", status, None, (), claims)


def _status(inside: list[SpanRecord], start: int, end: int) -> str | None:
    """The status of the claim covering most of the sentence, even under a quote; with no
    claim, what the mode of the event covering most of it makes of it."""

    def overlap(r: SpanRecord) -> int:
        return min(r.end, end) - max(r.start, start)

    stated = [r for r in inside if r.status]
    if stated:
        return max(stated, key=overlap).status
    events = [r for r in inside if r.kind == "event"]
    return _EVENT_STATUS.get(max(events, key=overlap).mode or "") if events else None


# -- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    score: float
    method: str
    reason: str
    negated: bool


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


def negated_before(text: str, position: int) -> bool:
    """Whether a negation governs ``position``: a cue shortly before it in the same clause
    (comma-enclosed asides of a few words are skipped, and their own cues do not count),
    or a stated absence ("no signs that ...") earlier in the sentence, with no "but" between.
    """
    head = _WHETHER_OR_NOT.sub(lambda m: "whether".ljust(len(m.group(0))), text[:position])
    if any(_absence_reaches(head, found) for found in _ABSENCE.finditer(head)):
        return True
    kept = _clause_before(head)
    words = kept.split()[-NEGATION_WINDOW:]
    return _NEGATION.search(" ".join(words)) is not None


def _absence_reaches(head: str, absence: re.Match[str]) -> bool:
    """Whether a stated absence governs the end of ``head``: no clause end between them."""
    between = head[absence.end() :]
    return not _SCOPE_END.search(between) and len(between.split()) <= _ABSENCE_WORDS


def _clause_before(head: str) -> str:
    """The text of the clause that ends ``head``, without comma-enclosed short asides."""
    breaks = list(_CLAUSE_BREAK.finditer(head))
    pieces = [head[breaks[-1].end() :] if breaks else head]
    k = len(breaks) - 1
    while k >= 1 and _comma(breaks[k]) and _comma(breaks[k - 1]):
        aside = head[breaks[k - 1].end() : breaks[k].start()]
        if len(aside.split()) > ASIDE_WORDS:
            break
        start = breaks[k - 2].end() if k >= 2 else 0
        pieces.insert(0, head[start : breaks[k - 1].start()])
        k -= 2
    return " ".join(pieces)


def _comma(found: re.Match[str]) -> bool:
    return found.group(0).startswith(",")


def _innermost_status(unit: Unit, start: int, end: int) -> str | None:
    """The status of the narrowest claim that holds start..end (article offsets), if any."""
    holding = [c for c in unit.claims if c[0] <= start and end <= c[1]]
    return min(holding, key=lambda c: c[1] - c[0])[2] if holding else None


def is_negated(text: str) -> bool:
    return _NEGATION.search(text) is not None


def match(
    unit: Unit,
    indicator: Indicator,
    similarity: float | None = None,
    nearest: str | None = None,
    *,
    distinct: bool = True,
    patterns: Sequence[Pattern] | None = None,
) -> Match | None:
    """How ``unit`` links to ``indicator``, if it does: score, method, reason, negation.

    ``distinct`` says the indicator stands out among the sentence's similarities (nearest,
    with the margin): without a pattern, similarity alone links only then. ``patterns``
    are the indicator's, compiled (``indicator_patterns``), when the caller has them.
    """
    compiled = indicator_patterns(indicator) if patterns is None else patterns
    found = _pattern_match(unit, compiled)
    similar = similarity is not None and similarity >= SIMILARITY_THRESHOLD
    if found is None and not (similar and distinct):
        return None
    if found is not None:
        hit, pattern = found
        reason = f"pattern /{pattern}/ matched “{hit.text}”"
        status = _innermost_status(unit, unit.start + hit.start, unit.start + hit.end)
        negated = indicator.negatable and (
            negated_before(unit.text, hit.start) != (status == "denied")
        )
        if similar:
            reason += f"; similarity {similarity:.2f} to “{nearest}”"
            return Match(1.0, "pattern+embedding", reason, negated)
        return Match(PATTERN_SCORE, "pattern", reason, negated)
    assert similarity is not None
    assert nearest is not None
    denied = unit.status == "denied"
    negated = indicator.negatable and (is_negated(unit.text) != is_negated(nearest)) != denied
    reason = f"similarity {similarity:.2f} to “{nearest}”"
    return Match(round(float(similarity), 4), "embedding", reason, negated)


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
    of the outlet reporting them but stays the source (and the independence key)."""
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
) -> list[Link]:
    """Every link between ``candidates`` and the case's indicators.

    ``vectors`` are the candidates' sentence embeddings and ``indicator_vectors`` those of
    ``indicator_texts(case)``, when already known (the store caches the first, a caller
    linking in chunks computes the second once); otherwise ``embedder`` computes them.
    Without an embedder, patterns only.

    ``match`` is asked only about the pairs where it can link: an indicator one of whose
    patterns may match the sentence (``case_screens``), or whose similarity passes the threshold and
    stands out (``_distinct``). Every other pair has no pattern match and no similarity
    link, so ``match`` would return None for it: the links are those of asking every pair.
    """
    book = SourceBook(case.sources)
    sims, nearest = _similarities(case, candidates, embedder, vectors, indicator_vectors)
    distinct = _distinct(sims)
    compiled = case_patterns(case)
    screened = case_screens(case)
    # float64, as ``match`` compares: a float32 comparison would round the threshold.
    similar = (
        (sims.astype(np.float64) >= SIMILARITY_THRESHOLD) & distinct if sims is not None else None
    )
    links = []
    for i, unit in enumerate(candidates):
        for j in _askable(unit.text, screened, similar[i] if similar is not None else None):
            indicator = case.indicators[j]
            sim = float(sims[i, j]) if sims is not None else None
            near = nearest[i][j] if nearest else None
            apart = bool(distinct[i, j]) if sims is not None else False
            found = match(unit, indicator, sim, near, distinct=apart, patterns=compiled[j])
            if found is not None:
                links.append(make_link(unit, indicator.id, found, book))
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


def _indicator_texts(indicator: Indicator) -> list[str]:
    return [indicator.description, *indicator.examples]


def indicator_texts(case: Case) -> list[str]:
    """Every indicator's description and examples, in case order: what embeddings match."""
    return [t for i in case.indicators for t in _indicator_texts(i)]


def _similarities(
    case: Case,
    candidates: Sequence[Unit],
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
    indicator_vectors: np.ndarray | None = None,
) -> tuple[np.ndarray | None, list[list[str]]]:
    """Cosine of each candidate to each indicator's nearest text, and that text."""
    if embedder is None or not candidates or not case.indicators:
        return None, []
    texts = [_indicator_texts(i) for i in case.indicators]
    flat = [t for group in texts for t in group]
    ends = np.cumsum([len(g) for g in texts])  # indicator j owns flat[ends[j-1]:ends[j]]
    if vectors is None:
        vectors = embedder.encode([u.text for u in candidates])
    if indicator_vectors is None:
        indicator_vectors = embedder.encode(flat)
    cos = vectors @ indicator_vectors.T
    sims = np.full((len(candidates), len(texts)), -1.0, dtype=np.float32)
    best = np.zeros((len(candidates), len(texts)), dtype=np.intp)  # into flat
    for j in range(len(texts)):
        cols = np.arange(ends[j] - len(texts[j]), ends[j])
        best[:, j] = cols[np.argmax(cos[:, cols], axis=1)]
        sims[:, j] = cos[np.arange(len(candidates)), best[:, j]]
    nearest: list[list[str]] = np.asarray(flat, dtype=object)[best].tolist()
    return sims, nearest


def similarity_matrix(case: Case, candidates: Sequence[Unit], embedder: Embedder) -> np.ndarray:
    """Cosine of each candidate to each indicator's nearest description or example."""
    sims, _ = _similarities(case, candidates, embedder)
    if sims is None:
        return np.zeros((len(candidates), len(case.indicators)), dtype=np.float32)
    return sims


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
    hits = pattern_hits(case, candidates)
    return np.array(
        [[hit is not None for hit in row] for row in hits], dtype=bool
    ).reshape(len(candidates), len(case.indicators))  # fmt: skip
