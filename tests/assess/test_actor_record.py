"""The record of the actor model beside the evidence forecast that ships with tocsin:
written by bench/backtest.py from the backtest questions tocsin is tuned on."""

from __future__ import annotations

import json
from pathlib import Path

from tocsin.assess.actor_record import shipped_record

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_record_reads_and_comes_from_tuned_questions() -> None:
    record = shipped_record()
    assert record is not None
    assert record.questions
    assert record.actor_better + record.evidence_better <= len(record.questions)
    held_out = {"ro-bg-schengen-2022", "israel-hamas-truce-2023"}
    assert not held_out & set(record.questions)
    # The same figures as the bench's results, of the questions tuned on only.
    results = json.loads((ROOT / "bench" / "results" / "backtest.json").read_text("utf-8"))
    tuned = [q for q in results["questions"] if not q["held_out"]]
    assert set(record.questions) == {q["question"] for q in tuned}
    mean = sum(q["actor_brier"] for q in tuned) / len(tuned)
    assert abs(record.actor_brier - mean) < 1e-3
    assert abs(record.evidence_brier - sum(q["mean_brier"] for q in tuned) / len(tuned)) < 1e-3
