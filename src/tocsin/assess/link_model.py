"""The probability that a (sentence, indicator) link is right, learned from gold links.

Every candidate sentence is scored against every indicator of the case (multi-label): from
its embedding's cosine to the indicator's nearest description or example, how far that
cosine stands above the sentence's mean over all indicators, whether the indicator is the
sentence's nearest, whether one of the indicator's patterns matches, and the TF-IDF cosine
of its words to the indicator's description and examples, with its margin. A logistic model
turns these into the probability that an analyst would make the link; the linker links when
it reaches ``threshold`` and the link weighs that probability in the update.

The weights are fitted by ``bench/fit_links.py`` on the gold links of the backtest
questions tuned on (never the held-out ones, never the bundled case) and shipped in
``data/link_model.json`` with how they were fitted. Fitting needs scikit-learn (a
development dependency); applying them needs numpy only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

FEATURES = ("similarity", "margin", "nearest", "pattern", "tfidf", "tfidf margin")
MODEL_FILE = "link_model.json"


def pair_features(sims: np.ndarray, patterns: np.ndarray, tfidf: np.ndarray) -> np.ndarray:
    """Features of every (sentence, indicator) pair, shape (sentences, indicators, F):
    ``sims`` the embedding cosines to each indicator's nearest text, ``patterns`` whether a
    pattern of the indicator matches the sentence, ``tfidf`` the TF-IDF cosine of the
    sentence to the indicator's description and examples (all (sentences, indicators))."""
    n, k = sims.shape
    nearest = sims == sims.max(axis=1, keepdims=True) if k else np.zeros((n, 0), dtype=bool)
    return np.stack(
        [
            sims,
            sims - _mean(sims),
            nearest.astype(np.float32),
            patterns.astype(np.float32),
            tfidf,
            tfidf - _mean(tfidf),
        ],
        axis=-1,
    ).astype(np.float32)


def _mean(values: np.ndarray) -> np.ndarray:
    n, k = values.shape
    return values.mean(axis=1, keepdims=True) if k else np.zeros((n, 1))


@dataclass(frozen=True)
class LinkModel:
    weights: tuple[float, ...]  # one per FEATURES
    bias: float
    threshold: float  # link when the probability reaches it
    fitted: str  # how and on what it was fitted

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(link right) for features of shape (..., F)."""
        z = features @ np.asarray(self.weights, dtype=np.float32) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)

    def as_dict(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "fitted": self.fitted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinkModel:
        if list(data.get("features", [])) != list(FEATURES):  # type: ignore[call-overload]
            raise ValueError(f"link model features {data.get('features')} are not {FEATURES}")
        weights = tuple(float(w) for w in data["weights"])  # type: ignore[attr-defined]
        return cls(weights, float(data["bias"]), float(data["threshold"]), str(data["fitted"]))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def shipped() -> LinkModel | None:
    """The model shipped with tocsin, or None before one has been fitted."""
    path = resources.files("tocsin.assess.data").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return LinkModel.from_dict(json.loads(path.read_text("utf-8")))
