"""The cases page: every case the store keeps, with its bottom line.

The list reads what the store recorded (each case's latest full assessment, its
resolution, its newest linked evidence), so it costs a few queries however large the
store; a case the desk has assessed since shows that assessment instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import InvalidInput
from tocsin.models.assessment import Forecast
from tocsin.serve.web import desk, handled_sync, page
from tocsin.store import assessment as stored
from tocsin.store.db import Store


@dataclass(frozen=True)
class CaseLine:
    id: str
    question: str
    leader: str | None
    leader_title: str
    probability: float | None
    as_of: date | None
    deadline: date
    last_evidence: str | None
    resolved: str | None
    faulty: str | None = None


def _lines(request: Request) -> list[CaseLine]:
    d = desk(request)
    lines = []
    with d.store() as store:
        latest = _latest_forecasts(store)
        resolved = {
            r.case_id: r.outcome for r in stored.resolutions(store) if r.question_id == "main"
        }
        last = dict(
            store.conn.execute(
                "SELECT case_id, max(published) FROM evidence_links GROUP BY case_id"
            ).fetchall()
        )
    for case_id in d.case_ids():
        try:
            case = d.case(case_id)
        except InvalidInput as exc:  # a version saved by hand that no longer parses
            lines.append(
                CaseLine(case_id, "", None, "", None, None, date.min, None, None, str(exc))
            )
            continue
        titles = {h.id: h.title for h in case.hypotheses}
        forecast = latest.get(case_id)
        leader, p, when = None, None, None
        if forecast is not None:
            leader = max(forecast.probabilities, key=lambda h: forecast.probabilities[h])
            p, when = forecast.probabilities[leader], forecast.as_of
        lines.append(
            CaseLine(case_id, case.question, leader, titles.get(leader or "", leader or ""), p,
                     when, case.resolution.deadline, last.get(case_id), resolved.get(case_id))
        )  # fmt: skip
    return lines


def _latest_forecasts(store: Store) -> dict[str, Forecast]:
    return {f.case_id: f for f in stored.latest_forecasts(store, "main", "bayes")}


@handled_sync
def cases_page(request: Request) -> Response:
    """Every case in the store."""
    request.scope["nav"] = "cases"
    return page(request, "cases.html.j2", cases=_lines(request))


routes: list[BaseRoute] = [Route("/", cases_page, name="cases")]
