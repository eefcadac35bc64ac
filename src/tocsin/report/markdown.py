"""The assessment as a short Markdown brief: bottom line, hypotheses, indicators, the
strongest evidence, what the judgement hangs on, the track record and the caveats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tocsin.report import sections
from tocsin.report.common import (
    as_of_text,
    bottom_line,
    day,
    distribution,
    gap_text,
    grade,
    group_labels,
    hypothesis_names,
    movement,
    movers,
    number,
    percent,
    short,
    strongest,
    veto_text,
)

if TYPE_CHECKING:
    from tocsin.assess.score import Assessment

TOP_EVIDENCE = 10
CAVEATS = (
    "Priors and likelihoods are analyst judgements written in the case file; the posterior "
    "is only as good as they are.",
    "Sentences from the same original source on the same indicator count once; copying "
    "between outlets that is not attributed is not detected.",
    "Admiralty grades discount each item; F/6 (cannot be judged) keeps half its weight.",
    "The actor model is a reconstruction of an expected-utility bargaining model run on the "
    "analyst's ranges: a structured argument, not an independent forecast.",
)
# What would start a heading, quote or list at the start of a line; and an HTML tag.
_LEADING = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[+*-](?=\s)|\d+[.)](?=\s|$))")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _no_html(text: str) -> str:
    return _TAG_START.sub(r"\<", text)


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and tags escaped."""
    return _no_html(" ".join(str(text).split())).replace("|", "\\|")


def inline(text: str) -> str:
    """Text that cannot open a heading, quote or list, nor become HTML."""

    def escaped(match: re.Match[str]) -> str:
        indent, marker = match.group(1), match.group(2)
        if marker[0].isdigit():  # "12." becomes "12\."
            return f"{indent}{marker[:-1]}\\{marker[-1]}"
        return f"{indent}\\{marker}"  # "## x" becomes "\## x"

    return _LEADING.sub(escaped, _no_html(text))


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _hypotheses(a: Assessment) -> list[str]:
    rows = []
    for h in a.case.hypotheses:
        parc = a.ach.parc.get(h.id)
        rows.append(
            (
                h.id,
                h.title,
                percent(a.priors.get(h.id)),
                percent(a.posterior.probabilities.get(h.id)),
                percent(a.actor_probabilities.get(h.id)) if a.actor_probabilities else "–",
                number(parc.weighted, 2) if parc else "–",
            )
        )
    header = ("Id", "Hypothesis", "Prior", "Posterior", "Actor model", "PARC inconsistency")
    return table(header, rows)


def _indicators(a: Assessment) -> list[str]:
    rows = [
        (i.id, i.description, i.state, i.seen, i.negated, i.sources, day(i.last_seen))
        for i in a.indicators
    ]
    header = ("Indicator", "Description", "State", "Seen", "Negated", "Sources", "Last seen")
    return table(header, rows) if rows else ["No indicators are defined."]


def _evidence(a: Assessment) -> list[str]:
    rows = [
        (
            r.id,
            day(r.when),
            r.indicator or "(hand-entered)",
            r.polarity,
            r.source or "unattributed",
            grade(r.reliability, r.credibility) + (" (uncorroborated)" if r.uncorroborated else ""),
            number(r.weight, 2),
            short(r.text, 160),
        )
        for r in strongest(a.evidence, TOP_EVIDENCE)
    ]
    header = ("Id", "Date", "Indicator", "Polarity", "Source", "Grade", "Weight", "Text")
    return table(header, rows) if rows else ["No evidence."]


def _developments(a: Assessment) -> list[str]:
    lines = []
    for d in sections.developments(a):
        members = ", ".join(d["members"])
        lines.append(f"- {cell(d['why'])}: {members} ({d['sources']} independent source(s))")
        lines += [f"  - {cell(j)}" for j in d["joins"]]
    return lines or ["No development was reported more than once."]


def _pivotal(a: Assessment) -> list[str]:
    s = a.sensitivity
    labels = group_labels(a.evidence)
    lines = [
        f"- Pivotal: {cell(labels.get(g.source_key, g.source_key))} "
        f"(without it: {distribution(g.without)})"
        for g in s.groups
        if g.pivotal
    ]
    if not lines:
        lines.append(
            f"- No single source group is pivotal: without any one, {s.leader} still leads."
        )
    flips = [
        labels.get(g.source_key, g.source_key) for g in s.groups if g.best_flips or g.worst_flips
    ]
    if flips:
        lines.append("- Re-grading flips the leader for: " + "; ".join(cell(f) for f in flips))
    else:
        lines.append("- No re-grading of one group to A1 or E5 changes the leader.")
    for g in movers(s, 3):
        label = cell(labels.get(g.source_key, g.source_key))
        lines.append(f"- Moves P({s.leader}) most: {label} ({movement(g)})")
    return lines


def _track(a: Assessment) -> list[str]:
    scores = [s for s in a.track.scores if s.case_id == a.case.id]
    if not scores:
        return ["No question of this case is resolved yet."]
    rows = [
        (
            s.question_id,
            s.method,
            s.outcome,
            percent(s.last.get(s.outcome)),
            number(s.brier),
            number(s.log),
            number(s.mean_brier),
        )
        for s in scores
    ]
    header = ("Question", "Method", "Outcome", "P(outcome)", "Brier", "Log", "Mean Brier")
    return table(header, rows)


def render_markdown(a: Assessment) -> str:
    """The brief as Markdown text."""
    names = hypothesis_names(a)
    actor = ""
    if a.actor_probabilities:
        best = max(a.actor_probabilities, key=lambda h: a.actor_probabilities[h])
        ordered = {h: a.actor_probabilities.get(h, 0.0) for h in a.case.hypothesis_ids()}
        actor = (
            f"\n\nThe actor model puts {percent(a.actor_probabilities[best])} on {best} "
            f"({inline(names.get(best, best))}): {distribution(ordered)}."
        )
        vetoes = veto_text(a)
        actor += f" {inline(vetoes)}" if vetoes else ""
    gap = gap_text(a)
    if gap:
        actor += f"\n\n**Disagreement.** {inline(gap)}"
    parts = [
        f"# {inline(a.case.question).lstrip()}",
        f"Case `{a.case.id}` · as of {as_of_text(a)} · "
        f"deadline {a.case.resolution.deadline.isoformat()}",
        "## Bottom line",
        inline(bottom_line(a)) + actor,
        "## Hypotheses",
        "\n".join(_hypotheses(a)),
        "## Indicators",
        "\n".join(_indicators(a)),
        f"## Strongest evidence (top {TOP_EVIDENCE})",
        "\n".join(_evidence(a)),
        "## Developments reported more than once",
        "\n".join(_developments(a)),
        "## What the judgement hangs on",
        "\n".join(_pivotal(a)),
        "## Track record",
        "\n".join(_track(a)),
        "## Caveats",
        "\n".join(f"- {c}" for c in (a.shelf_calibration, a.linking, *CAVEATS) if c),
    ]
    return "\n\n".join(parts) + "\n"
