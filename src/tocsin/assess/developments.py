"""Whether two reports of one indicator are one development, and why (issue #11, item 3).

Reports of one indicator dated within a few days of each other are one development only
when something in what they say ties them together:

* **wording**: the TF-IDF cosine of the two sentences (spaCy's English stop words out,
  sublinear term frequencies, smoothed inverse document frequencies over the reports
  compared, as scikit-learn's ``TfidfVectorizer`` computes them) is at least
  ``CLOSE_WORDING``; at
  ``NEAR_IDENTICAL`` or more it is a wire copy;
* **shared entities**: they name a *key* entity in common (by canonical name, the same for
  every spelling the evidence layer resolved), one that is not the question's own topic:
  an entity named in more than ``TOPICAL_SHARE`` of the reports (and in at least
  ``TOPICAL_MIN`` of them) identifies the question, not an event;
* **the same figure or day**: they give a figure or name a single day in common, and share
  at least one entity of any kind; with shared entities this is what joins a translation,
  whose wording the English-only sentence model cannot compare;
* **the same article**: one article's sentences on one indicator tell one story;
* **the same original source**: the speakers or innermost sources of their "according to"
  chains are one (``same_source``).

Reports of one indicator and one week that share none of these (different places,
different actors, different wording) stay apart. ``same_source`` also says, inside a
development, which reports come from one original source: "the ministry" in one article is
"the Belarusian defence ministry" of another when it can name no one else there, and
"Reuters reported" is the outlet Reuters.

Pure: reports in, reasons out. The thresholds were measured on gold developments of three
of the backtest questions tuned on (docs/backtest.md), never on the bundled case.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.lang.en.stop_words import STOP_WORDS

from tocsin.extract.aliases import same_referent
from tocsin.extract.names import name_key, normalise

NEAR_IDENTICAL = 0.9  # TF-IDF cosine of a wire copy
CLOSE_WORDING = 0.5  # TF-IDF cosine of two reports of one development
TOPICAL_SHARE = 0.3  # an entity in more of the reports than this is the question's topic
TOPICAL_MIN = 5  # ... and in at least this many
UNLESS_APART = True
# spaCy's stop words that the vectoriser's tokens can be ("n't" cannot).
_STOP_WORDS = sorted(w for w in STOP_WORDS if re.fullmatch(r"\w\w+", w))
# Words a bare source name ("the ministry", "officials") may hold besides its head.
_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "for", "and", "s"})


@dataclass(frozen=True)
class Report:
    """What the comparison needs of one report: its sentence, the entities and figures it
    names, its named original source (None: in the outlet's own voice) and its article."""

    text: str
    entities: frozenset[str] = frozenset()
    figures: frozenset[str] = frozenset()
    source: str | None = None
    article: int | None = None


@dataclass(frozen=True)
class Reason:
    """Why two reports are one development, in words, and how strong a tie it is (higher
    is stronger: a wire copy, then one source, then shared entities, then close wording)."""

    text: str
    strength: float


class Likeness:
    """Which of a set of reports are alike, and why: fitted once on all of them."""

    def __init__(self, reports: Sequence[Report]) -> None:
        self.reports = list(reports)
        self.matrix = tfidf_matrix([r.text for r in self.reports])
        self._vectors = _rows(self.matrix)
        counts = Counter(e for r in self.reports for e in r.entities)
        cut = max(TOPICAL_MIN, TOPICAL_SHARE * len(self.reports))
        self.topical = frozenset(e for e, n in counts.items() if n >= cut)

    def wording(self, i: int, j: int) -> float:
        """The TF-IDF cosine of reports ``i`` and ``j`` (their rows are unit length)."""
        a, b = sorted((self._vectors[i], self._vectors[j]), key=len)
        return min(1.0, math.fsum(w * b.get(t, 0.0) for t, w in a.items()))

    def wordings(self, rows: NDArray[np.int64], columns: NDArray[np.int64]) -> NDArray[np.float64]:
        """The TF-IDF cosines of reports ``rows`` (one row each) with reports ``columns``,
        by sparse products: equal to ``wording`` up to rounding in the last bits."""
        block = (self.matrix[rows] @ self.matrix[columns].T).toarray()
        return np.minimum(np.asarray(block, dtype=np.float64), 1.0)

    def reason(self, i: int, j: int) -> Reason | None:
        """Why reports ``i`` and ``j`` are one development, or None when nothing ties them."""
        a, b = self.reports[i], self.reports[j]
        cosine = self.wording(i, j)
        if cosine >= NEAR_IDENTICAL:
            return Reason(f"near-identical wording {cosine:.2f}", 4.0 + cosine)
        if a.article is not None and a.article == b.article:
            return Reason("same article", 3.5 + cosine)
        if a.source and b.source and same_source(a.source, b.source):
            return Reason(f"same original source ({a.source})", 3.0 + cosine)
        shared = sorted((a.entities & b.entities) - self.topical)
        if shared:
            return Reason(f"shared entities {', '.join(shared)}", 2.0 + 0.1 * len(shared))
        figures = sorted(a.figures & b.figures)
        if figures and a.entities & b.entities:
            return Reason(f"same figure or day {', '.join(figures)}", 2.0)
        if cosine >= CLOSE_WORDING:
            return Reason(f"close wording {cosine:.2f}", 1.0 + cosine)
        if UNLESS_APART and not (a.entities - self.topical and b.entities - self.topical):
            return Reason("same window, no entity tells them apart", 0.5 + cosine)
        return None


def tfidf(texts: Sequence[str]) -> list[dict[int, float]]:
    """Unit-length TF-IDF rows of ``texts`` as sparse term -> weight maps, which a pair's
    cosine reads fastest (``tfidf_matrix``). Empty maps when no word is left."""
    return _rows(tfidf_matrix(texts))


def tfidf_matrix(texts: Sequence[str]) -> Any:
    """Unit-length TF-IDF rows of ``texts`` as a SciPy CSR matrix: scikit-learn's
    ``TfidfVectorizer`` as it computes them (words of two letters or more, lower-cased,
    spaCy's English stop words out, sublinear term frequencies, smoothed inverse document
    frequencies), from each text's word counts, which are kept (``_terms``): a trajectory
    compares the same sentences day after day, over a different set of reports each day.
    A row with no word left is empty; with no word at all the matrix has one empty
    column."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped, unused-ignore]
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped, unused-ignore]
        TfidfTransformer,
    )

    counts = [_terms(text) for text in texts]
    vocabulary = {t: n for n, t in enumerate(sorted({t for c in counts for t, _ in c}))}
    if not vocabulary:
        return csr_matrix((len(counts), 1), dtype=np.float64)
    indptr = [0]
    for c in counts:
        indptr.append(indptr[-1] + len(c))
    columns = [vocabulary[t] for c in counts for t, _ in c]
    values = [float(k) for c in counts for _, k in c]
    matrix = csr_matrix((values, columns, indptr), shape=(len(counts), len(vocabulary)))
    return TfidfTransformer(sublinear_tf=True).fit_transform(matrix).tocsr()


def _rows(matrix: Any) -> list[dict[int, float]]:
    """A CSR matrix's rows as column -> value maps."""
    return [
        dict(zip(matrix.indices[a:b].tolist(), matrix.data[a:b].tolist(), strict=True))
        for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)
    ]


