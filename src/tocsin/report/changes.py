"""The "what changed" brief: a case's assessment against the one before it, in Markdown.

The bottom line then and now, the hypotheses that moved (in percentage points), the new
evidence with its sources and grades, the new uncorroborated claims, and the alerts the
cycle fired. What comes from articles (sentences, sources, titles) is put on one line and
escaped as the assessment brief escapes it (``report.markdown``): in a table cell, pipes
and tags; in running text, anything that would open a heading, quote, list or HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from tocsin.assess.alerts import assessed_to, new_rows
from tocsin.report.common import bottom_line, day, grade, percent, short, strongest
from tocsin.report.markdown import inline, table

if TYPE_CHECKING:
    from tocsin.assess.case import Case
    from tocsin.assess.score import Assessment
    from tocsin.models.alerts import Alert

MAX_NEW_EVIDENCE = 20  # rows of new evidence listed; the rest are counted
TEXT_CHARS = 200  # of a sentence in a table


def changes_markdown(
    case: Case, before: Assessment | None, after: Assessment, alerts: Sequence[Alert]
) -> str:
    """What changed in ``case`` from ``before`` (None: the first assessment) to ``after``,
    with the ``alerts`` that fired, as a Markdown document."""
    then = assessed_to(before) if before is not None else None
    now = assessed_to(after)
    lines = [
        f"# What changed: {_line(case.question)}",
        "",
        f"Case `{case.id}`, from {_date(then, before)} to {_date(now, after)}.",
        "",
        "## Bottom line",
        "",
        f"- Then: {_line(bottom_line(before)) if before else 'no earlier assessment.'}",
        f"- Now: {_line(bottom_line(after))}",
        "",
        "## Hypotheses",
        "",
        *_hypotheses(case, before, after),
        "",
        "## New evidence",
        "",
        *_evidence(before, after),
        "",
        "## New uncorroborated claims",
        "",
        *_uncorroborated(before, after),
        "",
        "## Alerts fired",
        "",
        *_alerts(alerts),
    ]
    return "\n".join(lines) + "\n"


def _line(text: str) -> str:
    """Text from a file or an article, on one line and unable to start Markdown structure."""
    return inline(" ".join(text.split()))


def _date(when: date | None, a: Assessment | None) -> str:
    if a is None:
        return "the priors"
    return day(when) if when else "the undated evidence"


def _hypotheses(case: Case, before: Assessment | None, after: Assessment) -> list[str]:
    """Each hypothesis then and now, the largest move first."""
    old = before.posterior.probabilities if before is not None else after.priors
    new = after.posterior.probabilities
    moved = sorted(case.hypotheses, key=lambda h: -abs(new.get(h.id, 0.0) - old.get(h.id, 0.0)))
    rows = [
        (
            h.id,
            h.title,
            percent(old.get(h.id)),
            percent(new.get(h.id)),
            _points(new.get(h.id, 0.0) - old.get(h.id, 0.0)),
        )
        for h in moved
    ]
    header = ("Id", "Hypothesis", "Then" if before else "Prior", "Now", "Change")
    return table(header, rows)


def _points(change: float) -> str:
    points = change * 100
    if abs(points) < 0.05:
        return "no change"
    return f"{'+' if points > 0 else '−'}{abs(points):.1f} points"


def _evidence(before: Assessment | None, after: Assessment) -> list[str]:
    """The new rows, strongest first: date, indicator, polarity, source, grade, sentence."""
    rows = new_rows(before, after)
    if not rows:
        return ["No new evidence."]
    outlets = {a.id: a.outlet for a in after.articles}
    shown = strongest(rows, MAX_NEW_EVIDENCE)
    body = table(
        ("Id", "Date", "Indicator", "Polarity", "Source", "Outlet", "Grade", "Text"),
        [
            (
                r.id,
                day(r.when),
                r.indicator or "(hand-entered)",
                r.polarity,
                r.source or "unattributed",
                (outlets.get(r.article_id) if r.article_id is not None else None) or "–",
                grade(r.reliability, r.credibility)
                + (" (uncorroborated)" if r.uncorroborated else ""),
                short(r.text, TEXT_CHARS),
            )
            for r in shown
        ],
    )
    more = len(rows) - len(shown)
    count = f"{len(rows)} new item{'s' if len(rows) != 1 else ''} of evidence"
    tail = ["", f"… and {more} more."] if more > 0 else []
    return [f"{count}, the strongest first:", "", *body, *tail]


def _uncorroborated(before: Assessment | None, after: Assessment) -> list[str]:
    """Claims flagged uncorroborated now that were not before."""
    flagged = {r.id for r in before.evidence if r.uncorroborated} if before else set()
    rows = [r for r in after.evidence if r.uncorroborated and r.id not in flagged]
    if not rows:
        return ["None."]
    return [
        f"- {r.id} ({day(r.when)}, {_line(r.source or 'unattributed')}, graded "
        f"{grade(r.reliability, r.credibility)}): “{_line(short(r.text, TEXT_CHARS))}”"
        for r in strongest(rows, MAX_NEW_EVIDENCE)
    ]


def _alerts(alerts: Sequence[Alert]) -> list[str]:
    if not alerts:
        return ["No alerts fired."]
    lines: list[str] = []
    for alert in alerts:
        lines.append(f"- {_line(alert.title)} (rule {_line(alert.rule_id)}, {alert.kind})")
        lines.append(f"  {_line(alert.detail)}")
        for e in alert.evidence:
            named = list(dict.fromkeys(part for part in (e.source, e.outlet) if part))
            source = ", ".join(_line(part) for part in named) or "unattributed"
            where = f" <{e.url}>" if _web(e.url) else ""
            lines.append(f"  - {e.id}: “{_line(short(e.text, TEXT_CHARS))}” ({source}){where}")
    return lines


def _web(url: str | None) -> bool:
    """Whether ``url`` can stand as a Markdown autolink: a web address (a javascript: or
    file: link in a brief is a trap) with nothing in it that would end the link."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return False
    return not any(c.isspace() or c in "<>" or ord(c) < 32 for c in url)
