"""The pieces: estimative words, marking overlapping spans, and the charts on their own."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from tocsin.assess.score import Assessment, TimelineEvent
from tocsin.report import charts
from tocsin.report.common import estimative, percent, span_of_days
from tocsin.report.marks import Span, marked, sentence_around
from tocsin.report.sections import event
from tocsin.text import sentences


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.0, "almost no chance"),
        (0.049, "almost no chance"),
        (0.05, "very unlikely"),
        (0.2, "very unlikely"),
        (0.45, "roughly even chance"),
        (0.55, "roughly even chance"),
        (0.56, "likely"),
        (0.8, "very likely"),
        (0.95, "very likely"),
        (0.951, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_estimative_words_follow_icd_203(p: float, words: str) -> None:
    assert estimative(p) == words


def test_percent_never_rounds_a_chance_away() -> None:
    assert percent(4e-6) == "<0.1%"
    assert percent(0.99995) == ">99.9%"
    assert percent(0.0) == "0.0%"
    assert percent(None) == "–"


def test_date_spans_read_tersely() -> None:
    assert span_of_days("1999-01-01", "1999-12-31") == "1999"
    assert span_of_days("2022-04-01", "2022-04-30") == "2022-04"
    assert span_of_days("2022-10-08", "2022-10-08") == "2022-10-08"
    assert span_of_days("2022-09-15", "2022-09-24") == "2022-09-15 – 2022-09-24"


def test_overlapping_spans_become_flat_well_formed_marks() -> None:
    text = "Alpha <beta> gamma & delta."
    spans = [Span(0, 12, "x, seen"), Span(6, 20, "y, negated"), Span(6, 12, "z, seen")]
    html = str(marked(7, text, spans))
    assert "<beta>" not in html
    assert "&lt;beta&gt;" in html
    assert "&amp;" in html
    assert (
        re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        == text
    )
    ids = re.findall(r'id="([^"]+)"', html)
    assert ids == ["a7-0", "a7-6"]  # one anchor per distinct start
    assert html.count("<mark") == html.count("</mark>") == 3
    ET.fromstring(f"<div>{html}</div>")  # well formed
    assert 'title="x, seen; y, negated; z, seen"' in html


def test_unmarked_text_is_only_escaped() -> None:
    assert str(marked(1, "<b>x</b>", [])) == "&lt;b&gt;x&lt;/b&gt;"


def test_sentence_around_a_figure() -> None:
    text = "First one. The U.S. army has 20,000 troops. Last one."
    start = text.index("20,000")
    cut = sentences(text)
    assert sentence_around(text, cut, start, start + 6) == (
        "The U.S. army has ",
        "20,000",
        " troops.",
    )
    assert sentence_around(text, [], start, start + 6) == ("", "20,000", "")


def test_charts_are_none_without_data(assessment: Assessment) -> None:
    empty = replace(
        assessment,
        trajectory=[],
        actor_rounds=[],
        actor_outcomes=[],
        track=replace(assessment.track, calibration=[]),
    )
    assert charts.trajectory(empty) is None
    assert charts.actor_rounds(empty) is None
    assert charts.monte_carlo(empty) is None
    assert charts.calibration(empty) is None


def test_each_chart_is_deterministic_with_prefixed_ids(assessment: Assessment) -> None:
    first = charts.all_charts(assessment)
    assert first == charts.all_charts(assessment)
    for name, svg in first.items():
        assert svg is not None, name
        root = ET.fromstring(svg)
        prefix = name.replace("_", "-")
        for element in root.iter():
            if "id" in element.attrib:
                assert element.attrib["id"].startswith(prefix + "-"), element.attrib["id"]


def test_the_bottom_line_says_when_undated_items_count(assessment: Assessment) -> None:
    from tocsin.report.common import bottom_line

    undated = replace(assessment.evidence[0], when=None)
    changed = replace(assessment, evidence=[*assessment.evidence, undated], as_of=None)
    line = bottom_line(changed)
    assert "undated item" in line
    assert "all the evidence" in line


def test_a_saturated_posterior_ranks_and_words_moves_by_log_odds() -> None:
    from tocsin.assess import bayes
    from tocsin.report.common import movement, movers

    def group(key: str, delta: float, log_odds: float) -> bayes.GroupSensitivity:
        return bayes.GroupSensitivity(key, (key,), {}, False, {}, {}, False, False, delta, log_odds)

    base = bayes.Posterior({"H1": 0.99999, "H2": 0.00001}, {}, {})
    tiny = (group("a", 1e-6, 0.4), group("b", -2e-6, -3.1), group("c", 0.0, 1.2))
    saturated = bayes.Sensitivity(base, "H1", "H2", tiny, tiny)
    assert [g.source_key for g in movers(saturated, 2)] == ["b", "c"]
    assert movement(tiny[1]) == ("under 0.1 point, the posterior being saturated; log-odds -3.10")
    moving = (group("a", 0.12, 0.4), group("b", -0.03, -3.1))
    normal = bayes.Sensitivity(base, "H1", "H2", moving, moving)
    assert [g.source_key for g in movers(normal, 2)] == ["a", "b"]
    assert movement(moving[0]) == "+12.0 points"


def test_a_timeline_event_shows_its_mode_and_what_its_category_folds() -> None:
    refused = TimelineEvent(
        article_id=1, start=0, end=40, text="Minsk won't allow Moscow to join the talks.",
        actor="Minsk", action="allow", target="Moscow", category="REJECT",
        date_start=date(2022, 10, 1), date_end=None, mode="refused",
        action_category="COOPERATE", outlet="BelTA", published=date(2022, 10, 2),
    )  # fmt: skip
    shown = event(refused)
    assert (shown["category"], shown["mode"]) == ("REJECT of COOPERATE", "refused")
    done = replace(refused, category="MOBILIZE", action_category="MOBILIZE", mode="asserted")
    assert (event(done)["category"], event(done)["mode"]) == ("MOBILIZE", "asserted")
