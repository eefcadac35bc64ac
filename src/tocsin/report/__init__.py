"""Reports of an assessment: a self-contained HTML page, a Markdown brief and a terminal
summary.

``render_html`` gives one offline HTML5 file (inline CSS and SVG charts, every piece of
case or article text escaped, each linked sentence marked in its article);
``render_markdown`` a short brief; ``print_summary`` prints the bottom line with rich;
``write_report`` writes the HTML and the Markdown next to each other.
"""

from __future__ import annotations

from tocsin.report.html import render_html
from tocsin.report.markdown import render_markdown
from tocsin.report.terminal import print_summary
from tocsin.report.write import ReportFiles, write_report

__all__ = ["ReportFiles", "print_summary", "render_html", "render_markdown", "write_report"]
