"""The "what changed" brief: the bottom line then and now, the moves, the new evidence and
claims, the alerts; and article text that cannot break the Markdown around it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tocsin.assess.alerts import evaluate
from tocsin.assess.case import Case, parse_case
from tocsin.assess.score import Assessment, CaseData, score
from tocsin.report.changes import changes_markdown

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
CASE = """\
id: talks
question: "Will the talks succeed?\\n# not a heading"
resolution: {criteria: a treaty is signed, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: The talks succeed, prior: 0.3}
  - {id: H2, title: The talks fail, prior: 0.7}
sources:
  - {name: Wire Service, kind: outlet, reliability: A, credibility: 1}
  - {name: Rumour Mill, kind: outlet, reliability: E, credibility: 5}
evidence:
  - {id: E1, text: Both sides initial a draft., date: 2024-03-01, source: Wire Service,
     relevance: high, likelihoods: {H1: 0.9, H2: 0.05}}
  - id: E2
    text: "A minister calls the draft | dead\\n# gone <script>alert(1)</script>"
    date: 2024-03-20
    source: Rumour Mill
    likelihoods: {H1: 0.2, H2: 0.8}
alerts:
  - {id: turns, kind: leader}
  - {id: h1-half, kind: threshold, hypothesis: H1, above: 0.5}
"""


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case(CASE)


def _as_of(case: Case, day: date) -> Assessment:
    return score(case, CaseData(links=[], articles=[]), day)


def test_the_brief_says_what_changed(case: Case) -> None:
    before, after = _as_of(case, date(2024, 2, 1)), _as_of(case, date(2024, 3, 10))
    alerts = evaluate(case, before, after, NOW)
    assert {a.rule_id for a in alerts} == {"turns", "h1-half"}
    text = changes_markdown(case, before, after, alerts)
    h1 = after.posterior.probabilities["H1"]
    assert "from 2024-02-01 to 2024-03-10" in text
    assert "- Then: On the evidence to 2024-02-01, the leading hypothesis is H2" in text
    assert "- Now: On the evidence to 2024-03-10, the leading hypothesis is H1" in text
    moved = f"+{(h1 - 0.3) * 100:.1f} points"
    assert f"| H1 | The talks succeed | 30.0% | {h1 * 100:.1f}% | {moved} |" in text
    assert (
        f"| H2 | The talks fail | 70.0% | {(1 - h1) * 100:.1f}% | −{(h1 - 0.3) * 100:.1f} points |"
        in text
    )
    assert "1 new item of evidence" in text
    assert "| E1 | 2024-03-01 | (hand-entered) | seen | Wire Service | – | A1 |" in text
    for alert in alerts:
        assert f"- {alert.title} (rule {alert.rule_id}, {alert.kind})" in text
        assert alert.detail in text
    assert "  - E1: “Both sides initial a draft.” (Wire Service)" in text


def test_an_alerts_evidence_links_to_its_article_when_it_is_on_the_web(case: Case) -> None:
    before, after = _as_of(case, date(2024, 2, 1)), _as_of(case, date(2024, 3, 10))
    fired = evaluate(case, before, after, NOW)[0]
    (first, *_) = fired.evidence
    urls = ["https://wire.example/a?id=1", "javascript:alert(1)", "https://x.example/a b>c"]
    alerts = [replace(fired, key=url, evidence=(replace(first, url=url),)) for url in urls]
    text = changes_markdown(case, before, after, alerts)
    assert (
        "  - E1: “Both sides initial a draft.” (Wire Service) <https://wire.example/a?id=1>" in text
    )
    assert "javascript:" not in text  # a link that would run code is left out
    assert "x.example" not in text  # ... and one that would end the autolink early
    assert text.count("  - E1: “Both sides initial a draft.” (Wire Service)") == 3


def test_a_quiet_cycle_says_so(case: Case) -> None:
    same = _as_of(case, date(2024, 3, 10))
    text = changes_markdown(case, same, same, [])
    assert "No new evidence." in text
    assert "No alerts fired." in text
    assert text.count("no change") == 2
    sections = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert sections == [
        "Bottom line", "Hypotheses", "New evidence", "New uncorroborated claims", "Alerts fired"
    ]  # fmt: skip


def test_the_first_brief_compares_with_the_priors(case: Case) -> None:
    after = _as_of(case, date(2024, 3, 25))
    text = changes_markdown(case, None, after, evaluate(case, None, after, NOW))
    assert "from the priors to 2024-03-25" in text
    assert "- Then: no earlier assessment." in text
    assert "| Id | Hypothesis | Prior | Now | Change |" in text
    assert "2 new items of evidence" in text
    assert "No alerts fired." in text  # threshold and leader need a before


def test_new_uncorroborated_claims_are_listed(case: Case) -> None:
    before, after = _as_of(case, date(2024, 3, 10)), _as_of(case, date(2024, 3, 25))
    flagged = replace(
        after, evidence=[replace(r, uncorroborated=r.id == "E2") for r in after.evidence]
    )
    text = changes_markdown(case, before, flagged, [])
    claims = text.split("## New uncorroborated claims")[1].split("##")[0]
    assert "- E2 (2024-03-20, Rumour Mill, graded E5): “A minister calls the draft" in claims
    assert "E5 (uncorroborated)" in text
    again = changes_markdown(case, flagged, flagged, [])
    assert "## New uncorroborated claims\n\nNone." in again


def test_article_text_cannot_break_the_markdown(case: Case) -> None:
    before, after = _as_of(case, date(2024, 3, 10)), _as_of(case, date(2024, 3, 25))
    fired = evaluate(case, _as_of(case, date(2024, 2, 1)), after, NOW)[0]
    alert = replace(
        fired, title="# Title\nwith a newline <b>bold</b>", detail="> quoted\n- listed | piped"
    )
    text = changes_markdown(case, before, after, [alert])
    lines = text.splitlines()
    headings = [line for line in lines if line.lstrip().startswith("#")]
    assert headings[0] == "# What changed: Will the talks succeed? # not a heading"
    assert all(h.startswith(("# What changed", "## ")) for h in headings[1:])
    assert not re.search(r"(?<!\\)<(script|b)>", text)  # every tag escaped
    assert not any(line.lstrip().startswith(">") for line in lines)
    # The evidence row keeps its eight cells: the pipe in the sentence is escaped.
    (row,) = [line for line in lines if line.startswith("| E2 |")]
    assert len(re.findall(r"(?<!\\)\|", row)) == 9
    assert "draft \\| dead # gone \\<script>" in row
    assert "- \\# Title with a newline \\<b>bold\\</b> (rule turns, leader)" in text
    assert "  \\> quoted - listed | piped" in text
