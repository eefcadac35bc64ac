"""Resolution and the track record: Brier and log scores, and a calibration table.

A forecast is scored against the question's outcome once it is resolved. The main question
of a case has one outcome among its hypotheses and is scored as a categorical forecast
(Brier's original score: Σ over outcomes of (p − o)², 0 best, 2 worst; log score −ln p of
what happened, 0 best). A side question is binary, scored the same way over its two
outcomes, yes and no, so its Brier score is twice the one-sided (p − o)². Each question
is scored on its last forecast made by its deadline, and on the mean over every forecast in
the trajectory, so that early confidence in the wrong answer is not forgotten.

The calibration table pools every forecast as a set of binary events (each hypothesis of a
categorical question is one), across questions and cases, into ten bins of probability.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tocsin.assess.case import Case, Question
from tocsin.models.assessment import Forecast, Resolution

BINS = 10
_FLOOR = 1e-6  # probabilities are clipped here before the log, so a 0 gives a finite score


def question_forecast(question: Question, hypotheses: Mapping[str, float]) -> float:
    """P(yes) for a side question from the hypotheses' probabilities: Σ P(H)·P(yes | H)."""
    total = sum(hypotheses.values()) or 1.0
    return sum(p * question.given.get(h, 0.0) for h, p in hypotheses.items()) / total


def brier(probabilities: Mapping[str, float], outcome: str) -> float:
    return sum((p - (1.0 if k == outcome else 0.0)) ** 2 for k, p in probabilities.items())


def log_score(probabilities: Mapping[str, float], outcome: str) -> float:
    return -math.log(max(_FLOOR, probabilities.get(outcome, 0.0)))


@dataclass(frozen=True)
class QuestionScore:
    case_id: str
    question_id: str
    text: str
    outcome: str
    method: str
    forecasts: int
    last_as_of: date
    last: dict[str, float]
    brier: float
    log: float
    mean_brier: float


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    mean_forecast: float
    observed: float


@dataclass(frozen=True)
class TrackRecord:
    scores: list[QuestionScore]
    calibration: list[CalibrationBin]

    def mean_brier(self, method: str = "bayes") -> float | None:
        mine = [s.brier for s in self.scores if s.method == method]
        return sum(mine) / len(mine) if mine else None


def _question_texts(cases: Mapping[str, Case]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for case in cases.values():
        out[(case.id, "main")] = case.question
        out.update({(case.id, q.id): q.text for q in case.questions})
    return out


def track_record(
    cases: Mapping[str, Case],
    forecasts: Sequence[Forecast],
    resolutions: Sequence[Resolution] = (),
) -> TrackRecord:
    """Scores of every resolved question among ``forecasts``.

    Recorded ``resolutions`` win; the case files' ``outcome`` fill in the rest.
    """
    outcomes = {(r.case_id, r.question_id): r.outcome for r in resolutions}
    for case in cases.values():
        if case.outcome:
            outcomes.setdefault((case.id, "main"), case.outcome)
        for q in case.questions:
            if q.outcome is not None:
                outcomes.setdefault((case.id, q.id), "yes" if q.outcome else "no")
    return score(forecasts, outcomes, _question_texts(cases))


def score(
    rows: Sequence[Forecast],
    outcomes: Mapping[tuple[str, str], str],
    texts: Mapping[tuple[str, str], str] | None = None,
) -> TrackRecord:
    """Score forecast ``rows`` on ``outcomes``; forecasts made after the deadline do not count."""
    texts = texts or {}
    series: dict[tuple[str, str, str], list[tuple[date, dict[str, float]]]] = defaultdict(list)
    for f in rows:
        if (f.case_id, f.question_id) in outcomes and f.as_of <= f.deadline:
            series[(f.case_id, f.question_id, f.method)].append((f.as_of, f.probabilities))
    scores = []
    events: list[tuple[float, float]] = []
    for (case_id, question_id, method), points in sorted(series.items()):
        points.sort(key=lambda p: p[0])
        outcome = outcomes[(case_id, question_id)]
        as_of, last = points[-1]
        briers = [brier(p, outcome) for _, p in points]
        scores.append(
            QuestionScore(
                case_id,
                question_id,
                texts.get((case_id, question_id), question_id),
                outcome,
                method,
                len(points),
                as_of,
                last,
                brier(last, outcome),
                log_score(last, outcome),
                sum(briers) / len(briers),
            )
        )
        for _, probabilities in points:
            events += _binary_events(probabilities, outcome)
    return TrackRecord(scores, calibration(events))


def _binary_events(probabilities: Mapping[str, float], outcome: str) -> list[tuple[float, float]]:
    if set(probabilities) == {"yes", "no"}:
        return [(probabilities["yes"], 1.0 if outcome == "yes" else 0.0)]
    return [(p, 1.0 if k == outcome else 0.0) for k, p in probabilities.items()]


def calibration(events: Sequence[tuple[float, float]], bins: int = BINS) -> list[CalibrationBin]:
    """Forecast probability against observed frequency, in ``bins`` equal bins."""
    grouped: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for p, o in events:
        grouped[min(bins - 1, int(p * bins))].append((p, o))
    out = []
    for b in range(bins):
        members = grouped.get(b, [])
        if not members:
            continue
        out.append(
            CalibrationBin(
                b / bins,
                (b + 1) / bins,
                len(members),
                sum(p for p, _ in members) / len(members),
                sum(o for _, o in members) / len(members),
            )
        )
    return out


def as_dict(record: TrackRecord) -> dict[str, Any]:
    return {
        "scores": [s.__dict__ for s in record.scores],
        "calibration": [c.__dict__ for c in record.calibration],
    }
