"""The assessment as one self-contained HTML5 page: inline CSS and SVG, no external resource.

Every string from the case file or the articles reaches the page through Jinja2 with
autoescaping on. Two kinds of markup are let through unescaped: the charts, which
matplotlib writes as SVG with its text escaped, and the article texts, which
:mod:`tocsin.report.marks` escapes piece by piece around its ``<mark>`` elements.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import jinja2

from tocsin.report import charts, sections
from tocsin.report.common import (
    ach_labels,
    as_of_text,
    bottom_line,
    colours,
    day,
    distribution,
    estimative,
    gap_text,
    grade,
    group_labels,
    hypothesis_names,
    movement,
    movers,
    number,
    percent,
)
from tocsin.report.marks import anchor, marked, spans_by_article

if TYPE_CHECKING:
    from tocsin.assess.evidence import EvidenceRow
    from tocsin.assess.score import Assessment

SECTIONS: tuple[tuple[str, str], ...] = (
    ("bottom-line", "Bottom line"),
    ("hypotheses", "Hypotheses"),
    ("ach", "Competing hypotheses"),
    ("indicators", "Indicators"),
    ("evidence", "Evidence"),
    ("sensitivity", "Sensitivity"),
    ("figures", "Conflicting figures"),
    ("actors", "Actors"),
    ("timeline", "Timeline"),
    ("track-record", "Track record"),
    ("method", "Method"),
    ("articles", "Articles"),
)
_STATE_BADGE = {"seen": "seen", "seen negated": "negated", "mixed": "mixed", "not seen": "none"}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("tocsin.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(a: Assessment) -> str:
    """The whole report as one HTML page."""
    template = _environment().get_template("report.html.j2")
    return template.render(**context(a))


def context(a: Assessment) -> dict[str, Any]:
    """Everything the template shows, as plain values formatted for display."""
    return {
        **summary(a),
        "sections": SECTIONS,
        "charts": charts.all_charts(a),
        "evidence": _evidence(a),
        "figures": sections.figures(a),
        "actors": sections.actors(a),
        "timeline": [sections.event(e) for e in a.timeline],
        "track": sections.track(a),
        "method": sections.method(),
        "articles": _articles(a),
    }


def summary(a: Assessment) -> dict[str, Any]:
    """The assessment's head, formatted for display, without charts, evidence or article
    texts: the bottom line, hypotheses, ACH matrix, indicators, developments and
    sensitivity (what the desk's case page shows beside its charts)."""
    return {
        "case": a.case,
        "as_of": as_of_text(a),
        "bottom": _bottom(a),
        "hypotheses": _hypotheses(a),
        "ach": _ach(a),
        "indicators": [_indicator(i) for i in a.indicators],
        "developments": sections.developments(a),
        "sensitivity": _sensitivity(a),
    }


def _bottom(a: Assessment) -> dict[str, Any]:
    leader = a.leader
    p = a.posterior.probabilities[leader]
    names = hypothesis_names(a)
    return {
        "leader": leader,
        "title": names.get(leader, leader),
        "probability": percent(p),
        "words": estimative(p),
        "sentence": bottom_line(a),
        "runner_up": a.sensitivity.runner_up,
        "actors": [
            {"id": h, "title": names.get(h, h), "p": percent(a.actor_probabilities.get(h))}
            for h in a.case.hypothesis_ids()
        ]
        if a.actor_probabilities
        else [],
        "actor_leader": max(a.actor_probabilities, key=lambda h: a.actor_probabilities[h])
        if a.actor_probabilities
        else None,
        "outcome": a.case.outcome,
        "linking": a.linking,
        "shelf": a.shelf_calibration,
        "gap": gap_text(a),
    }


def _hypotheses(a: Assessment) -> list[dict[str, Any]]:
    palette = colours(a.case.hypothesis_ids())
    rows = []
    for h in a.case.hypotheses:
        parc = a.ach.parc.get(h.id)
        rows.append(
            {
                "id": h.id,
                "title": h.title,
                "description": h.description,
                "colour": palette[h.id],
                "prior": percent(a.priors.get(h.id)),
                "posterior": percent(a.posterior.probabilities.get(h.id)),
                "actors": percent(a.actor_probabilities.get(h.id))
                if a.actor_probabilities
                else "–",
                "parc": number(parc.weighted, 2) if parc else "–",
                "inconsistent": parc.inconsistent if parc else 0,
                "open_synthesis": number(a.ach.inconsistency.get(h.id), 2),
                "leader": h.id == a.leader,
            }
        )
    return rows


def _ach_cell(rating: str | None, mean: float | None, spread: float | None) -> dict[str, str]:
    if rating is None:
        return {"text": "–", "css": "r-none", "title": "not rated"}
    text = rating if spread is None else f"{rating} ±{spread:.2f}"
    title = f"mean {mean:.2f}" if mean is not None else ""
    if spread is not None:
        title += f", analysts disagree by {spread:.2f}"
    return {"text": text, "css": f"r-{rating}", "title": title}


def _ach(a: Assessment) -> dict[str, Any]:
    m = a.ach
    labels = ach_labels(a)
    rows = [
        {
            "label": labels[e],
            "cells": [
                _ach_cell(m.consensus.get((e, h)), m.means.get((e, h)), m.disagreement.get((e, h)))
                for h in m.hypotheses
            ],
            "diagnosticity": number(m.diagnosticity.get(e), 2),
        }
        for e in m.evidence
    ]
    return {
        "hypotheses": list(m.hypotheses),
        "rows": rows,
        "inconsistency": [number(m.inconsistency.get(h), 2) for h in m.hypotheses],
        "parc": [number(m.parc[h].weighted, 2) if h in m.parc else "–" for h in m.hypotheses],
    }


def _indicator(state: Any) -> dict[str, Any]:
    return {
        "id": state.id,
        "description": state.description,
        "state": state.state,
        "badge": _STATE_BADGE.get(state.state, "none"),
        "seen": state.seen,
        "negated": state.negated,
        "sources": state.sources,
        "last_seen": day(state.last_seen),
    }


def _evidence_order(row: EvidenceRow) -> tuple[date, int, str]:
    number_part = row.id[1:] if row.kind == "link" else ""
    return (row.when or date.max, int(number_part) if number_part.isdigit() else 0, row.id)


def _evidence(a: Assessment) -> list[dict[str, Any]]:
    known = {art.id for art in a.articles}
    out = []
    for row in sorted(a.evidence, key=_evidence_order):
        linked = row.article_id in known and row.start is not None
        out.append(
            {
                "id": row.id,
                "date": day(row.when),
                "indicator": row.indicator or "(hand-entered)",
                "polarity": row.polarity,
                "status": (row.status or "–") + (", uncorroborated" if row.uncorroborated else ""),
                "source": row.source or "unattributed",
                "grade": grade(row.reliability, row.credibility),
                "score": number(row.score, 2),
                "weight": number(row.weight, 2),
                "reason": row.reason,
                "text": row.text,
                "href": f"#{anchor(row.article_id, row.start)}"
                if linked and row.article_id is not None and row.start is not None
                else None,
            }
        )
    return out


def _sensitivity(a: Assessment) -> dict[str, Any]:
    s = a.sensitivity
    labels = group_labels(a.evidence)

    def describe(keys: list[str]) -> list[str]:
        return [labels.get(k, k) for k in keys]

    return {
        "leader": s.leader,
        "runner_up": s.runner_up,
        "groups": len(s.groups),
        "pivotal": [
            {"label": labels.get(g.source_key, g.source_key), "without": distribution(g.without)}
            for g in s.groups
            if g.pivotal
        ],
        "best_flips": describe([g.source_key for g in s.groups if g.best_flips]),
        "worst_flips": describe([g.source_key for g in s.groups if g.worst_flips]),
        "top": [
            {
                "label": labels.get(g.source_key, g.source_key),
                "delta": movement(g),
                "log_odds": number(g.log_odds, 2),
                "members": ", ".join(g.members),
            }
            for g in movers(s, 15)
        ],
    }


def _articles(a: Assessment) -> list[dict[str, Any]]:
    texts = {art.id: art.text for art in a.articles}
    spans = spans_by_article(a.evidence, texts)
    out = []
    for art in a.articles:
        ident = art.id
        mine = spans.get(ident, [])
        out.append(
            {
                "id": ident,
                "title": art.title or "(untitled)",
                "outlet": art.outlet or "outlet unknown",
                "date": day(art.published),
                "marks": len({s.start for s in mine}),
                "html": marked(ident, texts[ident], mine),
            }
        )
    return out
