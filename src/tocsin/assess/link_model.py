"""The probability that a (sentence, indicator) link is right, learned from gold links.

Every candidate sentence is scored against every indicator of the case (multi-label). The
features of a pair (``FEATURES``):

- *similarity*: the embedding cosine of the sentence to the indicator's nearest description,
  example or learned example (a sentence the analyst linked to it);
- *margin*: that cosine over the sentence's mean cosine to all the indicators;
- *nearest*: whether the indicator is the sentence's nearest;
- *second margin*: the cosine over the sentence's second-best indicator's (negative when
  another indicator is nearer);
- *tfidf* and *tfidf margin*: the same two for the TF-IDF cosine of the sentence's words to
  the indicator's description and examples;
- *context*: the best cosine of the sentence's neighbours in its article to the indicator (a
  sentence that says "the city" is clearer beside one that names it);
- *description*: the cosine to the description alone;
- *pattern*: whether one of the indicator's regular expressions matches (the model for
  indicators with patterns only).

A logistic model turns these into the probability that an analyst would make the link. The
linker links when it reaches the model's ``threshold``, and the link weighs that probability
in the update (``bayes.trust``: a link right with probability p is a mixture of a faithful
report and an uninformative one).

Two models ship in ``data/link_model.json``: one for indicators with patterns, one for those
without. They are fitted by ``bench/fit_links.py`` on the gold links of the backtest questions
tuned on (never the held-out ones, never the bundled case) and carry how they were fitted.
Fitting needs scikit-learn; applying them needs numpy only.

What the analyst teaches: a sentence accepted for (or relinked to) an indicator joins its
examples; a sentence rejected, or relinked away, joins its counter-examples, as do the
case file's ``counter_examples``. A sentence nearer to a counter-example of an indicator than
to any of its examples has its probability multiplied by ``counter_factor`` (fitted by
simulation on the same questions, bench/fit_links.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from tocsin.assess.case import Case, Indicator

FEATURES = (
    "similarity",
    "margin",
    "nearest",
    "second margin",
    "tfidf",
    "tfidf margin",
    "context",
    "description",
    "pattern",
)
WITHOUT_PATTERN = FEATURES[:-1]
MODEL_FILE = "link_model.json"


@dataclass(frozen=True)
class PairScores:
    """What the linker measures of every (sentence, indicator) pair, each (sentences,
    indicators): ``sims`` the cosine to the indicator's nearest text, ``tfidf`` the TF-IDF
    cosine, ``context`` the best neighbour's cosine, ``description`` the cosine to the
    description alone, ``patterns`` whether a pattern matches."""

    sims: np.ndarray
    tfidf: np.ndarray
    context: np.ndarray
    description: np.ndarray
    patterns: np.ndarray


def pair_features(scores: PairScores) -> np.ndarray:
    """Features of every pair, shape (sentences, indicators, len(FEATURES))."""
    sims, tfidf = scores.sims, scores.tfidf
    n, k = sims.shape
    if k:
        top = sims.max(axis=1, keepdims=True)
        nearest = sims == top
        second = np.sort(sims, axis=1)[:, -2:-1] if k > 1 else sims
        # Over the best of the *other* indicators: the top one's lead, the others' deficit
        # (0 for a case with one indicator: there is no other to stand out from).
        other_best = np.where(nearest, second, top)
    else:
        nearest = np.zeros((n, 0), dtype=bool)
        other_best = np.zeros((n, 0))
    return np.stack(
        [
            sims,
            sims - _mean(sims),
            nearest.astype(np.float32),
            sims - other_best,
            tfidf,
            tfidf - _mean(tfidf),
            scores.context,
            scores.description,
            scores.patterns.astype(np.float32),
        ],
        axis=-1,
    ).astype(np.float32)


def _mean(values: np.ndarray) -> np.ndarray:
    n, k = values.shape
    return values.mean(axis=1, keepdims=True) if k else np.zeros((n, 1))


@dataclass(frozen=True)
class LinkModel:
    features: tuple[str, ...]  # FEATURES or WITHOUT_PATTERN
    weights: tuple[float, ...]  # one per feature
    bias: float
    threshold: float  # link when the probability reaches it

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(link right) for features of shape (..., len(FEATURES)); a model without the
        pattern feature ignores the last column."""
        used = features[..., : len(self.features)]
        z = used @ np.asarray(self.weights, dtype=np.float32) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)

    def as_dict(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinkModel:
        features: tuple[str, ...] = tuple(data.get("features", ()))  # type: ignore[arg-type]
        if features not in (FEATURES, WITHOUT_PATTERN):
            raise ValueError(f"link model features {list(features)} are not {list(FEATURES)}")
        weights = tuple(float(w) for w in data["weights"])  # type: ignore[attr-defined]
        if len(weights) != len(features):
            raise ValueError(f"link model: {len(weights)} weights for {len(features)} features")
        return cls(features, weights, float(data["bias"]), float(data["threshold"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinkModels:
    """The two shipped models, the counter-example factor, and how they were fitted."""

    patterns: LinkModel  # for indicators with patterns
    plain: LinkModel  # for indicators without
    counter_factor: float
    fitted: str

    def probabilities(self, features: np.ndarray, has_patterns: np.ndarray) -> np.ndarray:
        """P(link right) of every pair, (sentences, indicators), each indicator by the model
        its patterns call for (``has_patterns``, one flag per indicator)."""
        with_p = self.patterns.probability(features)
        without = self.plain.probability(features)
        return np.where(has_patterns[None, :], with_p, without).astype(np.float32)

    def thresholds(self, has_patterns: np.ndarray) -> np.ndarray:
        return np.where(has_patterns, self.patterns.threshold, self.plain.threshold)

    def as_dict(self) -> dict[str, object]:
        return {
            "with patterns": self.patterns.as_dict(),
            "without patterns": self.plain.as_dict(),
            "counter_factor": self.counter_factor,
            "fitted": self.fitted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinkModels:
        return cls(
            LinkModel.from_dict(data["with patterns"]),  # type: ignore[arg-type]
            LinkModel.from_dict(data["without patterns"]),  # type: ignore[arg-type]
            float(data["counter_factor"]),  # type: ignore[arg-type]
            str(data["fitted"]),
        )


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of the shipped models' file ("none" without one): links made by other
    models are stale."""
    path = resources.files("tocsin.assess.data").joinpath(MODEL_FILE)
    if not path.is_file():
        return "none"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1)
def shipped() -> LinkModels | None:
    """The models shipped with tocsin, or None before they have been fitted."""
    path = resources.files("tocsin.assess.data").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return LinkModels.from_dict(json.loads(path.read_text("utf-8")))


@dataclass(frozen=True)
class Lessons:
    """What the linker learned for one case besides its file: per indicator, sentences to
    take as examples (accepted or relinked to it by the analyst, or entered by hand as
    evidence of it) and as counter-examples (rejected for it, or relinked away from it);
    ``decisions`` counts what it learned from."""

    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    counter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    decisions: int = 0

    @classmethod
    def of(cls, case: Case, decided: Iterable[tuple[str, str, str | None, str]] = ()) -> Lessons:
        """From the case's evidence entered by hand and the analyst's decisions, each
        (decision, indicator, new indicator, sentence) as ``store.assessment.decided_texts``
        gives them."""
        examples: dict[str, list[str]] = {}
        counter: dict[str, list[str]] = {}
        count = 0
        for item in case.evidence:
            if item.indicator:
                examples.setdefault(item.indicator, []).append(item.text)
                count += 1
        for decision, indicator, new_indicator, text in decided:
            count += 1
            if decision == "accept":
                examples.setdefault(indicator, []).append(text)
            elif decision == "reject":
                counter.setdefault(indicator, []).append(text)
            elif decision == "relink" and new_indicator:
                counter.setdefault(indicator, []).append(text)
                examples.setdefault(new_indicator, []).append(text)
        return cls(
            {k: tuple(dict.fromkeys(v)) for k, v in examples.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in counter.items()},
            count,
        )


NO_LESSONS = Lessons()


def linking_note(case: Case, lessons: Lessons, embedded: bool = True) -> str:
    """How the case's evidence is linked (``embedded``: the stored links were made with
    embeddings, without which the model cannot run and the rules link), and what the linker
    learned from, in a sentence for the reports."""
    if case.linker == "model" and embedded:
        how = (
            "Evidence is linked by the link model: every sentence against every indicator, "
            "each link weighing its probability of being right (learned from the backtest "
            "shelf's gold)"
        )
    else:
        how = (
            "Evidence is linked by the case's patterns and by embeddings near its examples; "
            "a link weighs its score"
        )
    taught = lessons.decisions
    learned = f"the linker learned from {taught} analyst decision" + ("" if taught == 1 else "s")
    learned += " and sentences entered by hand for an indicator"
    counter = sum(len(i.counter_examples) for i in case.indicators)
    if counter:
        learned += f", and {counter} counter-example" + ("" if counter == 1 else "s")
    return f"{how}; {learned}. Links can be missed or wrong: each is listed with its reason."


def indicator_texts_of(indicator: Indicator, lessons: Lessons = NO_LESSONS) -> list[str]:
    """The indicator's description, examples and learned examples: what embeddings match."""
    learned = [t for t in lessons.examples.get(indicator.id, ()) if t not in indicator.examples]
    return [indicator.description, *indicator.examples, *learned]
