"""Extraction quality gate: tocsin keeps its floors and never falls below plain trafilatura."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench, shared_corpus

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ROOT / "tests" / "data" / "quality_floors.json"


bench = load_bench("eval_extraction")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    """tocsin and plain trafilatura measured in this run on the same 91 pages."""
    corpus = shared_corpus("article-extraction", "ground-truth.json")
    extractors = {
        "tocsin": bench.tocsin_extract,
        "trafilatura (plain)": bench.trafilatura_plain,
    }
    results: dict[str, Any] = bench.evaluate(extractors, bench.load_pages(corpus))
    return results


def test_score_counts_shingles_with_multiplicity() -> None:
    truth = "a b c d e"  # shingles: abcd, bcde
    pred = "a b c d a b c d"  # shingles: abcd x2, bcda, cdab, dabc
    assert bench.shingle_counts(pred, truth) == (1, 4, 1)
    assert bench.score(pred, truth) == pytest.approx((1 / 6, 4 / 6, 1 / 6))
    assert bench.precision_recall(*bench.score(pred, truth)) == pytest.approx((0.2, 0.5))


def test_score_of_exact_short_and_empty_predictions() -> None:
    assert bench.score("One, two; three four five!", "One two three four five") == (1, 0, 0)
    assert bench.shingle_counts("one two three four", "One two three four") == (0, 1, 1)
    assert bench.shingle_counts("a b", "a b") == (1, 0, 0)  # under 4 tokens: one shingle
    assert bench.score("", "a b c d e") == (0, 0, 1)
    assert bench.precision_recall(*bench.score("", "a b c d e")) == (0, 0)
    assert bench.precision_recall(*bench.score("— …", "a b c d e")) == (0, 0)


def test_paragraph_breaks_do_not_change_the_score() -> None:
    truth = "The army moved north. Officials denied it, again and again."
    joined = "The army moved north.\n\nOfficials denied it,\n\nagain and again."
    assert bench.score(joined, truth) == bench.score(" ".join(joined.split()), truth)
    assert bench.score(joined, truth) == (1, 0, 0)


@pytest.mark.slow
def test_tocsin_keeps_its_quality_floors(measured: dict[str, Any]) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["html_extraction"]["floors"]
    tocsin = measured["extractors"]["tocsin"]
    below = {k: (round(tocsin[k], 4), v) for k, v in floors.items() if tocsin[k] < v}
    assert not below, f"tocsin below its floors (measured, floor): {below}"


@pytest.mark.slow
def test_tocsin_not_below_plain_trafilatura(measured: dict[str, Any]) -> None:
    tocsin = measured["extractors"]["tocsin"]["f1"]
    plain = measured["extractors"]["trafilatura (plain)"]["f1"]
    assert tocsin >= plain, f"tocsin F1 {tocsin:.4f} < plain trafilatura F1 {plain:.4f}"
