"""The case desk: one case's bottom line, trajectory, indicators, what changed since a
chosen date, the ACH matrix, sensitivity, the analysts' disagreements, time travel (any
as-of date) and the report and brief to download.

Charts are SVG documents at their own addresses, loaded as images: they are drawn by
matplotlib, which styles them inline, and an image's styles do not need the page's policy
to allow inline style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.assess.assessment import assess
from tocsin.assess.score import Assessment
from tocsin.errors import NotFound
from tocsin.report import charts
from tocsin.report.common import ach_labels, bottom_line, day, grade, percent
from tocsin.report.html import render_html, summary
from tocsin.report.markdown import render_markdown
from tocsin.serve.web import as_of_param, desk, handled_sync, page
from tocsin.store import desk as kept

CHARTS = {
    "trajectory": charts.trajectory,
    "ach": charts.ach,
    "tornado": charts.tornado,
    "actors": charts.monte_carlo,
}
# Whether the case has each chart, without drawing it (the conditions of tocsin.report.charts).
HAS_CHART: dict[str, Callable[[Assessment], bool]] = {
    "trajectory": lambda a: bool(a.trajectory),
    "ach": lambda a: bool(a.ach.evidence),
    "tornado": lambda a: bool(a.sensitivity.tornado),
    "actors": lambda a: bool(a.actor_outcomes) and a.case.actor_model is not None,
}
MAX_CHANGES = 50  # new evidence items listed in "what changed"


@dataclass(frozen=True)
class Moved:
    hypothesis: str
    title: str
    before: float
    now: float

    @property
    def points(self) -> float:
        return 100 * (self.now - self.before)


def _probabilities_on(a: Assessment, when: date) -> dict[str, float]:
    """The forecast as the trajectory had it at the end of ``when`` (the priors before)."""
    known = a.priors
    for d, p in a.trajectory:
        if d > when:
            break
        known = p
    return known


def default_since(a: Assessment) -> date | None:
    """The day before the newest day of evidence: what the latest reporting changed."""
    days = [d for d, _ in a.trajectory]
    return days[-2] if len(days) >= 2 else None


def changes(a: Assessment, since: date | None, audit: list[kept.AuditEntry]) -> dict[str, Any]:
    """What changed after ``since``: new evidence, moved probabilities, new uncorroborated
    claims and the analysts' actions."""
    if since is None:
        return {"since": None, "evidence": [], "moved": [], "uncorroborated": [], "actions": []}
    titles = {h.id: h.title for h in a.case.hypotheses}
    before = _probabilities_on(a, since)
    now = a.posterior.probabilities
    moved = [Moved(h, titles.get(h, h), before.get(h, 0.0), now.get(h, 0.0)) for h in now]
    fresh = sorted(
        (r for r in a.evidence if r.when is not None and r.when > since),
        key=lambda r: (r.when or date.min, r.id),
        reverse=True,
    )
    return {
        "since": since,
        "moved": sorted(moved, key=lambda m: -abs(m.points)),
        "evidence": [_row(r) for r in fresh[:MAX_CHANGES]],
        "more": max(0, len(fresh) - MAX_CHANGES),
        "uncorroborated": [_row(r) for r in fresh if r.uncorroborated],
        "actions": audit,
    }


def _row(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "date": day(r.when),
        "indicator": r.indicator or "(hand-entered)",
        "polarity": r.polarity,
        "source": r.source or "unattributed",
        "grade": grade(r.reliability, r.credibility),
        "text": r.text,
        "article_id": r.article_id,
        "start": r.start,
    }


def link_disagreements(request: Request, case_id: str) -> list[dict[str, Any]]:
    """Links on which two analysts' latest decisions differ."""
    with desk(request).store() as store:
        found = kept.latest_by_analyst(store, case_id, "link.")
    out = []
    for target, by in sorted(found.items()):
        verdicts = standing_verdicts(by)
        if len(set(verdicts.values())) > 1:
            out.append(
                {
                    "target": target,
                    "link": next(iter(by.values())).detail.get("link"),
                    "verdicts": sorted(verdicts.items()),
                }
            )
    return out


def ach_disagreements(a: Assessment) -> list[dict[str, Any]]:
    """The ACH cells the case file's analysts rated differently (the report's ±): each
    with every analyst's rating, as the case file names them."""
    labels = ach_labels(a)
    manual = {m.id: m for m in a.case.evidence}
    out = []
    for (evidence, hypothesis), spread in sorted(a.ach.disagreement.items()):
        item = manual.get(evidence)
        if item is None or not spread:
            continue
        votes = sorted(
            (name, rating[hypothesis])
            for name, rating in item.ratings.items()
            if hypothesis in rating
        )
        if len({r for _, r in votes}) > 1:
            out.append({"evidence": labels.get(evidence, evidence), "hypothesis": hypothesis,
                        "spread": spread, "votes": votes})  # fmt: skip
    return out


