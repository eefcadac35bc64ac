"""The scorer of bench/link_models.py (#11): its average precision, pooling and shelf rules.
The models themselves are measured by running the script, not here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import load_bench

bench = load_bench("link_models")


def test_average_precision_agrees_with_scikit_learn() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(3)
    labels = (rng.random(400) < 0.1).astype(np.int64)
    scores = rng.random(400) + labels * 0.3  # distinct scores: no ties
    ours = bench.average_precision(scores, labels, int(labels.sum()))
    assert ours == pytest.approx(average_precision_score(labels, scores))


def test_gold_that_no_candidate_covers_counts_as_never_found() -> None:
    scores = np.array([0.9, 0.8, 0.1])
    labels = np.array([1, 0, 1])
    assert bench.average_precision(scores, labels, 2) == pytest.approx((1 + 2 / 3) / 2)
    assert bench.average_precision(scores, labels, 4) == pytest.approx((1 + 2 / 3) / 4)


def test_thresholds_fitted_and_fixed() -> None:
    scores = np.array([[0.9, 0.2], [0.6, 0.7], [0.1, 0.3]])
    gold = np.array([[1, 0], [0, 1], [0, 0]], dtype=np.int8)
    m = bench.metrics(scores, gold, 0, fixed=0.5)
    assert m["best"]["f1"] == pytest.approx(1.0)
    assert m["best"]["threshold"] == pytest.approx(0.7)
    assert (m["fixed"]["precision"], m["fixed"]["recall"]) == (pytest.approx(2 / 3), 1.0)
    assert m["pairs"] == 6


def test_pooled_data_sets_keep_their_own_indicators() -> None:
    scores = np.array([[0.9, 0.2], [0.6, 0.7], [0.1, 0.3]])
    gold = np.array([[1, 0], [0, 1], [0, 0]], dtype=np.int8)
    pooled, pooled_gold = bench._pooled([(scores, gold), (scores[:, :1], gold[:, :1])])
    assert pooled.shape == (6, 3)
    assert np.isinf(pooled[0, 2])
    assert np.isinf(pooled[3, 0])
    m = bench.metrics(pooled, pooled_gold, 0, fixed=0.5)
    assert m["pairs"] == 6 + 3
    assert m["gold"] == 3


def test_held_out_questions_are_not_read(tmp_path: Path) -> None:
    for name in ("open-one", "kept-apart"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "case.yaml").write_text("id: x\n")
        (tmp_path / name / "links.json").write_text("{}")
    (tmp_path / "shelf.json").write_text(json.dumps({"held_out": ["kept-apart"]}))
    assert [p.name for p in bench.shelf_questions(tmp_path)] == ["open-one"]
    with pytest.raises(SystemExit, match="held out"):
        bench._shelf_question(tmp_path / "kept-apart")
