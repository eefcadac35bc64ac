"""What every page of the desk shares: the templates, the analyst, replies and errors.

Templates are Jinja2 with autoescaping on and ``StrictUndefined``: every string from an
article, a case file or an analyst reaches the page escaped. The few pieces of markup let
through (highlighted article text) are built by ``tocsin.report.marks``, which escapes the
text around its own elements.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from tocsin.errors import InvalidInput, NotFound, StoreError, TocsinError
from tocsin.serve.state import Desk

ANALYST = re.compile(r"^[\w .@'-]{1,40}$")
Endpoint = Callable[[Request], Awaitable[Response]]
SyncEndpoint = Callable[[Request], Response]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tocsin.serve", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda p: "–" if p is None else f"{100 * float(p):.1f}%"
    env.filters["day"] = lambda d: "" if d is None else str(d)[:10]
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env


_ENV = environment()


def desk(request: Request) -> Desk:
    found: Desk = request.app.state.desk
    return found


def analyst(request: Request) -> str:
    """Who is acting: the name this browser's session chose, else the desk's default."""
    name = request.session.get("analyst")
    return name if isinstance(name, str) and ANALYST.match(name) else request.app.state.analyst


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A whole page from ``template``, with what the layout needs."""
    html = _ENV.get_template(template).render(
        request=request,
        csrf=request.session.get("csrf", ""),
        analyst=analyst(request),
        nav=request.scope.get("nav", ""),
        alert_poll_ms=getattr(request.app.state, "alert_poll_ms", 10_000),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def fragment(template: str, **context: Any) -> str:
    """A piece of a page (for a reply to the desk's script)."""
    return _ENV.get_template(template).render(**context)


def as_of_param(request: Request) -> date | None:
    """The ``as_of`` query parameter as a date (None: now); a bad one is InvalidInput."""
    value = request.query_params.get("as_of") or None
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"as_of must be a date (YYYY-MM-DD), not {value!r}") from exc


def int_param(params: Mapping[str, str], name: str, default: int | None = None) -> int:
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise InvalidInput(f"{name} is required")
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a whole number, not {value!r}") from exc


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


_STATUS = ((NotFound, 404), (InvalidInput, 422), (StoreError, 503))


def error_reply(request: Request, exc: TocsinError) -> Response:
    """A tocsin error as a page or JSON, with its status; the message is escaped."""
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    if wants_json(request) or request.method != "GET":
        return JSONResponse({"error": str(exc)}, status_code=status)
    return page(request, "error.html.j2", status=status, message=str(exc))


def handled(endpoint: Endpoint) -> Endpoint:
    """An async endpoint, with tocsin's errors answered as pages or JSON."""

    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except TocsinError as exc:
            return error_reply(request, exc)

    return run


def handled_sync(endpoint: SyncEndpoint) -> SyncEndpoint:
    """A plain endpoint (Starlette runs it in its thread pool: it may read the store),
    with tocsin's errors answered as pages or JSON."""

    @functools.wraps(endpoint)
    def run(request: Request) -> Response:
        try:
            return endpoint(request)
        except TocsinError as exc:
            return error_reply(request, exc)

    return run


async def json_object(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object; anything else is InvalidInput (a 422)."""
    try:
        body = await request.json()
    except ValueError as exc:
        raise InvalidInput("the request's body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise InvalidInput("the request's body must be a JSON object")
    return body