def standing_verdicts(latest: Mapping[str, kept.AuditEntry]) -> dict[str, str]:
    """Each analyst's verdict on one link from their latest entry on it ('reject', 'accept
    negated', 'relink I3'); an analyst whose latest entry withdrew a decision holds none."""
    out = {}
    for name, entry in latest.items():
        action = entry.action.removeprefix("link.")
        if action == "withdraw":
            continue
        extra = entry.detail.get("new_indicator") or entry.detail.get("polarity")
        out[name] = f"{action} {extra}" if extra else action
    return out


def _since_param(request: Request, a: Assessment) -> date | None:
    value = request.query_params.get("since")
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return default_since(a)
    return default_since(a)


@handled_sync
def case_desk(request: Request) -> Response:
    """One case at a glance."""
    case_id = request.path_params["case_id"]
    as_of = as_of_param(request)
    d = desk(request)
    a = d.assessment(case_id, as_of)
    since = _since_param(request, a)
    with d.store() as store:
        audit = kept.audit_entries(
            store, case_id=case_id, since=since.isoformat() if since else None, limit=20
        )
        versions = kept.case_versions(store, case_id)
    request.scope["nav"] = "cases"
    return page(
        request,
        "desk.html.j2",
        a=a,
        s=summary(a),
        as_of=as_of,
        as_of_query=f"?as_of={as_of.isoformat()}" if as_of else "",
        changes=changes(a, since, audit),
        disagreements=link_disagreements(request, case_id),
        ach_disagreements=ach_disagreements(a),
        version=versions[0] if versions else None,
        pending=sum(1 for r in a.evidence if r.kind == "link" and r.decision is None),
        days=[d.isoformat() for d, _ in a.trajectory],
        charts=[name for name, has in HAS_CHART.items() if has(a)],
    )


@handled_sync
def case_chart(request: Request) -> Response:
    """One chart of the case as an SVG document."""
    name = request.path_params["name"]
    make = CHARTS.get(name)
    if make is None:
        raise NotFound(f"no chart {name!r}")
    a = desk(request).assessment(request.path_params["case_id"], as_of_param(request))
    svg = make(a)
    if svg is None:
        raise NotFound(f"the case has no {name} chart")
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    return Response(head + svg, media_type="image/svg+xml")


@handled_sync
def case_summary(request: Request) -> Response:
    """The bottom line as JSON: what the desk's script shows after each decision."""
    d, case_id, as_of = desk(request), request.path_params["case_id"], as_of_param(request)
    a = d.bottom_line(case_id) if as_of is None else d.assessment(case_id, as_of)
    return JSONResponse(summary_json(a))


def summary_json(a: Assessment) -> dict[str, Any]:
    titles = {h.id: h.title for h in a.case.hypotheses}
    return {
        "case": a.case.id,
        "leader": a.leader,
        "leader_title": titles.get(a.leader, a.leader),
        "bottom_line": bottom_line(a),
        "posterior": a.posterior.probabilities,
        "posterior_text": {h: percent(p) for h, p in a.posterior.probabilities.items()},
        "evidence": len(a.evidence),
    }


def _download(text: str, name: str, media: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(text, media_type=media, headers={"content-disposition": disposition})


def _whole(request: Request) -> Assessment:
    """The assessment as ``tocsin report`` makes it, from every article's text: the
    report lists every article with its words, and quotes the sentence around each
    conflicting figure, where the desk's own assessment holds the linked articles' texts
    only (``assessment.load``). The same numbers, read whole once per download."""
    d = desk(request)
    case = d.case(request.path_params["case_id"])
    with d.store() as store:
        return assess(store, case, as_of=as_of_param(request))


@handled_sync
def case_report(request: Request) -> Response:
    """The self-contained HTML report, as a download (it has its own inline styles, so it
    is not shown under the desk's policy)."""
    a = _whole(request)
    return _download(render_html(a), f"{a.case.id}.html", "text/html")


@handled_sync
def case_brief(request: Request) -> Response:
    """The Markdown brief, as a download."""
    a = _whole(request)
    return _download(render_markdown(a), f"{a.case.id}.md", "text/markdown")


routes: list[BaseRoute] = [
    Route("/cases/{case_id}", case_desk, name="case"),
    Route("/cases/{case_id}/chart/{name}.svg", case_chart, name="chart"),
    Route("/cases/{case_id}/summary.json", case_summary, name="summary"),
    Route("/cases/{case_id}/report.html", case_report, name="report"),
    Route("/cases/{case_id}/brief.md", case_brief, name="brief"),
]
