"""The alerts `tocsin watch` rang, live: newest first, each with the sentences behind it and
where it was delivered.

``GET /alerts`` lists them (``case`` filters); ``GET /alerts.json?after=ID`` gives those
stored after alert ``ID``, which the desk's script asks for every few seconds on every
page, so an analyst reviewing links sees a development land without reloading (the bar's
"Alerts" link counts the new ones; this page adds them at the top).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.serve.web import desk, handled_sync, int_param, page
from tocsin.store import alerts as kept

SHOWN = 200  # alerts on the page
LIVE = 50  # alerts in one reply to the script


def alert_json(alert: kept.StoredAlert, channels: dict[str, str] | None = None) -> dict[str, Any]:
    """An alert as the page's script takes it: the channels' form, with its id and where
    it went."""
    return alert.as_json() | {"id": alert.id, "delivered": channels or {}}


@handled_sync
def alerts_page(request: Request) -> Response:
    """The alerts, newest first."""
    case_id = request.query_params.get("case") or None
    d = desk(request)
    with d.store() as store:
        found = kept.alerts(store, case_id=case_id, limit=SHOWN)
        delivered = {a.id: {x.channel: x.status for x in kept.deliveries(store, a.id)}
                     for a in found}  # fmt: skip
        known = kept.latest_id(store)
    request.scope["nav"] = "alerts"
    return page(
        request,
        "alerts.html.j2",
        alerts=[alert_json(a, delivered[a.id]) for a in found],
        case=case_id or "",
        cases=d.case_ids(),
        latest=known,
    )


@handled_sync
def alerts_json(request: Request) -> Response:
    """The alerts stored after ``after`` (an id), oldest first, and the newest id."""
    after = int_param(request.query_params, "after", 0)
    case_id = request.query_params.get("case") or None
    with desk(request).store() as store:
        found = kept.alerts(store, case_id=case_id, after_id=after, limit=LIVE)
        known = kept.latest_id(store)
    found.reverse()
    return JSONResponse({"alerts": [alert_json(a) for a in found], "latest": known})


routes: list[BaseRoute] = [
    Route("/alerts", alerts_page, name="alerts"),
    Route("/alerts.json", alerts_json, name="alerts_json"),
]
