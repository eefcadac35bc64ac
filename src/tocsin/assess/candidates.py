"""Candidates for evidence: every sentence of every stored article, described by what the
evidence layer knows of it.

Each sentence is described by the most specific record of the evidence layer that overlaps
it (a quote, else a claim, else an event, else the bare sentence), so that it carries a
speaker or a source chain and an epistemic status. ``link.py`` links them to indicators.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from tocsin.assess.case import Case
from tocsin.assess.sources import ArticleFacts, article_facts
from tocsin.models import Article
from tocsin.models.evidence import SpanRecord
from tocsin.store.db import Store
from tocsin.store.evidence import sentences as stored_sentences
from tocsin.store.evidence import span_records
from tocsin.text import sentences

MIN_SENTENCE_CHARS = 25  # headings, credits and fragments are no evidence
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


def units(
    store: Store,
    case: Case,
    after: int = 0,
    upto: int | None = None,
    only: Collection[int] | None = None,
) -> Iterator[Unit]:
    """Every sentence of every stored article that is not a near-duplicate (of id above
    ``after``, up to ``upto`` and in ``only`` when given): as extraction stored them, or
    from the same text model for an article not extracted yet."""
    for article in store.articles(include_duplicates=False, after=after):
        if upto is not None and article.id > upto:
            return
        if only is not None and article.id not in only:
            continue
        facts = article_facts(article, case)
        records = span_records(store, article.id)
        for start, end, text in _spans(store, article):
            yield _describe(facts, start, end, text, records)


def unit_at(store: Store, case: Case, article: Article, start: int, end: int) -> Unit:
    """``article.text[start:end]`` described as ``units`` describes a sentence, whatever its
    length: what a span the analyst chose as evidence is graded and keyed by."""
    facts = article_facts(article, case)
    text = article.text[start:end]
    return _describe(facts, start, end, text, span_records(store, article.id))


def texts(store: Store) -> Iterator[str]:
    """The text of every candidate ``units`` yields, without describing it: what a pass over
    the words of the whole store needs (the link model's TF-IDF)."""
    for article in store.articles(include_duplicates=False):
        for _, _, text in _spans(store, article):
            yield text


def _spans(store: Store, article: Article) -> Iterator[tuple[int, int, str]]:
    found = stored_sentences(store, article.id) or sentences(article.text)
    for sentence in found:
        text = article.text[sentence.start : sentence.end]
        if len(text) >= MIN_SENTENCE_CHARS:
            yield sentence.start, sentence.end, text


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
