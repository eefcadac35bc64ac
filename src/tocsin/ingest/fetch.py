"""Fetch URLs with httpx, safely: a deadline per response, address checks on every hop,
a size cap, a redirect cap, content-type checks, conditional GET and an honest User-Agent.

Redirects are followed here, not by httpx, so that each hop is checked (``guard``) and paced
(a ``Pacer``, see ``polite``) like the first. The client's network backend checks the peer
address of every connection it makes and bounds every read and write by the deadline of the
response being fetched, so a server that trickles one byte a second cannot hold a fetch past
``fetch_deadline`` (httpx's own timeout applies to each read, not to the whole response).
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Protocol, overload
from urllib.parse import urljoin

import httpcore
import httpx

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.guard import AllowList, check_address, check_url
from tocsin.models import RawItem

USER_AGENT = "tocsin/0.1 (news-analysis research tool; +https://pypi.org/project/tocsin/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Validators:
    """What a server said identifies a version of a page: sent back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def of(cls, headers: httpx.Headers) -> Validators:
        return cls(headers.get("etag"), headers.get("last-modified"))

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent


@dataclass(frozen=True)
class Fetched:
    """A page fetched with validators: the item and the validators for next time."""

    item: RawItem
    validators: Validators


@dataclass(frozen=True)
class NotModified:
    """The server answered 304: the page is as it was when ``validators`` were given."""

    url: str
    validators: Validators


@dataclass(frozen=True)
class Response:
    """One complete answer (after redirects): status, headers, body and where it came from."""

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


class Pacer(Protocol):
    """Admits requests to a host: may refuse one (robots.txt) or make it wait its turn."""

    def admit(
        self, url: str, client: httpx.Client, config: Config
    ) -> AbstractContextManager[None]: ...


