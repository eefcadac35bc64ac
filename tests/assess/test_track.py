"""Track record: Brier and log scores by hand, calibration bins, derived side forecasts."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tocsin.assess.case import Question
from tocsin.assess.track import brier, calibration, log_score, question_forecast, score
from tocsin.models.assessment import Forecast


def test_brier_and_log_score_by_hand() -> None:
    # Categorical: (0.7-1)^2 + 0.2^2 + 0.1^2 = 0.09 + 0.04 + 0.01
    assert brier({"H1": 0.7, "H2": 0.2, "H3": 0.1}, "H1") == pytest.approx(0.14)
    assert log_score({"H1": 0.7, "H2": 0.3}, "H1") == pytest.approx(-math.log(0.7))
    # Binary as two outcomes: (0.8-0)^2 + (0.2-1)^2 = 1.28, twice the one-sided 0.64
    assert brier({"yes": 0.8, "no": 0.2}, "no") == pytest.approx(1.28)
    assert math.isfinite(log_score({"yes": 1.0, "no": 0.0}, "no"))


def test_a_side_question_follows_the_hypotheses() -> None:
    q = Question(id="q", text="t", deadline=date(2022, 12, 31), given={"H1": 0.9, "H2": 0.1})
    assert question_forecast(q, {"H1": 0.25, "H2": 0.75}) == pytest.approx(0.25 * 0.9 + 0.75 * 0.1)


def test_score_takes_the_last_forecast_by_the_deadline_and_the_mean() -> None:
    end = date(2023, 12, 31)
    rows = [
        Forecast("c", "main", date(2022, 1, 1), "bayes", {"H1": 0.5, "H2": 0.5}, end),
        Forecast("c", "main", date(2022, 6, 1), "bayes", {"H1": 0.2, "H2": 0.8}, end),
        Forecast("c", "main", date(2024, 1, 1), "bayes", {"H1": 0.0, "H2": 1.0}, end),  # too late
        Forecast("c", "unresolved", date(2022, 1, 1), "bayes", {"yes": 0.5, "no": 0.5}, end),
        Forecast("c", "late", date(2024, 1, 1), "bayes", {"yes": 0.5, "no": 0.5}, end),
    ]
    record = score(rows, {("c", "main"): "H2", ("c", "late"): "no"}, {("c", "main"): "Q?"})
    (s,) = record.scores  # 'late' has only a forecast after its deadline: not scored
    assert s.last_as_of == date(2022, 6, 1)
    assert s.brier == pytest.approx(0.08)  # 0.2^2 + 0.2^2
    assert s.mean_brier == pytest.approx((0.5 + 0.08) / 2)
    assert s.forecasts == 2
    assert s.text == "Q?"
    assert record.mean_brier() == pytest.approx(0.08)
    assert record.mean_brier("actors") is None


def test_calibration_bins_count_every_event_once() -> None:
    events = [(0.05, 0.0), (0.12, 0.0), (0.15, 1.0), (0.95, 1.0), (1.0, 1.0)]
    bins = calibration(events)
    assert sum(b.count for b in bins) == len(events)
    by_low = {round(b.low, 1): b for b in bins}
    assert by_low[0.1].count == 2
    assert by_low[0.1].observed == pytest.approx(0.5)
    assert by_low[0.1].mean_forecast == pytest.approx(0.135)
    assert by_low[0.9].count == 2  # 1.0 falls in the top bin


def test_categorical_forecasts_count_as_one_event_per_outcome() -> None:
    rows = [
        Forecast(
            "c", "main", date(2022, 1, 1), "bayes", {"H1": 0.1, "H2": 0.6, "H3": 0.3}, date.max
        )
    ]
    record = score(rows, {("c", "main"): "H2"})
    assert sum(b.count for b in record.calibration) == 3
