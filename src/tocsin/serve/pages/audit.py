"""The audit log: who did what and when, newest first, filtered by case, analyst, action and
date, a page at a time (``before_id``: the entries older than the last one shown).

Every entry the store keeps is here: the case files saved (``case.save``), relinks
(``case.relink``), decisions on links (``link.accept``, ``link.reject``, ``link.relink``,
and ``link.withdraw`` when one is taken back)
and entity merges and splits. An entry's target links to what it acted on: a link's
sentence in the article reader, a case file's version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import InvalidInput
from tocsin.serve.web import desk, handled_sync, int_param, page
from tocsin.store import desk as kept

PAGE = 100  # entries a page
FILTERS = ("case", "analyst", "action", "from", "to")
_LINK = re.compile(r"^link:(\d+):(\d+):(\d+):(.+)$")
_VERSION = re.compile(r"^case:v(\d+)$")


@dataclass(frozen=True)
class Entry:
    """One entry as the page shows it."""

    id: int
    at: str
    analyst: str
    action: str
    case_id: str | None
    target: str
    href: str | None
    detail: list[tuple[str, str]]


def target_href(case_id: str | None, target: str) -> str | None:
    """Where an entry's target can be seen: a link's sentence in the reader, a case file's
    version; None for the rest."""
    link = _LINK.match(target)
    if link:
        return f"/articles/{link.group(1)}#s{link.group(2)}"
    version = _VERSION.match(target)
    if version and case_id:
        return f"/cases/{case_id}/versions/{version.group(1)}"
    return None


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def entry(e: kept.AuditEntry) -> Entry:
    """``e`` for the page: its detail as key: value pairs (the empty ones left out)."""
    detail = [(k, _value(v)) for k, v in e.detail.items() if v is not None and v != ""]
    at = e.at[:19].replace("T", " ")
    return Entry(e.id, at, e.analyst, e.action, e.case_id, e.target,
                 target_href(e.case_id, e.target), detail)  # fmt: skip


def _day(request: Request, name: str) -> date | None:
    value = request.query_params.get(name) or None
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from exc


@handled_sync
def audit_page(request: Request) -> Response:
    """The audit log, newest first."""
    params = request.query_params
    chosen = {name: params.get(name, "") for name in FILTERS}
    first, last = _day(request, "from"), _day(request, "to")
    before = int_param(params, "before_id", 0) or None
    with desk(request).store() as store:
        found = kept.audit_entries(
            store,
            case_id=chosen["case"] or None,
            analyst=chosen["analyst"] or None,
            action=chosen["action"] or None,
            since=first.isoformat() if first else None,
            until=(last + timedelta(days=1)).isoformat() if last else None,
            before_id=before,
            limit=PAGE + 1,
        )
        cases, names, actions = (
            kept.case_ids(store),
            kept.analysts(store),
            kept.audit_actions(store),
        )
    shown = found[:PAGE]
    query = {k: v for k, v in chosen.items() if v}
    older = urlencode({**query, "before_id": shown[-1].id}) if len(found) > PAGE else None
    request.scope["nav"] = "audit"
    return page(
        request,
        "audit.html.j2",
        entries=[entry(e) for e in shown],
        chosen=chosen,
        cases=cases,
        names=names,
        actions=sorted({a.split(".")[0] + "." for a in actions} | set(actions)),
        older=older,
        newest=urlencode(query) if before else None,
    )


routes: list[BaseRoute] = [Route("/audit", audit_page, name="audit")]
