"""A Russian text parsed by natasha's models: tokens with lemma, morphology and dependencies,
and the named spans of its NER, each with its normal form.

The models are slovnet's news models for morphology, syntax and NER with navec's news
embeddings, as the natasha 1.6.0 wheel ships them; pymorphy3 with the pymorphy3-dicts-ru
wheel gives lemmas and nominatives (``morphology``). Nothing is downloaded. natasha itself is
not imported: its ``__init__`` pulls pymorphy2 (unmaintained, superseded by pymorphy3), yargy
and ipymarkup, none of which this pipeline needs, so the wheel is installed without its
dependencies (requirements/models.txt) and only its model files are read. The models are
loaded once per process (about 2 s), the first time a Russian article is read.

The sentences are tocsin's (``tocsin.text``), as for English, so that every stage cuts the
article the same way; razdel tokenises. The models read each sentence, or a sentence of
more than ``MAX_TOKENS`` tokens in windows of that size, so that a hostile one costs linear
time and bounded memory.

A name's normal form is natasha's: each word in the nominative with its number kept, for a
person or a place every word ('Александра Лукашенко' -> 'Александр Лукашенко'), for an
organisation only its head and the adjectives that agree with it ('Министерства обороны' ->
'Министерство обороны').
"""

from __future__ import annotations

import importlib.util
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError
from tocsin.extract.russian.morphology import lemma, nominative
from tocsin.text import Offsets, Sentence

MAX_TOKENS = 200  # tokens per window of the tagger, the parser and the NER
# Windows the models read at once. slovnet's default is 8; 64 reads news four times faster
# here (the fixed cost of each numpy pass is shared), and a batch stays small: windows have
# at most MAX_TOKENS tokens, so 64 x 200 x 300 floats at most per layer.
BATCH = 64
_MAX_DEPTH = 64  # a head chain longer than this is a broken parse: stop walking it
_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
_EMBEDDING = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
_MODEL_FILES = {
    "morph": "data/model/slovnet_morph_news_v1.tar",
    "syntax": "data/model/slovnet_syntax_news_v1.tar",
    "ner": "data/model/slovnet_ner_news_v1.tar",
}


@dataclass
class Tok:
    """One token: offsets, text, lemma (lower case, ё as е), UD part of speech and
    features, and its head (a token index, -1 at a root) with the relation to it."""

    start: int
    end: int
    text: str
    lemma: str = ""
    pos: str = "X"
    feats: dict[str, str] = field(default_factory=dict)
    head: int = -1
    rel: str = ""
    sent: int = 0


@dataclass(frozen=True)
class Named:
    """A span the NER found: label (PERSON, ORG, LOC), its normal form and its tokens
    ``first`` to ``last`` (exclusive)."""

    start: int
    end: int
    label: str
    normal: str
    first: int
    last: int


@dataclass
class Models:
    morph: Any
    syntax: Any
    ner: Any


def model_folder() -> Path:
    """Where the natasha package keeps its models, found without importing it."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the Russian models are not installed: pip package natasha==1.6.0 without its "
            "dependencies (requirements/models.txt; ./dev setup installs it)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def models() -> Models:
    """slovnet's news models with navec's embeddings, from the natasha wheel (cached)."""
    from navec import Navec
    from slovnet import NER, Morph, Syntax

    folder = model_folder()
    embedding = Navec.load(str(folder / _EMBEDDING))
    return Models(
        Morph.load(str(folder / _MODEL_FILES["morph"]), batch_size=BATCH).navec(embedding),
        Syntax.load(str(folder / _MODEL_FILES["syntax"]), batch_size=BATCH).navec(embedding),
        NER.load(str(folder / _MODEL_FILES["ner"]), batch_size=BATCH).navec(embedding),
    )


class RuDoc:
    """A parsed text: its tokens, sentences, paragraphs and named spans."""

    def __init__(
        self,
        text: str,
        tokens: list[Tok],
        sentences: Sequence[Sentence],
        paragraphs: Sequence[Offsets],
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.sentences = list(sentences)
        self.paragraphs = list(paragraphs)
        self.named: list[Named] = []
        self.starts = [t.start for t in tokens]
        self.ends = [t.end for t in tokens]
        self.sent_starts = [s.start for s in self.sentences]
        self.sent_first = [bisect_left(self.starts, s.start) for s in self.sentences]
        self.sent_last = [bisect_left(self.starts, s.end) for s in self.sentences]
        self.kids: list[list[int]] = [[] for _ in tokens]
        for i, t in enumerate(tokens):
            if t.head >= 0:
                self.kids[t.head].append(i)
        self._edges: list[tuple[int, int]] | None = None

    def token_from(self, pos: int) -> int:
        """Index of the first token that ends after ``pos``."""
        return bisect_right(self.ends, pos)

    def token_before(self, pos: int) -> int:
        """Index of the last token that starts before ``pos`` (-1 when none)."""
        return bisect_left(self.starts, pos) - 1

    def sentence_range(self, s: int) -> range:
        return range(self.sent_first[s], self.sent_last[s])

    def sentence_at(self, pos: int) -> int:
        """Index of the sentence holding (or last starting before) character ``pos``."""
        return max(bisect_right(self.sent_starts, pos) - 1, 0)

    def edges(self, i: int) -> tuple[int, int]:
        """The first and last token of ``i``'s subtree."""
        if self._edges is None:
            self._edges = _subtree_edges(self.tokens)
        return self._edges[i]

    def head_chain(self, i: int) -> list[int]:
        """``i`` and its heads up to the root (bounded)."""
        chain = [i]
        while self.tokens[chain[-1]].head >= 0 and len(chain) < _MAX_DEPTH:
            nxt = self.tokens[chain[-1]].head
            if nxt in chain:
                break
            chain.append(nxt)
        return chain

    def span_text(self, first: int, last: int) -> str:
        """The text of tokens ``first`` to ``last`` (inclusive)."""
        return self.text[self.tokens[first].start : self.tokens[last].end]


