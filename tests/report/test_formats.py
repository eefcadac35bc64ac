"""The Markdown brief, the terminal summary and the files written to disk."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from rich.console import Console

from tocsin.assess.score import Assessment
from tocsin.report.html import render_html
from tocsin.report.markdown import cell, inline, render_markdown
from tocsin.report.terminal import summary
from tocsin.report.write import ReportFiles, write_report


def test_markdown_has_the_bottom_line_and_hypothesis_table(assessment: Assessment) -> None:
    text = render_markdown(assessment)
    assert "## Bottom line" in text
    assert "the leading hypothesis is H2, “Belarus stays put”: likely" in text
    assert "| Id | Hypothesis | Prior | Posterior | Actor model | PARC inconsistency |" in text
    assert "| H2 | Belarus stays put | 60.0% |" in text
    assert "## Indicators" in text
    assert "| unseen |" in text
    assert "## Strongest evidence" in text
    assert "## What the judgement hangs on" in text
    assert "## Track record" in text
    assert "| q1 | bayes | no |" in text
    caveats = text.split("## Caveats", 1)[1].strip().splitlines()
    assert 3 <= len(caveats) <= 6
    # How far to trust the figure: the shelf's calibration at the leader's probability.
    assert any("backtest questions tocsin is tuned on" in c for c in caveats)
    assert all(line.startswith("- ") for line in caveats)


def test_markdown_escapes_tables_tags_and_headings(assessment: Assessment) -> None:
    text = render_markdown(assessment)
    assert not re.search(r"(?<!\\)<(script|b)\b", text)
    assert "\\<script>alert(1)\\</script>" in text
    row = next(line for line in text.splitlines() if line.startswith("| M1 |"))
    assert "with a pipe" in row
    assert "\\| with a pipe" in row
    assert row.count(" | ") == 7  # eight cells: the data's pipe did not add one
    assert inline("# not a heading") == "\\# not a heading"
    assert inline("## nor this") == "\\## nor this"
    assert inline("- nor a list") == "\\- nor a list"
    assert inline("12. not a list") == "12\\. not a list"
    assert inline("25.0% stays") == "25.0% stays"
    assert cell("a | b\nc") == "a \\| b c"
    assert cell("<0.1%") == "<0.1%"


def test_terminal_summary_shows_markup_literally(assessment: Assessment) -> None:
    console = Console(record=True, width=120, color_system=None)
    console.print(summary(assessment))
    out = console.export_text()
    assert "Bottom line" in out
    assert "Belarus stays put" in out
    assert "[bold]x[/bold]" in out  # a rich tag in a hypothesis title is not interpreted
    assert "<script>alert(1)</script>" in out
    for indicator in assessment.case.indicators:
        assert indicator.id in out
    assert "Strongest evidence" in out


def test_write_report_creates_both_files(assessment: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "dir"
    files = write_report(assessment, out)
    assert files == ReportFiles(out / "report-test.html", out / "report-test.md")
    assert files.html.read_text("utf-8") == render_html(assessment)
    assert files.markdown.read_text("utf-8") == render_markdown(assessment)
    named = write_report(assessment, out, stem="brief")
    assert named.html.name == "brief.html"
    assert named.markdown.name == "brief.md"
    assert sorted(p.name for p in out.iterdir()) == [
        "brief.html",
        "brief.md",
        "report-test.html",
        "report-test.md",
    ]


def test_report_files_get_the_usual_permissions(assessment: Assessment, tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        files = write_report(assessment, tmp_path)
    finally:
        os.umask(mask)
    for path in (files.html, files.markdown):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_reports_list_developments_with_members_sources_and_reasons(
    assessment: Assessment,
) -> None:
    from dataclasses import replace
    from datetime import date

    from tocsin.report.html import render_html
    from tocsin.report.sections import developments

    base = next(e for e in assessment.evidence if e.kind == "link")
    text = "Lukashenko announced a partial mobilisation of reservists in the Vitebsk region."
    rows = [
        replace(base, id="L91", when=date(2022, 10, 10), source_key="mob|outlet:a", text=text),
        replace(base, id="L92", when=date(2022, 10, 12), source_key="mob|outlet:b", text=text),
        replace(
            base,
            id="L93",
            when=date(2022, 10, 13),
            source_key="mob|minister",
            source="the minister",
            text="Reservists in Vitebsk will report within days, the minister said.",
            entities=("Vitebsk",),
        ),
        replace(base, id="L94", when=date(2022, 11, 30), source_key="mob|outlet:c", text=text),
    ]
    rows[0] = replace(rows[0], entities=("Vitebsk", "Alexander Lukashenko"))
    rows = [replace(r, article_id=900 + n) for n, r in enumerate(rows)]  # four articles
    joined = replace(assessment, evidence=rows)
    (found,) = developments(joined)
    assert found["members"] == ["L91", "L92", "L93"]
    assert found["sources"] == 2  # the two outlets' own voice is one source; the minister another
    assert "3 reports of" in found["why"]
    assert found["joins"] == [
        "L92 with L91: near-identical wording 1.00",
        "L93 with L91: shared entities Vitebsk",
    ]
    markdown = render_markdown(joined)
    assert "L91, L92, L93 (2 independent source(s))" in markdown
    assert "  - L93 with L91: shared entities Vitebsk" in markdown
    html = render_html(joined)
    assert "<h3>Developments</h3>" in html
    assert "L92 with L91: near-identical wording 1.00" in html
    alone = replace(assessment, evidence=rows[3:])
    assert "No development was reported more than once." in render_markdown(alone)
