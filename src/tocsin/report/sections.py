"""The report's background sections as plain display values: conflicting figures, the
actor model, the timeline, the track record and the method's constants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tocsin.assess.bayes import CREDIBILITY, RELIABILITY
from tocsin.assess.evidence import CLUSTER_DAYS, cluster_origins, clusters
from tocsin.assess.link import STATUS_WEIGHT
from tocsin.extract.numerals import base_unit
from tocsin.report.common import (
    day,
    distribution,
    hypothesis_names,
    number,
    percent,
    span_of_days,
    veto_text,
)
from tocsin.report.marks import sentence_around

if TYPE_CHECKING:
    from tocsin.assess.score import ArticleView, Assessment, SeenFigure, TimelineEvent


def _measure_name(key: str) -> str:
    """'count:troop [Russia, in Belarus]' as 'troop [Russia, in Belarus] (count)'."""
    kind, _, measure = key.partition(":")
    return f"{measure} ({kind})" if measure else key


def _amount(value: object) -> str:
    """A figure as people write it: 6,000,000,000 rather than 6e+09."""
    if not isinstance(value, (int, float)):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _figure(item: SeenFigure, articles: Mapping[int, ArticleView]) -> dict[str, Any]:
    seen = articles.get(item.article_id)
    text, cut = (seen.text, seen.sentences) if seen else ("", ())
    before, span, after = sentence_around(text, cut, item.start, item.end)
    if item.low is not None and item.high is not None:
        parsed = f"{_amount(item.low)}–{_amount(item.high)}"
    else:
        parsed = _amount(item.value)
    value = parsed + (f" {item.unit}" if item.unit else "")
    base, factor = base_unit(item.unit)
    if factor != 1.0 and item.value is not None:
        value += (
            f" (≈ {_amount(round(item.value * factor, 1))} {base})"  # '800 mile (≈ 1,287.5 km)'
        )
    _, _, scope = item.key.partition(" [")
    return {
        "text": item.text,
        "scope": scope.removesuffix("]"),  # whose, where, what people did
        "value": value,
        "outlet": item.outlet or "–",
        "date": day(item.published),
        "title": item.title or "",
        "before": before,
        "span": span or item.text,
        "after": after,
        "href": f"#article-{item.article_id}",
    }


def figures(a: Assessment) -> list[dict[str, Any]]:
    articles = {art.id: art for art in a.articles}
    return [
        {
            "measure": _measure_name(d.measure),
            "figures": [_figure(f, articles) for f in d.figures],
        }
        for d in a.disagreements
    ]


def _range(low: float, high: float, best: float | None = None) -> str:
    text = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    return text + (f" (best {best:g})" if best is not None else "")


def actors(a: Assessment) -> dict[str, Any]:
    model = a.case.actor_model
    names = hypothesis_names(a)
    return {
        "model": model,
        "rows": [
            {
                "name": actor.name,
                "position": _range(actor.position.low, actor.position.high, actor.position.best),
                "salience": _range(actor.salience.low, actor.salience.high, actor.salience.best),
                "capability": _range(
                    actor.capability.low, actor.capability.high, actor.capability.best
                ),
                "note": actor.note,
            }
            for actor in a.case.actors
        ],
        "outcomes": [
            {
                "id": h,
                "title": names.get(h, h),
                "bin": f"{low:g} to {high:g}",
                "p": percent(a.actor_probabilities.get(h)),
            }
            for h, (low, high) in sorted(model.outcomes.items(), key=lambda kv: kv[1])
        ]
        if model
        else [],
        "samples": len(a.actor_outcomes),
        "final": a.actor_rounds[-1] if a.actor_rounds else None,
        "vetoes": veto_text(a),
    }


def event(event: TimelineEvent) -> dict[str, Any]:
    start = event.date_start.isoformat()
    end = event.date_end.isoformat() if event.date_end else None
    return {
        "date": span_of_days(start, end),
        "actor": event.actor or "–",
        "action": event.action or "–",
        "target": event.target or "–",
        "category": _category(event),
        "mode": event.mode,
        "outlet": event.outlet or "–",
        "text": event.text or "",
        "href": f"#article-{event.article_id}",
    }


def _category(event: TimelineEvent) -> str:
    """The event's category, with its action's when they differ: "REJECT of MOBILIZE"."""
    if event.category is None:
        return "–"
    if event.action_category and event.action_category != event.category:
        return f"{event.category} of {event.action_category}"
    return event.category


def track(a: Assessment) -> dict[str, Any]:
    scores = [
        {
            "question": s.question_id,
            "text": s.text,
            "method": s.method,
            "outcome": s.outcome,
            "forecasts": s.forecasts,
            "as_of": day(s.last_as_of),
            "last": distribution(s.last),
            "p_outcome": percent(s.last.get(s.outcome)),
            "brier": number(s.brier),
            "log": number(s.log),
            "mean_brier": number(s.mean_brier),
        }
        for s in a.track.scores
        if s.case_id == a.case.id
    ]
    bins = [
        {
            "bin": f"{b.low:.1f}–{b.high:.1f}",
            "count": b.count,
            "forecast": percent(b.mean_forecast),
            "observed": percent(b.observed),
        }
        for b in a.track.calibration
    ]
    methods = sorted({s.method for s in a.track.scores})
    means = [(m, number(a.track.mean_brier(m))) for m in methods]
    return {"scores": scores, "calibration": bins, "means": means}


def method() -> dict[str, Any]:
    return {
        "reliability": [(k, f"{v:.2f}") for k, v in RELIABILITY.items()],
        "credibility": [(k, f"{v:.2f}") for k, v in CREDIBILITY.items()],
        "status": [(k or "unstated", f"{v:.2f}") for k, v in STATUS_WEIGHT.items()],
    }


def developments(a: Assessment, limit: int = 20) -> list[dict[str, Any]]:
    """The developments several reports were joined into (the update counts each once),
    most reports first: why they were joined, their members, what tied each member to an
    earlier one, and how many independent original sources confirm them (reports in the
    outlets' own voice are one source; "the ministry" is the ministry another report
    names)."""
    found = [c for c in clusters(a.evidence, CLUSTER_DAYS) if len(c.members) > 1]
    found.sort(key=lambda c: (-len(c.members), c.first, c.key))
    by_id = {r.id: r for r in a.evidence}
    return [
        {
            "key": c.key,
            "why": c.why(CLUSTER_DAYS),
            "members": list(c.members),
            "joins": [f"{j.member} with {j.to}: {j.reason}" for j in c.joins],
            "sources": len(set(cluster_origins(by_id, c).values())),
            "window": CLUSTER_DAYS,
        }
        for c in found[:limit]
    ]
