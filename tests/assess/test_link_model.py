"""The link model: features of every (sentence, indicator) pair and the probability."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.assess.link_model import FEATURES, LinkModel, pair_features


def test_every_pair_gets_its_features() -> None:
    sims = np.array([[0.8, 0.4, 0.3], [0.2, 0.5, 0.5]], dtype=np.float32)
    hits = np.array([[False, True, False], [False, False, False]])
    tfidf = np.array([[0.6, 0.0, 0.3], [0.0, 0.0, 0.0]], dtype=np.float32)
    x = pair_features(sims, hits, tfidf)
    assert x.shape == (2, 3, len(FEATURES))
    assert x[0, 0, 0] == pytest.approx(0.8)
    assert x[0, 0, 1] == pytest.approx(0.8 - 0.5)  # margin over the sentence's mean
    assert list(x[0, :, 2]) == [1.0, 0.0, 0.0]  # the nearest indicator
    assert list(x[1, :, 2]) == [0.0, 1.0, 1.0]  # ties are both nearest
    assert list(x[0, :, 3]) == [0.0, 1.0, 0.0]
    assert x[0, 0, 4] == pytest.approx(0.6)
    assert x[0, 0, 5] == pytest.approx(0.3)  # 0.6 over the mean 0.3


def test_the_probability_rises_with_each_feature_and_round_trips() -> None:
    model = LinkModel((2.0, 5.0, 1.0, 3.0, 2.0, 2.0), -4.0, 0.5, "test")
    low = model.probability(np.array([0.3, 0.0, 0.0, 0.0, 0.0, 0.0], dtype=np.float32))
    high = model.probability(np.array([0.8, 0.3, 1.0, 1.0, 0.5, 0.3], dtype=np.float32))
    assert 0.0 < float(low) < 0.1 < 0.9 < float(high) < 1.0
    assert LinkModel.from_dict(model.as_dict()) == model
    broken = {**model.as_dict(), "features": ["similarity"]}
    with pytest.raises(ValueError, match="features"):
        LinkModel.from_dict(broken)
