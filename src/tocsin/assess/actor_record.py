"""The actor model against the evidence forecast: their record on the backtest shelf, and
the note an assessment makes when the two disagree.

``bench/backtest.py`` writes the record (``tocsin/data/actor_record.json``) from the
questions of the shelf that tocsin is tuned on, never the held-out ones: for each
forecaster its mean Brier and log score over those questions, and on how many questions
each had the lower Brier. The actor model makes one forecast per question (it reads the
case file alone, so it is the forecast as of the question's opening); the evidence
forecast is scored by its mean over the question's as-of dates (docs/backtest.md).

An assessment notes a disagreement when, on some hypothesis, the two differ by more than
``GAP`` (30 points); the note names the hypothesis with the widest gap and the forecaster
with the better record (the lower mean Brier).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

GAP = 0.30  # the widest gap on any hypothesis beyond which the two are said to disagree
RECORD_FILE = "actor_record.json"  # in the package tocsin.data
ACTORS, EVIDENCE = "actor model", "evidence forecast"


@dataclass(frozen=True)
class ShelfRecord:
    """Both forecasters scored on the same questions of the backtest shelf."""

    questions: tuple[str, ...]  # the question ids scored
    actor_brier: float  # mean over the questions of the actor model's Brier
    evidence_brier: float  # mean over the questions of the evidence forecast's mean Brier
    actor_log: float
    evidence_log: float
    actor_better: int  # questions on which the actor model's Brier is the lower
    evidence_better: int  # questions on which the evidence forecast's Brier is the lower
    measured: str  # the date of the run, ISO
    # The evidence forecasts' calibration over the same questions, every hypothesis on every
    # as-of date a binary event: the expected calibration error and the reliability table,
    # (bin's low edge, mean forecast, share that came true, forecasts) per bin.
    ece: float | None = None
    reliability: tuple[tuple[float, float, float, int], ...] = ()

    @property
    def better(self) -> str | None:
        """The forecaster with the lower mean Brier (None on a tie)."""
        if math.isclose(self.actor_brier, self.evidence_brier, abs_tol=1e-9):
            return None
        return ACTORS if self.actor_brier < self.evidence_brier else EVIDENCE

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": list(self.questions),
            "actor_mean_brier": self.actor_brier,
            "evidence_mean_brier": self.evidence_brier,
            "actor_mean_log": self.actor_log,
            "evidence_mean_log": self.evidence_log,
            "actor_better": self.actor_better,
            "evidence_better": self.evidence_better,
            "measured": self.measured,
            "evidence_ece": self.ece,
            "evidence_reliability": [list(row) for row in self.reliability],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShelfRecord:
        return cls(
            tuple(str(q) for q in data["questions"]),
            float(data["actor_mean_brier"]),
            float(data["evidence_mean_brier"]),
            float(data["actor_mean_log"]),
            float(data["evidence_mean_log"]),
            int(data["actor_better"]),
            int(data["evidence_better"]),
            str(data["measured"]),
            None if data.get("evidence_ece") is None else float(data["evidence_ece"]),
            tuple(
                (float(low), float(p), float(true), int(n))
                for low, p, true, n in data.get("evidence_reliability", [])
            ),
        )


def read_record(path: Path) -> ShelfRecord | None:
    """The record at ``path``; None when there is none or it cannot be read."""
    try:
        return ShelfRecord.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@cache
def shipped_record() -> ShelfRecord | None:
    """The record shipped with tocsin (None when this copy ships none)."""
    return read_record(Path(str(resources.files("tocsin.data").joinpath(RECORD_FILE))))


@dataclass(frozen=True)
class ModelGap:
    """The actor model and the evidence forecast more than ``GAP`` apart on a hypothesis."""

    hypothesis: str  # the hypothesis with the widest gap
    evidence: float  # the evidence forecast's probability of it
    actors: float  # the actor model's
    record: ShelfRecord | None

    @property
    def points(self) -> float:
        """The gap in percentage points."""
        return abs(self.actors - self.evidence) * 100


def model_gap(
    evidence: Mapping[str, float],
    actors: Mapping[str, float],
    record: ShelfRecord | None,
    threshold: float = GAP,
) -> ModelGap | None:
    """The widest gap between the two forecasts over the hypotheses, when it is wider than
    ``threshold``; None when they agree that closely or there is no actor model. Of equal
    gaps, the one on the hypothesis the evidence makes likelier is named."""
    if not actors or not evidence:
        return None
    # The widest gap; between equal gaps (two hypotheses always tie), the evidence's leader.
    widest = max(evidence, key=lambda h: (round(abs(actors.get(h, 0.0) - evidence[h]), 9),
                                          evidence[h]))  # fmt: skip
    gap = abs(actors.get(widest, 0.0) - evidence[widest])
    if gap <= threshold + 1e-9:  # 0.8 - 0.5 is 0.30000000000000004: not more than 30 points
        return None
    return ModelGap(widest, evidence[widest], actors.get(widest, 0.0), record)


def note(gap: ModelGap) -> str:
    """The disagreement as one paragraph of plain text: the gap, and whose record on the
    backtest shelf is the better."""
    head = (
        f"The actor model and the evidence disagree: the actor model gives {gap.hypothesis} "
        f"{gap.actors:.0%}, the evidence {gap.evidence:.0%} ({gap.points:.0f} points apart)."
    )
    record = gap.record
    if record is None:
        return head + " No record of the two on the backtest shelf ships with this copy."
    scored = (
        f"on the {len(record.questions)} backtest questions tocsin is tuned on (measured "
        f"{record.measured}), mean Brier {record.evidence_brier:.3f} for the evidence "
        f"forecast (over each question's as-of dates) against {record.actor_brier:.3f} for "
        f"the actor model (one forecast per question, as of its opening); lower is better; "
        f"the evidence did better on {record.evidence_better} of them, the actor model on "
        f"{record.actor_better}."
    )
    better = record.better
    if better is None:
        return f"{head} Neither has the better record: {scored}"
    return f"{head} The {better} has the better record: {scored}"


def calibration_note(probability: float, record: ShelfRecord | None) -> str:
    """How often forecasts like ``probability`` came true on the backtest shelf: the
    reliability bin it falls in, and the calibration error over every bin ("" without a
    record that has them)."""
    if record is None or record.ece is None or not record.reliability:
        return ""
    found = [row for row in record.reliability if row[0] <= probability < row[0] + 0.1 + 1e-9]
    head = (
        f"On the {len(record.questions)} backtest questions tocsin is tuned on (measured "
        f"{record.measured}), its forecasts' calibration error is {record.ece:.3f}"
    )
    if not found:
        return head + "."
    low, mean, true, n = found[-1]
    return (
        f"{head}; of its {n} forecasts between {low:.0%} and {min(low + 0.1, 1.0):.0%} "
        f"(mean {mean:.0%}), {true:.0%} came true."
    )
