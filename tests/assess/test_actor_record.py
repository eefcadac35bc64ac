"""The record of the actor model beside the evidence forecast that ships with tocsin:
written by bench/backtest.py from the backtest questions tocsin is tuned on."""

from __future__ import annotations

import json
from pathlib import Path

from tocsin.assess.actor_record import ShelfRecord, calibration_note, shipped_record

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


def test_the_shipped_record_carries_the_shelf_calibration() -> None:
    record = shipped_record()
    assert record is not None
    assert record.ece is not None
    assert 0.0 <= record.ece < 1.0
    assert record.reliability
    assert sum(n for *_, n in record.reliability) > 100  # every as-of forecast, pooled
    for low, mean, true, n in record.reliability:
        assert low <= mean <= low + 0.1 + 1e-9
        assert 0.0 <= true <= 1.0
        assert n > 0
    again = ShelfRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert again == record


def test_the_calibration_note_cites_the_bin_of_the_leaders_probability() -> None:
    record = ShelfRecord(
        questions=("a", "b"),
        actor_brier=0.7,
        evidence_brier=0.3,
        actor_log=2.0,
        evidence_log=0.5,
        actor_better=0,
        evidence_better=2,
        measured="2026-12-06",
        ece=0.11,
        reliability=((0.8, 0.85, 0.9, 40), (0.9, 0.96, 1.0, 59)),
    )
    note = calibration_note(0.963, record)
    assert "calibration error is 0.110" in note
    assert "of its 59 forecasts between 90% and 100% (mean 96%), 100% came true" in note
    assert "of its 40 forecasts between 80% and 90%" in calibration_note(0.8, record)
    assert calibration_note(0.5, record).endswith("0.110.")  # no forecast in that bin
    assert calibration_note(0.9, None) == ""
    older = ShelfRecord(("a",), 0.7, 0.3, 2.0, 0.5, 0, 1, "2026-12-01")  # no calibration
    assert calibration_note(0.9, older) == ""
