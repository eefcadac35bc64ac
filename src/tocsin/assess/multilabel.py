"""What the link model reads of a case's candidates besides their embeddings: the TF-IDF
cosine of their words to each indicator's texts (scikit-learn's vectoriser), the best
cosine of their neighbours in the article, and where they are nearer to a counter-example
than to any example. ``link._model_links`` puts these together (link_model.py)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tocsin.assess.case import Case
from tocsin.assess.link_model import NO_LESSONS, Lessons, indicator_texts_of

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder


def fit_wording(case: Case, texts: Iterable[str], lessons: Lessons = NO_LESSONS) -> Any:
    """A TF-IDF vectoriser (scikit-learn's) fitted on ``texts`` and the indicators' texts:
    what ``tfidf_matrix`` weighs words by. None when the texts hold nothing but stop words."""
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped, unused-ignore]
        TfidfVectorizer,
    )

    documents = [" ".join(indicator_texts_of(i, lessons)) for i in case.indicators]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    try:
        return vectorizer.fit([*texts, *documents])
    except ValueError:  # an empty vocabulary
        return None


def tfidf_matrix(
    case: Case, texts: Sequence[str], lessons: Lessons = NO_LESSONS, wording: Any = None
) -> np.ndarray:
    """TF-IDF cosine of each candidate's words to each indicator's description and examples,
    weighed by ``wording`` (``fit_wording``), else by a vectoriser fitted on the candidates."""
    empty = np.zeros((len(texts), len(case.indicators)), dtype=np.float32)
    if not texts or not case.indicators:
        return empty
    if wording is None:
        wording = fit_wording(case, list(texts), lessons)
        if wording is None:
            return empty
    documents = [" ".join(indicator_texts_of(i, lessons)) for i in case.indicators]
    # Rows come L2-normalised, so the product is the cosine.
    product = wording.transform(texts) @ wording.transform(documents).T
    return np.asarray(product.toarray(), dtype=np.float32)


def context_cosines(articles: Sequence[int], sims: np.ndarray) -> np.ndarray:
    """Each candidate's best neighbour's cosine to each indicator: the sentence before or
    after it, when in the same article (``articles``: each candidate's article id); 0
    without a neighbour."""
    out = np.zeros_like(sims)
    for i, article in enumerate(articles):
        for k in (i - 1, i + 1):
            if 0 <= k < len(articles) and articles[k] == article:
                out[i] = np.maximum(out[i], sims[k])
    return out


def near_counter(
    case: Case,
    vectors: np.ndarray,
    sims: np.ndarray,
    lessons: Lessons,
    embedder: Embedder | None,
) -> np.ndarray:
    """Where a candidate is nearer to one of the indicator's counter-examples (the case
    file's, and the sentences the analyst rejected for it) than to any of its examples."""
    out = np.zeros(sims.shape, dtype=bool)
    if embedder is None:
        return out
    for j, indicator in enumerate(case.indicators):
        counter = (*indicator.counter_examples, *lessons.counter.get(indicator.id, ()))
        if counter:
            nearest_counter = (vectors @ encoded(embedder, counter).T).max(axis=1)
            out[:, j] = nearest_counter > sims[:, j]
    return out


def encoded(embedder: Embedder, texts: tuple[str, ...]) -> np.ndarray:
    """The texts' vectors, remembered per embedder (indicator texts recur in every chunk)."""
    try:
        cache = _ENCODED.setdefault(embedder, {})
    except TypeError:  # an embedder that takes no weak reference: nothing is remembered
        return embedder.encode(list(texts))
    if texts not in cache:
        cache[texts] = embedder.encode(list(texts))
    return cache[texts]


_ENCODED: weakref.WeakKeyDictionary[Any, dict[tuple[str, ...], np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