def clear_kept() -> None:
    """Forget the sentences' words kept across calls (``_terms``)."""
    _terms.cache_clear()


@lru_cache(maxsize=1)
def _analyzer() -> Callable[[str], list[str]]:
    """The words of a text as ``TfidfVectorizer`` with tocsin's settings takes them."""
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped, unused-ignore]
        TfidfVectorizer,
    )

    analyse: Callable[[str], list[str]] = TfidfVectorizer(stop_words=_STOP_WORDS).build_analyzer()
    return analyse


@lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[tuple[str, int], ...]:
    """The words of ``text`` with their counts (``_analyzer``)."""
    return tuple(Counter(_analyzer()(text)).items())


@lru_cache(maxsize=65536)
def _tokens(name: str) -> frozenset[str]:
    return frozenset(name_key(t) for t in normalise(name).split() if t not in _FUNCTION_WORDS)


def narrower(short: str, long: str) -> bool:
    """Whether ``short`` is a bare form of ``long``: every word of it is in ``long`` (in
    any romanisation or spelling) and ``long`` says more ("the ministry", "the defence
    ministry" of "the Belarusian defence ministry")."""
    a, b = _tokens(short), _tokens(long)
    return bool(a) and a < b


@lru_cache(maxsize=65536)
def same_source(a: str, b: str) -> bool:
    """Whether two source names are one original source: one name in two spellings, or one
    a bare form of the other."""
    return normalise(a) == normalise(b) or same_referent(a, b) or narrower(a, b) or narrower(b, a)


def origins(sources: Sequence[str | None], outlets: Sequence[str]) -> list[str | None]:
    """The original source of each of one development's reports: a named source that is
    one of the development's ``outlets`` is that outlet's own voice (None); a bare name
    ("the ministry") that is the bare form of exactly one fuller name in the development is
    that name; names of one referent in two spellings are the first spelling seen."""
    named = list(dict.fromkeys(s for s in sources if s))
    voiced = {s for s in named if any(same_source(s, o) for o in outlets)}

    def base(name: str) -> str | None:
        fuller: list[str] = []
        for t in named:
            if t != name and narrower(name, t) and not any(same_referent(t, f) for f in fuller):
                fuller.append(t)
        if name in voiced or (len(fuller) == 1 and fuller[0] in voiced):
            return None
        return fuller[0] if len(fuller) == 1 else name

    canon: list[str] = []
    resolved: dict[str, str | None] = {}
    for name in named:
        found = base(name)
        if found is not None:
            same = (c for c in canon if normalise(c) == normalise(found) or same_referent(c, found))
            found = next(same, found)
            if found not in canon:
                canon.append(found)
        resolved[name] = found
    return [resolved[s] if s else None for s in sources]