def _subtree_edges(tokens: Sequence[Tok]) -> list[tuple[int, int]]:
    """Each token's subtree bounds, by walking every token's head chain once (bounded)."""
    lo = list(range(len(tokens)))
    hi = list(range(len(tokens)))
    for i in range(len(tokens)):
        j, steps = tokens[i].head, 0
        while j >= 0 and steps < _MAX_DEPTH:
            lo[j] = min(lo[j], i)
            hi[j] = max(hi[j], i)
            j, steps = tokens[j].head, steps + 1
    return list(zip(lo, hi, strict=True))


def parse(text: str, sentences: Sequence[Sentence], paragraphs: Sequence[Offsets]) -> RuDoc:
    """``text`` tokenised, tagged, parsed and its names found, in ``sentences``."""
    from razdel import tokenize

    m = models()
    tokens = [Tok(t.start, t.stop, t.text) for t in tokenize(text)]
    starts = [t.start for t in tokens]
    windows: list[range] = []
    for n, s in enumerate(sentences):
        first, last = bisect_left(starts, s.start), bisect_left(starts, s.end)
        for k in range(first, last):
            tokens[k].sent = n
        windows += [range(a, min(a + MAX_TOKENS, last)) for a in range(first, last, MAX_TOKENS)]
    windows.sort(key=len)  # a batch is padded to its longest window: keep lengths together
    _tag(m, tokens, windows)
    doc = RuDoc(text, tokens, sentences, paragraphs)
    doc.named = _named(m, doc, windows)
    return doc


def _tag(m: Models, tokens: list[Tok], windows: list[range]) -> None:
    """Morphology, lemmas and dependencies of ``tokens``, window by window."""
    words = [[tokens[k].text for k in w] for w in windows]
    for window, markup in zip(windows, m.morph.map(words), strict=True):
        for k, tagged in zip(window, markup.tokens, strict=True):
            tokens[k].pos, tokens[k].feats = tagged.pos, dict(tagged.feats)
    for window, markup in zip(windows, m.syntax.map(words), strict=True):
        for k, parsed in zip(window, markup.tokens, strict=True):
            head = int(parsed.head_id)
            tokens[k].head = window.start + head - 1 if 0 < head <= len(window) else -1
            tokens[k].rel = parsed.rel
    for t in tokens:
        t.lemma = lemma(t.text, t.pos, t.feats)


def _named(m: Models, doc: RuDoc, windows: Sequence[range]) -> list[Named]:
    """The NER's spans, window by window (its network sees a few tokens around each one, so
    a sentence is context enough), with their normal forms."""
    found: list[Named] = []
    spans = [(doc.tokens[w.start].start, doc.tokens[w.stop - 1].end) for w in windows if len(w)]
    texts = [doc.text[a:b] for a, b in spans]
    for (offset, _), markup in zip(spans, m.ner.map(texts), strict=True):
        for span in markup.spans:
            start, end = offset + span.start, offset + span.stop
            first, last = doc.token_from(start), bisect_left(doc.starts, end)
            if first >= last or span.type not in _LABELS:
                continue
            label = _LABELS[span.type]
            normal = normal_form(doc, first, last, organisation=label == "ORG")
            found.append(Named(start, end, label, normal, first, last))
    return sorted(found, key=lambda n: n.start)


def normal_form(doc: RuDoc, first: int, last: int, *, organisation: bool = False) -> str:
    """Tokens ``first`` to ``last`` (exclusive) in the nominative, spaced as written; of an
    organisation's name only the head and the adjectives on it change."""
    inflect = range(first, last) if not organisation else _head_and_adjectives(doc, first, last)
    parts: list[str] = []
    for k in range(first, last):
        t = doc.tokens[k]
        if k > first:
            parts.append(doc.text[doc.tokens[k - 1].end : t.start])
        parts.append(nominative(t.text, t.pos, t.feats) if k in inflect else t.text)
    return "".join(parts).replace("ё", "е").replace("Ё", "Е")


def _head_and_adjectives(doc: RuDoc, first: int, last: int) -> set[int]:
    """The span's head (its token whose head lies outside it) and the adjectives and verbs
    (participles) below it, as natasha's syntax_normalize chooses them."""
    inside = range(first, last)
    chosen = {k for k in inside if doc.tokens[k].head not in inside}
    todo = list(chosen)
    while todo:
        k = todo.pop()
        for kid in doc.kids[k]:
            if kid in inside and kid not in chosen and doc.tokens[kid].pos in ("ADJ", "VERB"):
                chosen.add(kid)
                todo.append(kid)
    return chosen
