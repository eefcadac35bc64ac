"""Backtests: a shelf of resolved questions is read, checked, assessed as of each article
date and scored against the outcome and the gold links."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path

import pytest

from tocsin.assess.backtest import (
    Question,
    ShelfError,
    brier,
    check_question,
    load_shelf,
    log_score,
    run_question,
)

MINI = Path(__file__).resolve().parents[1] / "data" / "backtest-mini"


def test_the_shelf_is_read_with_its_held_out_questions() -> None:
    (question,) = load_shelf(MINI)
    assert (question.qid, question.outcome, question.held_out) == ("town-bridge", "H1", True)
    assert question.resolved_on == date(2024, 5, 20)
    assert [a["id"] for a in question.articles()] == ["01", "02", "03"]
    assert len(question.gold() or []) == 3
    with pytest.raises(ShelfError, match="no question"):
        load_shelf(MINI, only=["no-such-question"])


def test_brier_and_log_scores() -> None:
    assert brier({"H1": 1.0, "H2": 0.0}, "H1") == 0.0
    assert brier({"H1": 0.0, "H2": 1.0}, "H1") == 2.0
    assert brier({"H1": 0.5, "H2": 0.5}, "H1") == pytest.approx(0.5)
    assert brier({"A": 0.2, "B": 0.3, "C": 0.5}, "C") == pytest.approx(0.04 + 0.09 + 0.25)
    assert log_score({"H1": 0.5, "H2": 0.5}, "H1") == pytest.approx(math.log(2))
    assert log_score({"H1": 0.0, "H2": 1.0}, "H1") == pytest.approx(-math.log(1e-6))


def _copy(tmp_path: Path) -> Path:
    shelf = tmp_path / "shelf"
    shutil.copytree(MINI, shelf)
    return shelf


def test_faults_in_a_question_are_named(tmp_path: Path) -> None:
    shelf = _copy(tmp_path)
    (question,) = load_shelf(shelf)
    assert check_question(question) == []
    links = json.loads((question.folder / "links.json").read_text("utf-8"))
    links["03"].append({"sentence": "Nobody wrote this.", "indicator": "nope", "polarity": "x"})
    (question.folder / "links.json").write_text(json.dumps(links), "utf-8")
    (question.folder / "resolution.json").write_text(
        '{"outcome": "H9", "resolved_on": "2024-05-20"}', "utf-8"
    )
    faults = check_question(load_shelf(shelf)[0])
    assert any("H9 is no hypothesis" in f for f in faults)
    assert any("not in the text" in f for f in faults)
    assert any("no indicator nope" in f for f in faults)
    assert any("polarity 'x'" in f for f in faults)
    with pytest.raises(ShelfError, match="not in the text"):
        run_question(load_shelf(shelf)[0], tmp_path, embedder=None)


def test_a_question_without_a_resolution_is_refused(tmp_path: Path) -> None:
    shelf = _copy(tmp_path)
    (shelf / "town-bridge" / "resolution.json").unlink()
    with pytest.raises(ShelfError, match=r"resolution\.json"):
        load_shelf(shelf)


def test_a_question_is_assessed_as_of_each_article_date(tmp_path: Path) -> None:
    (question,) = load_shelf(MINI)
    result = run_question(question, tmp_path, embedder=None)
    assert [f.as_of for f in result.forecasts] == [
        date(2024, 3, 1),
        date(2024, 4, 2),
        date(2024, 5, 20),
    ]
    assert result.articles == result.stored == 3
    # Patterns alone find the two sentences written to match them, not the third.
    score = result.link_score
    assert score is not None
    assert (score.gold, score.found, score.polarity_right) == (3, 2, 2)
    assert score.right == score.predicted == 2
    summary = result.summary()
    assert summary["prior_brier"] == pytest.approx(0.5)
    # Both indicators favour H1, so each report moves the forecast towards the outcome.
    probabilities = [f.probabilities["H1"] for f in result.forecasts]
    assert probabilities[0] > 0.5
    assert probabilities[1] > probabilities[0]
    assert summary["final_brier"] < summary["prior_brier"]
    assert summary["final_leader"] == "H1"
    assert 0 < summary["mean_brier"] < 0.5


def test_a_question_runs_twice_in_the_same_folder(tmp_path: Path) -> None:
    (question,) = load_shelf(MINI)
    first = run_question(question, tmp_path, embedder=None)
    again = run_question(question, tmp_path, embedder=None)
    assert again.stored == first.stored == 3
    assert again.final == pytest.approx(first.final)


def test_a_question_type_is_plain_data() -> None:
    q = Question("q", MINI, False, "H1", date(2024, 1, 1))
    assert q.case_path.name == "case.yaml"
    assert q.gold() is None  # no links.json at the shelf's root


def test_the_report_puts_held_out_questions_apart(tmp_path: Path) -> None:
    from tests.conftest import load_bench

    bench = load_bench("backtest")
    (question,) = load_shelf(MINI)
    row = bench.summarise(run_question(question, tmp_path, embedder=None))
    tuned = {**row, "question": "other", "held_out": False}
    text = bench.section({"date": "2026-12-06", "embeddings": False, "questions": [row, tuned]})
    tuned_part, held_part = text.split("### Questions held out")
    assert "| other |" in tuned_part
    assert "town-bridge" not in tuned_part
    assert "| town-bridge |" in held_part
    assert "**mean, held out**" in held_part
    assert "2024-03-01 0.5" in text  # the trajectory of each question
    empty = bench.section({"date": "2026-12-06", "embeddings": True, "questions": []})
    assert "No question on the shelf yet." in empty


def test_reliability_table_and_calibration_error() -> None:
    from tocsin.assess.backtest import reliability

    perfect = [(0.25, n < 1) for n in range(4)] + [(0.75, n < 3) for n in range(4)]
    ece, table = reliability(perfect, bins=4)
    assert ece == pytest.approx(0.0)
    assert [(low, count) for low, _, _, count in table] == [(0.25, 4), (0.75, 4)]
    overconfident = [(0.95, n < 5) for n in range(10)]
    ece, table = reliability(overconfident, bins=10)
    assert ece == pytest.approx(0.45)
    assert table == [(0.9, pytest.approx(0.95), 0.5, 10)]
    assert reliability([(1.0, True)], bins=10)[1][0][3] == 1  # 1.0 falls in the last bin


def test_evidence_known_before_it_was_published_is_counted_as_a_leak(tmp_path: Path) -> None:
    (clean,) = load_shelf(MINI)
    result = run_question(clean, tmp_path, embedder=None)
    assert result.leaks is not None
    assert result.leaks.pairs > 0
    assert result.leaks.published_later == 0
    # The case file misdates article 02 (published 2024-04-02) to the first article's day:
    # as of 2024-03-01 its link is used, a month before it was written.
    shelf = _copy(tmp_path)
    case = shelf / "town-bridge" / "case.yaml"
    case.write_text(
        case.read_text("utf-8")
        + "articles:\n  - {title: Councillors line up, published: 2024-03-01}\n",
        "utf-8",
    )
    (question,) = load_shelf(shelf)
    leaky = run_question(question, tmp_path / "run", embedder=None)
    assert leaky.leaks is not None
    assert leaky.leaks.published_later >= 1
    assert 0 < leaky.leaks.share_published_later < 1


ACTORS = """\
actor_model:
  issue: the bridge
  outcomes: {H2: [0, 5], H1: [5, 10]}
  samples: 200
