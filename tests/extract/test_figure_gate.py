"""Figure comparison gate: on a gold of its own (tests/data/figures), tocsin groups only
figures of one quantity and shows as conflicting only figures that do conflict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "figure_floors.json").read_text("utf-8"))

bench = load_bench("eval_figures")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    results: dict[str, Any] = bench.score(bench.read(bench.load_gold(), "sm"))
    return results


@pytest.mark.parametrize("part", ["grouping", "conflicts"])
def test_figures_keep_their_floors(measured: dict[str, Any], part: str) -> None:
    for metric, floor in FLOORS[part].items():
        assert measured[part][metric] >= floor, f"{part} {metric} {measured[part][metric]}"


def test_the_cases_the_issue_names_are_not_conflicts(measured: dict[str, Any]) -> None:
    shown = {(c["a"], c["b"]) for c in measured["conflicts"]["pairs"]}
    people = {"some 300,000", "35,000", "Around 25 million", "Seventy thousand", "Some 9,000"}
    assert not any(a in people and b in people and a != b for a, b in shown)
    assert ("1.5 times", "1,200 times") not in shown
    assert ("1,084-kilometre", "674-mile") not in shown
    keys = measured["keys"]
    assert keys["0: 1.5 times"] != keys["4: 1,200 times"]
    assert keys["1: 674-mile"] == keys["0: 1,084-kilometre"]  # grouped, and they agree


def test_the_gold_is_well_formed() -> None:
    articles = bench.load_gold()
    figures = [f for a in articles for f in a["figures"]]
    assert len(figures) >= 30
    for article in articles:
        for f in article["figures"]:
            start, end = f["span"]
            assert article["text"][start:end] == f["text"]
            assert f["quantity"]
            assert f["class"]
