"""Quality gate on the backtest shelf: three questions tuned on keep their forecast and link
figures (tests/data/backtest_floors.json), measured as `./dev backtest` measures them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tocsin.assess.backtest import load_shelf, run_question

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "backtest_floors.json").read_text("utf-8"))
QUESTIONS = sorted(k for k in FLOORS if not k.startswith("_"))


@pytest.mark.slow
@pytest.mark.parametrize("qid", QUESTIONS)
def test_a_question_keeps_its_figures(qid: str, tmp_path: Path, embedder: object) -> None:
    name, _, linker = qid.partition("@")  # "question@model": with the model linker
    (question,) = load_shelf(ROOT / "backtest", only=[name])
    assert not question.held_out  # a gate never reads a held-out question
    found = run_question(
        question,
        tmp_path,
        embedder,  # type: ignore[arg-type]
        linker=linker or None,
    ).summary()
    floors = FLOORS[qid]
    assert found["mean_brier"] <= floors["mean_brier_ceiling"], found["mean_brier"]
    assert found["link_precision"] >= floors["link_precision"], found["link_precision"]
    assert found["link_recall"] >= floors["link_recall"], found["link_recall"]
    assert found["leak_published_later"] == 0.0