actors:
  - {id: mayor, name: Mayor, position: [7, 10], salience: [0.8, 1], capability: [0.5, 0.7]}
  - {id: builders, name: Builders, position: [6, 9], salience: [0.5, 0.8], capability: [0.3, 0.5]}
  - id: treasurer
    name: Treasurer
    position: [3, 7]
    salience: [0.6, 0.9]
    capability: [0.05, 0.1]
    veto: [H1]
"""


def test_the_actor_model_is_scored_beside_the_evidence(tmp_path: Path) -> None:
    from tests.conftest import load_bench

    shelf = _copy(tmp_path)
    case = shelf / "town-bridge" / "case.yaml"
    case.write_text(case.read_text("utf-8") + ACTORS, "utf-8")
    (question,) = load_shelf(shelf)
    result = run_question(question, tmp_path / "run", embedder=None)
    found = result.actors
    assert found is not None
    assert found.draws == 200
    # The treasurer's final position is drawn from 3..7 and moves little: some H1 draws
    # end with it below H1's range and are blocked, so the veto lowers P(H1).
    assert 0 < found.blocked_draws < 200
    assert found.probabilities["H1"] < found.without_vetoes["H1"]
    row = result.summary()
    p = found.probabilities["H1"]
    assert row["actor_outcome"] == pytest.approx(p)
    assert row["actor_brier"] == pytest.approx(2 * (1 - p) ** 2)
    assert row["actor_log"] == pytest.approx(-math.log(p))
    assert row["actor_brier_without_vetoes"] < row["actor_brier"]
    assert row["actor_blocked"] == pytest.approx(found.blocked_draws / 200)
    # The bench's table, and the record the reports cite: from the questions tuned on only.
    bench = load_bench("backtest")
    held = bench.summarise(result)
    tuned = {**held, "question": "other", "held_out": False, "mean_brier": 0.1}
    assert bench.actor_record([held]) is None
    record = bench.actor_record([held, tuned])
    assert record.questions == ("other",)
    assert record.actor_brier == pytest.approx(row["actor_brier"])
    assert record.evidence_brier == pytest.approx(0.1)
    assert record.better == ("evidence forecast" if row["actor_brier"] > 0.1 else "actor model")
    text = "\n".join(bench.actor_section([held, tuned]))
    tuned_part, held_part = text.split("#### Questions held out")
    assert "| other |" in tuned_part
    assert "| town-bridge |" in held_part
    assert "over 1 questions" in held_part


def test_a_question_without_an_actor_model_has_no_actor_figures(tmp_path: Path) -> None:
    (question,) = load_shelf(MINI)
    result = run_question(question, tmp_path, embedder=None)
    assert result.actors is None
    assert result.summary()["actor_brier"] is None


def test_the_bench_draws_a_reliability_diagram_per_part_of_the_shelf() -> None:
    from tests.conftest import load_bench

    bench = load_bench("backtest")
    forecasts = [[0.95, True], [0.92, True], [0.15, False]]
    tuned = {"held_out": False, "pairs": {key: list(forecasts) for key in bench.FORECASTERS}}
    held = {"held_out": True, "pairs": {key: [[0.7, False]] for key in bench.FORECASTERS}}
    drawn = bench.diagrams({"questions": [tuned, held], "linker": None})
    assert set(drawn) == {"backtest-reliability-tuned-on.svg", "backtest-reliability-held-out.svg"}
    svg = drawn["backtest-reliability-tuned-on.svg"]
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "forecasts, tuned on" in svg  # its label, for screen readers
    named = bench.diagrams({"questions": [tuned], "linker": "model"})
    assert set(named) == {"backtest-reliability-tuned-on-model.svg"}  # no held-out pairs
    lines = bench.calibration([tuned], "tuned on")
    assert "![Reliability diagram of tocsin's forecasts, tuned on]" in "\n".join(lines)
