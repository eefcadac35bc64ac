"""When the actor model and the evidence forecast are more than 30 points apart on a
hypothesis, every report format says so and names the one with the better record on the
backtest shelf; when they agree, none does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from tocsin.assess.actor_record import (
    ShelfRecord,
    model_gap,
    note,
    read_record,
)
from tocsin.assess.case import parse_case
from tocsin.assess.score import Assessment, CaseData, score
from tocsin.report.html import render_html
from tocsin.report.markdown import render_markdown
from tocsin.report.terminal import summary

# No evidence: the forecast is the prior, 80% on H1. Every actor sits low on the scale, so
# every Monte Carlo draw ends in H2's range: the actor model gives H2 100%.
CASE = """\
id: gap
question: Will the accord be ratified?
resolution: {criteria: ratified, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: ratified, prior: 0.8}
  - {id: H2, title: not ratified, prior: 0.2}
actor_model:
  issue: the accord
  outcomes: {H2: [0, 5], H1: [5, 10]}
  samples: 50
actors:
  - {id: a, name: Senate, position: [0, 2], salience: [0.8, 1], capability: [0.5, 0.7]}
  - {id: b, name: Cabinet, position: [1, 3], salience: [0.5, 0.9], capability: [0.3, 0.5]}
"""
EVIDENCE_BETTER = ShelfRecord(("q1", "q2", "q3"), 0.91, 0.34, 2.5, 0.5, 1, 2, "2026-12-06")
ACTORS_BETTER = ShelfRecord(("q1", "q2"), 0.20, 0.60, 0.3, 0.9, 2, 0, "2026-12-06")


def _assessment(record: ShelfRecord, text: str = CASE) -> Assessment:
    return score(parse_case(text), CaseData(links=[], articles=[]), record=record)


def _terminal(a: Assessment) -> str:
    out = io.StringIO()
    Console(file=out, width=400, color_system=None).print(summary(a))
    return " ".join(out.getvalue().split())


def _texts(a: Assessment) -> dict[str, str]:
    return {
        "html": " ".join(render_html(a).split()),
        "markdown": " ".join(render_markdown(a).split()),
        "terminal": _terminal(a),
    }


def test_the_gap_is_the_widest_on_any_hypothesis() -> None:
    found = model_gap({"H1": 0.5, "H2": 0.3, "H3": 0.2}, {"H1": 0.45, "H2": 0.0, "H3": 0.55}, None)
    assert found is not None
    assert (found.hypothesis, found.evidence, found.actors) == ("H3", 0.2, 0.55)
    assert found.points == pytest.approx(35)
    assert model_gap({"H1": 0.5, "H2": 0.5}, {"H1": 0.2, "H2": 0.8}, None) is None  # 30: not more
    assert model_gap({"H1": 0.5, "H2": 0.5}, {}, None) is None  # no actor model


def test_every_report_notes_the_disagreement_and_the_evidence_record() -> None:
    a = _assessment(EVIDENCE_BETTER)
    assert a.posterior.probabilities["H1"] == pytest.approx(0.8)
    assert a.actor_probabilities == {"H1": 0.0, "H2": 1.0}
    assert a.model_gap is not None
    assert a.model_gap.hypothesis == "H1"  # of the two equal gaps, the evidence's leader
    for fmt, text in _texts(a).items():
        assert "The actor model and the evidence disagree" in text, fmt
        assert "the actor model gives H1 0%, the evidence 80% (80 points apart)" in text, fmt
        assert "The evidence forecast has the better record" in text, fmt
        assert "mean Brier 0.340 for the evidence forecast" in text, fmt
        assert "against 0.910 for the actor model" in text, fmt
        assert "on the 3 backtest questions" in text, fmt


def test_the_note_names_the_actor_model_when_its_record_is_better() -> None:
    for fmt, text in _texts(_assessment(ACTORS_BETTER)).items():
        assert "The actor model has the better record" in text, fmt
        assert "The evidence forecast has the better record" not in text, fmt


def test_no_note_when_the_two_agree() -> None:
    agreeing = CASE.replace("prior: 0.8}", "prior: 0.1}").replace("prior: 0.2}", "prior: 0.9}")
    a = _assessment(EVIDENCE_BETTER, agreeing)
    assert a.model_gap is None
    for fmt, text in _texts(a).items():
        assert "The actor model and the evidence disagree" not in text, fmt
        assert "better record" not in text, fmt


def test_the_note_without_a_record_says_so() -> None:
    found = model_gap({"H1": 0.9, "H2": 0.1}, {"H1": 0.1, "H2": 0.9}, None)
    assert found is not None
    assert "No record of the two on the backtest shelf" in note(found)
    tie = ShelfRecord(("q",), 0.5, 0.5, 1.0, 1.0, 0, 0, "2026-12-06")
    even = model_gap({"H1": 1.0, "H2": 0.0}, {"H1": 0.0, "H2": 1.0}, tie)
    assert even is not None
    assert "Neither has the better record" in note(even)


def test_a_record_round_trips_and_a_bad_one_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(EVIDENCE_BETTER.to_json()), "utf-8")
    assert read_record(path) == EVIDENCE_BETTER
    path.write_text('{"questions": []}', "utf-8")
    assert read_record(path) is None
    assert read_record(tmp_path / "missing.json") is None
