"""No hypothesis passes 0.97 until a report meets its resolution criteria."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tocsin.assess.case import Case, cross_check
from tocsin.assess.evidence import EvidenceRow
from tocsin.assess.score import CERTAINTY_CAP, capped, settled

CASE = Case.model_validate(
    {
        "id": "c",
        "question": "q",
        "resolution": {"criteria": "c", "deadline": "2024-12-31"},
        "hypotheses": [{"id": "H1", "title": "yes"}, {"id": "H2", "title": "no"}],
        "indicators": [
            {"id": "signed", "description": "the law is signed", "patterns": ["signed"],
             "likelihoods": {"H1": 0.95, "H2": 0.05}, "resolves": ["H1"]},
            {"id": "talks", "description": "talks", "patterns": ["talks"],
             "likelihoods": {"H1": 0.8, "H2": 0.5}},
        ],
    }
)  # fmt: skip


def _row(indicator: str, when: date, polarity: str = "seen") -> EvidenceRow:
    return EvidenceRow(
        id="L1", kind="link", text="t", when=when, indicator=indicator, polarity=polarity,
        status=None, source=None, reliability="A", credibility=1, score=1.0, weight=1.0,
        reason="", source_key="k",
    )  # fmt: skip


def test_a_forecast_is_capped_until_a_resolving_report() -> None:
    sure = {"H1": 0.999, "H2": 0.001}
    held = capped(sure, set())
    assert held["H1"] == CERTAINTY_CAP
    assert held["H2"] == pytest.approx(1 - CERTAINTY_CAP)
    assert capped(sure, {"H1"}) == sure
    three = capped({"A": 0.99, "B": 0.008, "C": 0.002}, set())
    assert three["B"] == pytest.approx(0.03 * 0.8)  # the rest keeps its proportions
    assert sum(three.values()) == pytest.approx(1.0)
    assert capped({"H1": 0.6, "H2": 0.4}, set()) == {"H1": 0.6, "H2": 0.4}


def test_only_a_seen_report_of_a_resolving_indicator_settles_and_only_once_known() -> None:
    day = date(2024, 6, 1)
    rows = [_row("talks", day), _row("signed", day, "negated")]
    assert settled(CASE, rows) == set()
    rows.append(replace(_row("signed", day), id="L3"))
    assert settled(CASE, rows) == {"H1"}
    assert settled(CASE, rows, as_of=date(2024, 5, 31)) == set()


def test_a_resolving_indicator_must_name_hypotheses_of_the_case() -> None:
    data = CASE.model_dump()
    data["indicators"][0]["resolves"] = ["H9"]
    faults = cross_check(Case.model_validate(data))
    assert any("H9" in message and "resolves" in loc for loc, message in faults)
