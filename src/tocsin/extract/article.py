"""One article through the evidence layer: cut into pieces, parsed, read, put back together.

The article's sentences come from the text model (``tocsin.text``), found once and handed to
spaCy's parser as preset boundaries, so that the rules, the store, linking and the report all
see the same sentences. A text longer than ``PIECE_CHARS`` is parsed in paragraph-aligned
pieces, one after another, so that memory stays bounded whatever the article's length; the
records of each piece are shifted back to the article's offsets. The whole article runs under
a time budget: past it, the article fails with that reason instead of holding the batch.
"""

from __future__ import annotations

import signal
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from tocsin.extract.aliases import AliasTable
from tocsin.extract.claims import extract_claims
from tocsin.extract.entities import add_gazetteer, find_mentions, outermost
from tocsin.extract.events import extract_events
from tocsin.extract.nlp import fresh_model, load_model
from tocsin.extract.quantities import find_quantities
from tocsin.extract.quotes import extract_quotes
from tocsin.extract.timex import resolve_dates
from tocsin.extract.tokenizer_guard import guard_tokenizer
from tocsin.models.evidence import Evidence
from tocsin.text import Sentence, pieces, segment

# Characters parsed in one pass of the model. spaCy's memory grows with the length of a
# Doc (about 3 kB a character with en_core_web_sm), so this bounds an article's footprint.
PIECE_CHARS = 50_000
_OFFSETS = ("start", "end", "speaker_start", "speaker_end")

R = TypeVar("R")


class OverBudget(Exception):
    """The article took longer than its time budget."""


@lru_cache(maxsize=2)
def pipeline(model: str = "sm", alias_files: tuple[Path, ...] = ()) -> tuple[Language, AliasTable]:
    """The model with tocsin's gazetteer, and the alias table (cached per process). A
    user's alias files get a model of their own: the gazetteer is part of the model."""
    aliases = AliasTable.load(*alias_files)
    nlp = fresh_model(model) if alias_files else load_model(model)
    add_gazetteer(nlp, aliases)
    guard_tokenizer(nlp)
    return nlp, aliases


def analyse(doc: Doc, aliases: AliasTable, anchor: date | None) -> Evidence:
    """Every kind of evidence in one parsed text."""
    mentions = find_mentions(doc, aliases)
    actors = outermost(mentions)  # a country nested in a ministry's name is no speaker
    quotes = extract_quotes(doc, actors)
    dates = resolve_dates(doc, anchor) if anchor is not None else []
    return Evidence(
        mentions=mentions,
        quotes=quotes,
        claims=extract_claims(doc, quotes, actors),
        quantities=find_quantities(doc),
        dates=dates,
        events=extract_events(doc, actors, quotes, dates),
    )


def make_doc(nlp: Language, text: str, starts: Sequence[int]) -> Doc:
    """The tokens of ``text`` with the sentence starts (character offsets) preset: the
    parser keeps them. A start inside a token moves to the next token.

    The flags are set in one array (``Doc.from_array``): setting ``Token.is_sent_start``
    token by token walks the whole Doc each time, which is quadratic.
    """
    doc = nlp.make_doc(text)
    if not len(doc):
        return doc
    offsets = np.fromiter((token.idx for token in doc), dtype=np.int64, count=len(doc))
    first = np.searchsorted(offsets, np.asarray(sorted(starts), dtype=np.int64))
    flags = np.full(len(doc), -1, dtype=np.int64)  # -1: not a sentence start
    flags[first[first < len(doc)]] = 1
    flags[0] = 1
    array: Any = flags.astype(np.uint64).reshape(-1, 1)  # spaCy's Ints2d, as its docs say
    doc.from_array(["SENT_START"], array)
    return doc


def extract_article(
    nlp: Language,
    aliases: AliasTable,
    text: str,
    anchor: date | None,
    budget: float | None = None,
) -> Evidence:
    """The evidence of one article, with its sentences; OverBudget past ``budget`` seconds.

    The article is read in a spaCy memory zone: the strings and lexemes its words add to the
    vocabulary are freed when it is done, so a worker that reads a stream of articles keeps
    a vocabulary of the model's size (some 6.7 new strings an article stayed for good
    before). Nothing of spaCy's leaves the zone: the evidence holds offsets and Python
    strings only."""
    with time_budget(budget), nlp.memory_zone():
        layout = segment(text)
        found = Evidence(sentences=list(layout.sentences))
        for start, end in pieces(text, PIECE_CHARS):
            starts = [s.start - start for s in _within(layout.sentences, start, end)]
            doc = nlp(make_doc(nlp, text[start:end], starts))
            _extend(found, shifted(analyse(doc, aliases, anchor), start))
            del doc
        return found


def _within(sentences: Sequence[Sentence], start: int, end: int) -> Sequence[Sentence]:
    """The sentences starting in ``start..end``, found by bisection: a scan per piece
    would make a long article quadratic."""
    first = bisect_left(sentences, start, key=lambda s: s.start)
    last = bisect_left(sentences, end, key=lambda s: s.start)
    return sentences[first:last]


def shifted(ev: Evidence, offset: int) -> Evidence:
    """``ev`` with every offset moved by ``offset``."""
    if not offset:
        return ev
    return Evidence(
        mentions=[_shift(m, offset) for m in ev.mentions],
        quotes=[_shift(q, offset) for q in ev.quotes],
        claims=[_shift(c, offset) for c in ev.claims],
        quantities=[_shift(q, offset) for q in ev.quantities],
        dates=[_shift(d, offset) for d in ev.dates],
        events=[_shift(e, offset) for e in ev.events],
    )


def _shift(record: R, offset: int) -> R:
    names = {f.name for f in fields(record)}  # type: ignore[arg-type]
    moved: dict[str, Any] = {
        name: getattr(record, name) + offset
        for name in _OFFSETS
        if name in names and getattr(record, name) is not None
    }
    return replace(record, **moved)  # type: ignore[type-var]


def _extend(into: Evidence, part: Evidence) -> None:
    into.mentions += part.mentions
    into.quotes += part.quotes
    into.claims += part.claims
    into.quantities += part.quantities
    into.dates += part.dates
    into.events += part.events


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget in this thread once ``seconds`` have passed (None or 0: no budget).

    A real-time interval timer interrupts Python code between bytecodes and inside regular
    expressions; it is cancelled on the way out. Only the main thread receives the signal,
    so elsewhere the budget is checked when the block ends.
    """
    if not seconds:
        yield
        return
    started = time.monotonic()

    def over(signum: int, frame: object) -> None:
        raise OverBudget(_budget_reason(seconds or 0))

    try:
        previous = signal.signal(signal.SIGALRM, over)
    except ValueError:  # not the main thread: no signal, check at the end
        yield
        if time.monotonic() - started > seconds:
            raise OverBudget(_budget_reason(seconds)) from None
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _budget_reason(seconds: float) -> str:
    return f"extraction took longer than its budget of {seconds:g} s"
