"""Russian quality gate: the Russian pipeline keeps its floors on the Russian gold
(tests/data/russian/, tune and check parts alike), and the Latin spellings of an English
paragraph land in the entities of their Cyrillic spellings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "russian_floors.json").read_text("utf-8"))
GOLD = ROOT / "tests" / "data" / "russian"

bench = load_bench("eval_russian")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    results: dict[str, Any] = bench.run(GOLD)
    return results


def _cases() -> list[tuple[str, str, str, float]]:
    return [
        (split, task, metric, floor)
        for split, tasks in FLOORS.items()
        if not split.startswith("_")
        for task, metrics in tasks.items()
        for metric, floor in metrics.items()
    ]


@pytest.mark.parametrize(("split", "task", "metric", "floor"), _cases())
def test_russian_figures_keep_their_floors(
    measured: dict[str, Any], split: str, task: str, metric: str, floor: float
) -> None:
    results = measured["results"][split]
    value = results["tasks"][task][metric] if task in results["tasks"] else results[task][metric]
    assert value >= floor, f"{split} {task} {metric} {value:.3f} < floor {floor}"


def test_every_gold_article_is_read_as_russian(measured: dict[str, Any]) -> None:
    assert measured["extract"]["not_extracted"] == {}
    assert measured["results"]["all"]["articles"] == len(list(GOLD.glob("[0-9][0-9].json")))


def test_latin_and_cyrillic_spellings_share_their_entities(measured: dict[str, Any]) -> None:
    joins = measured["cross_script"]
    bad = {name: j for name, j in joins.items() if not j["joined"]}
    assert not bad, bad


def test_gold_mentions_are_word_bounded_and_longest_first() -> None:
    gold = bench.GoldArticle(
        1, "tune", bench.date(2022, 1, 1), "Александр Лукашенко и Лукашенков", [],
        [{"canonical": "Alexander Lukashenko", "label": "PERSON",
          "spellings": ["Лукашенко", "Александр Лукашенко"]}],
        [], [],
    )  # fmt: skip
    found = bench.gold_mentions(gold)
    assert [(i.start, i.end) for i in found] == [(0, 19)]
