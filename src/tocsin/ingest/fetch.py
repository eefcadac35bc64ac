"""Fetch URLs with httpx: timeouts, a size cap, a redirect cap, content-type checks, honest UA."""

from __future__ import annotations

import httpx

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
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


def make_client(config: Config, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with tocsin's limits; tests pass a MockTransport or talk to 127.0.0.1."""
    return httpx.Client(
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html, application/xhtml+xml, "
            "application/rss+xml, application/atom+xml, text/plain;q=0.8, */*;q=0.1",
        },
        timeout=httpx.Timeout(config.fetch_timeout, connect=min(10.0, config.fetch_timeout)),
        follow_redirects=True,
        max_redirects=config.max_redirects,
        transport=transport,
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


def fetch(url: str, client: httpx.Client, config: Config) -> RawItem:
    """GET ``url`` and return its body as a RawItem, or raise InputError with the reason."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise InputError(
                    FailureCode.HTTP_STATUS, f"HTTP {response.status_code} {response.reason_phrase}"
                )
            content_type = response.headers.get("content-type")
            kind = kind_for(content_type)
            if kind is None:
                raise InputError(
                    FailureCode.CONTENT_TYPE, f"content type {content_type!r} is not an article"
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > config.max_fetch_bytes:
                raise _too_large(declared, config)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > config.max_fetch_bytes:
                    raise _too_large(len(body), config)
            final_url = str(response.url)
    except httpx.TooManyRedirects as exc:
        raise InputError(
            FailureCode.REDIRECT_LOOP, f"more than {config.max_redirects} redirects: {exc}"
        ) from exc
    except httpx.TimeoutException as exc:
        raise InputError(
            FailureCode.TIMEOUT, f"no answer within {config.fetch_timeout:g}s"
        ) from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise InputError(FailureCode.UNREACHABLE, f"cannot reach {url}: {exc}") from exc
    except httpx.InvalidURL as exc:
        raise InputError(FailureCode.UNSUPPORTED, f"invalid URL {url!r}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise InputError(FailureCode.UNREACHABLE, f"request to {url} failed: {exc}") from exc
    return RawItem(
        locator=url,
        kind="feed" if kind == "feed" else ("text" if kind == "text" else "html"),
        data=bytes(body),
        url=final_url,
        content_type=content_type,
    )


def _too_large(size: int, config: Config) -> InputError:
    return InputError(
        FailureCode.TOO_LARGE, f"response exceeds {config.max_fetch_bytes:,} bytes ({size:,} read)"
    )
