"""Evidence-linking gate: tocsin keeps its floors on the gold links of the seed articles and
beats the TF-IDF and keyword peers measured in the same run (bench/eval_linking.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "linking_floors.json").read_text("utf-8"))


bench = load_bench("eval_linking")


@pytest.fixture(scope="module")
def measured(demo_master: Path, embedder: Any) -> dict[str, Any]:
    results: dict[str, Any] = bench.evaluate(demo_master, embedder)
    return results


def test_tocsin_keeps_its_floors(measured: dict[str, Any]) -> None:
    ours = measured["systems"][bench.TOCSIN]
    for metric in ("f1", "polarity_accuracy"):
        assert ours[metric] >= FLOORS[metric], f"{metric} {ours[metric]:.3f} < {FLOORS[metric]}"


@pytest.mark.parametrize("peer", bench.PEERS)
def test_tocsin_beats_the_peer(measured: dict[str, Any], peer: str) -> None:
    ours, theirs = measured["systems"][bench.TOCSIN], measured["systems"][peer]
    assert ours["f1"] > theirs["f1"], f"{peer} F1 {theirs['f1']:.3f} >= tocsin {ours['f1']:.3f}"


def test_every_system_saw_the_whole_gold(measured: dict[str, Any]) -> None:
    gold = measured["gold"]["pairs"]
    assert gold == sum(len(v) for v in json.loads(bench.GOLD_LINKS.read_text("utf-8")).values())
    assert all(r["gold"] == gold for r in measured["systems"].values())
    assert measured["articles"] == 5


def test_scores_pairs_polarity_and_triples() -> None:
    gold = {("a", "s1", "x"): "seen", ("a", "s2", "x"): "negated", ("a", "s3", "y"): "seen"}
    predicted = {("a", "s1", "x"): "seen", ("a", "s2", "x"): "seen", ("a", "s4", "y"): "seen"}
    result = bench.score(gold, predicted)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["polarity_accuracy"] == pytest.approx(0.5)
    assert result["triple_f1"] == pytest.approx(1 / 3)


def test_keyword_peer_cuts_content_words_to_five_letters() -> None:
    assert bench.content_stems("Belarus checks the mobilisation of its reservists") == {
        "belar",
        "check",
        "mobil",
        "reser",
    }
