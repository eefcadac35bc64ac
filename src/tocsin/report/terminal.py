"""A terminal summary of the assessment with rich. Data goes in as ``Text`` objects, so
markup-like text in a case file or an article (``[bold]``) is shown as written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from tocsin.report.common import (
    as_of_text,
    bottom_line,
    day,
    grade,
    number,
    percent,
    short,
    strongest,
)

if TYPE_CHECKING:
    from rich.console import Console

    from tocsin.assess.score import Assessment

TOP_EVIDENCE = 5
_STATE_STYLE = {"seen": "green", "seen negated": "red", "mixed": "yellow", "not seen": "dim"}


def _hypotheses(a: Assessment) -> Table:
    table = Table(title="Hypotheses", title_justify="left", show_edge=False)
    table.add_column("Id")
    table.add_column("Hypothesis", overflow="fold")
    for name in ("Prior", "Posterior", "Actors"):
        table.add_column(name, justify="right")
    for h in a.case.hypotheses:
        actors = percent(a.actor_probabilities.get(h.id)) if a.actor_probabilities else "–"
        style = "bold" if h.id == a.leader else ""
        table.add_row(
            Text(h.id, style=style),
            Text(h.title, style=style),
            Text(percent(a.priors.get(h.id))),
            Text(percent(a.posterior.probabilities.get(h.id)), style=style),
            Text(actors),
        )
    return table


def _indicators(a: Assessment) -> Table:
    table = Table(title="Indicators", title_justify="left", show_edge=False)
    for name in ("Indicator", "State"):
        table.add_column(name)
    for name in ("Seen", "Negated", "Sources"):
        table.add_column(name, justify="right")
    table.add_column("Last seen")
    for i in a.indicators:
        table.add_row(
            Text(i.id),
            Text(i.state, style=_STATE_STYLE.get(i.state, "")),
            Text(str(i.seen)),
            Text(str(i.negated)),
            Text(str(i.sources)),
            Text(day(i.last_seen)),
        )
    return table


def _evidence(a: Assessment) -> Table:
    table = Table(
        title=f"Strongest evidence (top {TOP_EVIDENCE})", title_justify="left", show_edge=False
    )
    for name in ("Id", "Date", "Indicator", "Grade", "Weight"):
        table.add_column(name, no_wrap=True)
    table.add_column("Text", overflow="fold")
    rows = strongest(a.evidence, TOP_EVIDENCE)
    for r in rows:
        polarity = " (negated)" if r.polarity == "negated" else ""
        table.add_row(
            Text(r.id),
            Text(day(r.when)),
            Text((r.indicator or "hand-entered") + polarity),
            Text(grade(r.reliability, r.credibility)),
            Text(number(r.weight, 2)),
            Text(short(r.text, 200)),
        )
    return table


def print_summary(a: Assessment, console: Console) -> None:
    """Bottom line, hypotheses, indicator board and the strongest evidence."""
    title = Text("Bottom line: ", style="bold")
    title.append(Text(a.case.question))
    console.print(title)
    console.print(Text(bottom_line(a)))
    if a.actor_probabilities:
        best = max(a.actor_probabilities, key=lambda h: a.actor_probabilities[h])
        console.print(
            Text(
                f"Actor model: {best} in {percent(a.actor_probabilities[best])} of runs.",
                style="dim",
            )
        )
    console.print(Text(f"As of {as_of_text(a)}.", style="dim"))
    console.print()
    console.print(_hypotheses(a))
    if a.indicators:
        console.print()
        console.print(_indicators(a))
    if a.evidence:
        console.print()
        console.print(_evidence(a))
