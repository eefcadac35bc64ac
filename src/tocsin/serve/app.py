"""The desk as an ASGI application: ``create_app`` wires the pages over a store.

The middleware, outermost first: the policy headers on every response, the Host check, the
body limit, the signed session, then the token gate and CSRF check (``security``). Pages
live in ``tocsin.serve.pages``, one module per part of the desk, each with its ``routes``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from tocsin.serve import security
from tocsin.serve.pages import (
    alerts,
    audit,
    casedesk,
    cases,
    editor,
    entities,
    queue,
    reader,
    search,
)
from tocsin.serve.state import Desk, Embedding
from tocsin.serve.web import ANALYST, page

MAX_BODY = 2_000_000  # bytes: a case file is at most 1 MB, with room for its form encoding
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Settings:
    """How one desk is served."""

    db: Path
    host: str = "127.0.0.1"
    token: str | None = None
    analyst: str = "analyst"
    secret: str = ""  # signs the session cookies; a fresh one per start when empty
    max_body: int = MAX_BODY
    # Relink with the embedding model too, as `tocsin assess` does (the command's default);
    # off: patterns only.
    embeddings: bool = False
    # How often each page asks for alerts stored since it opened (the bar's count, the
    # alerts page), in seconds.
    alert_poll: float = 10.0


async def login(request: Request) -> Response:
    """The token form (only when the desk has a token)."""
    token = request.app.state.token
    if token is None:
        return RedirectResponse("/", status_code=303)
    if request.method == "POST":
        form = await request.form()
        given = form.get("token")
        if isinstance(given, str) and security.tokens_match(given, token):
            request.session["signed_in"] = True
            return RedirectResponse("/", status_code=303)
        return page(request, "login.html.j2", status=401, failed=True)
    return page(request, "login.html.j2", failed=False)


async def choose_analyst(request: Request) -> Response:
    """Who this browser acts as, kept in its session."""
    form = await request.form()
    name = form.get("analyst")
    if not isinstance(name, str) or not ANALYST.match(name.strip()):
        return page(
            request, "error.html.j2", status=422,
            message="a name is 1 to 40 letters, digits, spaces or . @ ' -",
        )  # fmt: skip
    request.session["analyst"] = name.strip()
    back = request.headers.get("referer", "/")
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/", 303)


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/analyst", choose_analyst, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    for module in (cases, casedesk, queue, reader, search, entities, editor, audit, alerts):
        found.extend(module.routes)
    return found


def create_app(settings: Settings) -> Starlette:
    """The desk over ``settings.db`` (created if missing). Refuses (ConfigError) to serve
    beyond loopback without a token."""
    security.check_bind(settings.host, settings.token)
    hosts = {settings.host.strip("[]").lower(), "localhost", "127.0.0.1", "::1"}
    middleware = [
        Middleware(security.SecurityHeaders),
        Middleware(security.HostCheck, host=settings.host),
        Middleware(security.BodyLimit, limit=settings.max_body),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret or security.new_secret(),
            session_cookie="tocsin_desk",
            same_site="strict",
            https_only=False,
            max_age=14 * 24 * 3600,
        ),
        Middleware(security.Guard, token=settings.token, origin_hosts=hosts),
    ]
    desk = Desk(settings.db)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        desk.close()

    app = Starlette(routes=routes(), middleware=middleware, lifespan=lifespan)
    app.state.desk = desk
    app.state.embedding = Embedding(settings.embeddings)
    app.state.alert_poll_ms = max(500, round(1000 * settings.alert_poll))
    app.state.token = settings.token
    app.state.analyst = settings.analyst
    return app