def make_client(config: Config, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with tocsin's limits; tests pass a MockTransport or talk to 127.0.0.1.

    The default transport connects directly (proxies from the environment are not used:
    the address checks must see the server itself) through the guarded network backend.
    """
    return httpx.Client(
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html, application/xhtml+xml, "
            "application/rss+xml, application/atom+xml, text/plain;q=0.8, */*;q=0.1",
        },
        timeout=httpx.Timeout(config.fetch_timeout, connect=min(10.0, config.fetch_timeout)),
        follow_redirects=False,
        transport=transport or _GuardedTransport(AllowList.parse(config.fetch_allow)),
    )


def kind_for(content_type: str | None) -> str | None:
    """'html', 'text' or 'feed' for a content type tocsin reads, else None."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in HTML_TYPES or not mime:
        return "html"
    if mime in TEXT_TYPES:
        return "text"
    if mime in FEED_TYPES:
        return "feed"
    return None


@overload
def fetch(
    url: str,
    client: httpx.Client,
    config: Config,
    validators: None = None,
    *,
    pacer: Pacer | None = None,
) -> RawItem: ...


@overload
def fetch(
    url: str,
    client: httpx.Client,
    config: Config,
    validators: Validators,
    *,
    pacer: Pacer | None = None,
) -> Fetched | NotModified: ...


def fetch(
    url: str,
    client: httpx.Client,
    config: Config,
    validators: Validators | None = None,
    *,
    pacer: Pacer | None = None,
) -> RawItem | Fetched | NotModified:
    """GET ``url`` and return its body as a RawItem, or raise InputError with the reason.

    With ``validators`` (possibly empty) the request is conditional: a 304 gives NotModified,
    a page gives Fetched with the page's new validators.
    """
    sent = validators.headers() if validators is not None else {}
    response = get(url, client, config, headers=sent, pacer=pacer)
    if validators is not None and response.status == 304:
        fresh = Validators.of(response.headers)
        return NotModified(
            url,
            Validators(
                fresh.etag or validators.etag, fresh.last_modified or validators.last_modified
            ),
        )
    if response.status >= 300:
        raise InputError(FailureCode.HTTP_STATUS, f"HTTP {response.status} {response.reason}")
    content_type = response.headers.get("content-type")
    kind = kind_for(content_type)
    if kind is None:
        raise InputError(
            FailureCode.CONTENT_TYPE, f"content type {content_type!r} is not an article"
        )
    item = RawItem(
        locator=url,
        kind="feed" if kind == "feed" else ("text" if kind == "text" else "html"),
        data=response.body,
        url=response.url,
        content_type=content_type,
    )
    if validators is None:
        return item
    return Fetched(item, Validators.of(response.headers))


def get(
    url: str,
    client: httpx.Client,
    config: Config,
    *,
    headers: dict[str, str] | None = None,
    pacer: Pacer | None = None,
    limit: int | None = None,
    cut: bool = False,
) -> Response:
    """GET ``url`` following redirects, each hop checked and paced; any status is returned.

    The body may be ``limit`` bytes at most (default ``max_fetch_bytes``): past it the fetch
    fails as too large, or with ``cut`` the body is cut there (for robots.txt).
    """
    allow = AllowList.parse(config.fetch_allow)
    current = url
    for _ in range(config.max_redirects + 1):
        check_url(current, allow)
        admitted = pacer.admit(current, client, config) if pacer else nullcontext()
        with admitted:
            response, location = _get_once(
                current, client, config, headers or {}, limit or config.max_fetch_bytes, cut
            )
        if location is None:
            return response
        current = location
    raise InputError(
        FailureCode.REDIRECT_LOOP, f"more than {config.max_redirects} redirects (last: {current})"
    )


def _get_once(
    url: str, client: httpx.Client, config: Config, headers: dict[str, str], limit: int, cut: bool
) -> tuple[Response, str | None]:
    """One request, under the response deadline; a redirect's absolute target beside it."""
    try:
        with _deadline(config.fetch_deadline) as expired:
            try:
                request = client.build_request("GET", url, headers=headers)
                answer = client.send(request, stream=True)
                try:
                    return _read(url, answer, limit, cut, expired)
                finally:
                    answer.close()
            except httpx.TimeoutException as exc:
                if expired.is_set():
                    raise _late(url, config) from exc
                raise InputError(
                    FailureCode.TIMEOUT, f"no answer within {config.fetch_timeout:g}s"
                ) from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise InputError(FailureCode.UNREACHABLE, f"cannot reach {url}: {exc}") from exc
    except httpx.InvalidURL as exc:
        raise InputError(FailureCode.UNSUPPORTED, f"invalid URL {url!r}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise InputError(FailureCode.UNREACHABLE, f"request to {url} failed: {exc}") from exc


def _read(
    url: str, answer: httpx.Response, limit: int, cut: bool, expired: threading.Event
) -> tuple[Response, str | None]:
    location = answer.headers.get("location")
    if answer.status_code in REDIRECTS and location:
        return _response(url, answer, b""), urljoin(str(answer.url), location)
    if answer.status_code >= 300:
        return _response(str(answer.url), answer, b""), None  # an error page is not read
    declared = int(answer.headers.get("content-length") or 0) if not cut else 0
    if declared > limit:
        raise _too_large(declared, limit)
    body = bytearray()
    for chunk in answer.iter_bytes():
        body += chunk
        if len(body) > limit:
            if cut:
                del body[limit:]
                break
            raise _too_large(len(body), limit)
        if _remaining() <= 0:
            expired.set()
            raise httpx.ReadTimeout("response deadline passed")
    return _response(str(answer.url), answer, bytes(body)), None


def _response(url: str, answer: httpx.Response, body: bytes) -> Response:
    return Response(url, answer.status_code, answer.reason_phrase, answer.headers, body)


def _too_large(size: int, limit: int) -> InputError:
    return InputError(FailureCode.TOO_LARGE, f"response exceeds {limit:,} bytes ({size:,} read)")


def _late(url: str, config: Config) -> InputError:
    return InputError(
        FailureCode.TIMEOUT,
        f"response from {url} not complete within the {config.fetch_deadline:g}s deadline "
        "(fetch_deadline)",
    )


# --- the deadline and the peer check, inside httpx's network layer -----------------------

_local = threading.local()


@contextmanager
def _deadline(seconds: float) -> Iterator[threading.Event]:
    """Run the block with this thread's response deadline set; the event tells if it hit."""
    expired = threading.Event()
    _local.deadline = (time.monotonic() + seconds, expired)
    try:
        yield expired
    finally:
        _local.deadline = None


def _remaining() -> float:
    current = getattr(_local, "deadline", None)
    return float("inf") if current is None else current[0] - time.monotonic()


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of the deadline; raise ``error`` when nothing is."""
    left = _remaining()
    if left == float("inf"):
        return timeout
    if left <= 0:
        _local.deadline[1].set()
        raise error("response deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the response deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _bounded(timeout, httpcore.ReadTimeout)
        try:
            return self._inner.read(max_bytes, timeout=bounded)
        except httpcore.ReadTimeout:
            if _remaining() <= 0:
                _local.deadline[1].set()
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout=_bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects as httpcore does, then refuses a peer in a refused range (DNS rebinding)."""

    def __init__(self, allow: AllowList) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow = allow

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        try:
            peer = stream.get_extra_info("server_addr")
            check_address(host, str(peer[0]), self._allow)
        except BaseException:
            stream.close()
            raise
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("tocsin does not fetch over unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over the guarded backend; no proxies, TLS verified as usual."""

    def __init__(self, allow: AllowList) -> None:
        super().__init__()  # then its pool is replaced by one over the guarded backend
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow),
        )
