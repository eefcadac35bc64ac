"""What keeps the desk safe to open on untrusted text, as pure ASGI middleware.

- **Where it listens.** Loopback by default; any other address is refused unless a token
  is set (``check_bind``). With a token, every request but the login page and the static
  files needs a session that presented it, or ``Authorization: Bearer <token>``.
- **Hosts.** Requests must name the host the desk was started on (or a loopback name), so
  a web page cannot reach a desk on 127.0.0.1 through DNS rebinding.
- **Sessions** are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous),
  ``HttpOnly`` and ``SameSite=Strict``.
- **CSRF.** Every state-changing request carries the session's token, in the
  ``X-CSRF-Token`` header (the desk's script) or a ``csrf`` form field, and an ``Origin``,
  if sent, must be the desk's own.
- **Content-Security-Policy**: scripts, styles, images and connections from the desk itself
  only; no inline script or style, no frames, no plugins, no form posting elsewhere.
- **Bodies** larger than ``max_body`` bytes are refused with 413, whether they announce
  their length or stream it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tocsin.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
# A chart is an SVG document loaded as an image: it runs no script, and matplotlib styles
# it inline, so its own policy allows inline style and nothing else.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with
    # the desk's own form posts and same-origin fetches, which the CSRF check refuses.
    # Other sites still get no referrer (a link to an article's source leaks nothing).
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) stays on this machine."""
    if host.strip("[]") in ("localhost", "::1"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a token (ConfigError says what to do)."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"refusing to serve on {host} without a token: anyone who can reach it could read"
            " and change the store. Pass --token or --token-file, or serve on 127.0.0.1"
        )
    if token is not None and len(token) < 16:
        raise ConfigError("a token must be at least 16 characters long")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(given: str | None, wanted: str | None) -> bool:
    """Constant-time comparison; nothing matches a missing token."""
    if not given or not wanted:
        return False
    return hmac.compare_digest(given.encode("utf-8"), wanted.encode("utf-8"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the policy headers to every response (an SVG chart gets ``SVG_CSP``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {bytes(k).lower() for k, _ in headers}
                kind = dict(headers).get(b"content-type", b"")
                policy = SVG_CSP if bytes(kind).startswith(b"image/svg") else CSP
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", policy.encode()))
                headers.extend(h for h in HEADERS if h[0] not in names)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HostCheck:
    """Refuses (400) a request whose Host is neither the desk's nor a loopback name."""

    def __init__(self, app: ASGIApp, host: str) -> None:
        self.app = app
        self.allowed = {host.strip("[]").lower(), *(n.strip("[]") for n in LOOPBACK_NAMES)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = (_header(scope, b"host") or "").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.strip("[]") not in self.allowed:
                await _refuse(send, 400, "unknown host")
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses (413) a request body over ``limit`` bytes, announced or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = _header(scope, b"content-length")
        if announced is not None and (not announced.isdigit() or int(announced) > self.limit):
            await _refuse(send, 413, f"request body larger than {self.limit:,} bytes")
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await _refuse(send, 413, f"request body larger than {self.limit:,} bytes")


class BodyTooLarge(Exception):
    """A streamed body went past the limit."""


class Guard:
    """The token gate and the CSRF check, behind the session middleware (which puts the
    session in ``scope['session']``)."""

    OPEN_PATHS = ("/login", "/static/")

    def __init__(self, app: ASGIApp, token: str | None, origin_hosts: set[str]) -> None:
        self.app = app
        self.token = token
        self.origin_hosts = origin_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.setdefault("session", {})
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        path = scope.get("path", "")
        if (
            self.token
            and not self._signed_in(scope, session)
            and not path.startswith(self.OPEN_PATHS)
        ):
            if scope.get("method") in SAFE_METHODS:
                await _redirect(send, "/login")
            else:
                await _refuse(send, 401, "sign in first: this desk needs its token")
            return
        if scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if not self._same_origin(scope):
            await _refuse(send, 403, "refused: the request came from another site")
            return
        if csrf_ok(session, _header(scope, b"x-csrf-token")):
            await self.app(scope, receive, send)
            return
        # A plain form: its body (bounded by BodyLimit, outside) holds the token; it is
        # read here and handed on whole.
        body = await _whole_body(receive)
        kind = (_header(scope, b"content-type") or "").split(";")[0].strip()
        field = parse_qs(body.decode("utf-8", "replace")).get("csrf", [None])[0]
        if kind != "application/x-www-form-urlencoded" or not csrf_ok(session, field):
            await _refuse(send, 403, "refused: missing or wrong CSRF token (reload the page)")
            return
        await self.app(scope, _replay(body), send)

    def _signed_in(self, scope: Scope, session: dict[str, Any]) -> bool:
        if session.get("signed_in") is True:
            return True
        bearer = _header(scope, b"authorization") or ""
        return bearer.startswith("Bearer ") and tokens_match(bearer[7:], self.token)

    def _same_origin(self, scope: Scope) -> bool:
        origin = _header(scope, b"origin")
        if origin is None or origin == "null":
            return origin is None
        parts = urlsplit(origin)
        return (parts.hostname or "").lower() in self.origin_hosts


async def _redirect(send: Send, to: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", to.encode()), (b"content-length", b"0"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _whole_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def csrf_ok(session: dict[str, Any], given: str | None) -> bool:
    """Whether a state-changing request carries the session's CSRF token."""
    return tokens_match(given, session.get("csrf"))
