"""Sources expanded to inputs over HTTP (a local server on 127.0.0.1): sitemaps and their
indexes by <lastmod>, lists of URLs, conditional GETs, and a feed through a whole cycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from tests.watch.conftest import LOOPBACK
from werkzeug import Request, Response

from tocsin.config import Config
from tocsin.errors import InputError
from tocsin.store.db import Store
from tocsin.store.watch import SourceState
from tocsin.watch.cycle import CycleOptions, run_cycle
from tocsin.watch.expand import Clients, Expansion, expand
from tocsin.watch.sitemap import parse_sitemap
from tocsin.watch.sources import Source, parse_sources

pytestmark = pytest.mark.network
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _source(kind: str, url: str) -> Source:
    return parse_sources(
        f"sources:\n  - {{name: s, kind: {kind}, url: '{url}', every: 1m}}\n"
    ).sources[0]


def _expand(source: Source, before: Expansion | None = None) -> Expansion:
    state = None
    if before is not None:
        state = SourceState(
            "s", source.kind, source.locator, etag=before.etag,
            last_modified=before.last_modified, seen_until=before.seen_until,
        )  # fmt: skip
    clients = Clients(Config.load(workers=1, **LOOPBACK))
    try:
        return expand(source, state, clients)
    finally:
        clients.close()


def _asked(httpserver: HTTPServer, since: int) -> list[str]:
    """The paths asked for since the ``since``-th request, robots.txt aside (each cycle
    reads it once per site)."""
    return [r.path for r, _ in httpserver.log[since:] if r.path != "/robots.txt"]


def _urlset(entries: list[tuple[str, str | None]]) -> str:
    body = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>"
        for loc, mod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{body}</urlset>'


def test_a_sitemap_index_gives_the_pages_changed_since_the_last_poll(
    httpserver: HTTPServer,
) -> None:
    page = httpserver.url_for
    news = [(page("/a"), "2026-01-01T10:00:00Z"), (page("/b"), "2026-01-02"), (page("/c"), None)]
    old = [(page("/old"), "2025-06-01T00:00:00+02:00")]
    dated = {"news": "2026-01-02"}

    def index(_request: Request) -> Response:
        body = (
            f"<sitemapindex {NS}><sitemap><loc>{page('/news.xml')}</loc>"
            f"<lastmod>{dated['news']}</lastmod></sitemap><sitemap><loc>{page('/old.xml')}"
            "</loc><lastmod>2025-06-01</lastmod></sitemap></sitemapindex>"
        )
        return Response(body, content_type="application/xml")

    httpserver.expect_request("/index.xml").respond_with_handler(index)
    httpserver.expect_request("/news.xml").respond_with_handler(
        lambda _request: Response(_urlset(news), content_type="application/xml")
    )
    httpserver.expect_request("/old.xml").respond_with_data(
        _urlset(old), content_type="application/xml"
    )
    source = _source("sitemap", page("/index.xml"))

    first = _expand(source)
    assert first.targets == [page("/a"), page("/b"), page("/c"), page("/old")]
    assert first.seen_until == "2026-01-02T00:00:00+00:00"
    # Nothing changed: the index is read, no sitemap of it is.
    fetched = len(httpserver.log)
    assert _expand(source, first).targets == []
    assert _asked(httpserver, fetched) == ["/index.xml"]
    # A page added: its sitemap is read again, and gives the new page and the undated one.
    news.append((page("/d"), "2026-01-03T08:00:00Z"))
    dated["news"] = "2026-01-03T08:00:00Z"
    fetched = len(httpserver.log)
    third = _expand(source, first)
    assert third.targets == [page("/c"), page("/d")]
    assert third.seen_until == "2026-01-03T08:00:00+00:00"
    assert _asked(httpserver, fetched) == ["/index.xml", "/news.xml"]


def test_a_conditional_get_that_is_not_modified_gives_nothing(httpserver: HTTPServer) -> None:
    stamp = format_datetime(datetime(2026, 1, 1, tzinfo=UTC), usegmt=True)
    listing = f"# today\n{httpserver.url_for('/one')}\n{httpserver.url_for('/two')}\n"

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(listing, headers={"ETag": '"v1"', "Last-Modified": stamp})

    httpserver.expect_request("/list.txt").respond_with_handler(answer)
    source = _source("urls", httpserver.url_for("/list.txt"))
    first = _expand(source)
    assert first.targets == [httpserver.url_for("/one"), httpserver.url_for("/two")]
    assert (first.etag, first.last_modified) == ('"v1"', stamp)
    second = _expand(source, first)
    assert (second.targets, second.note, second.etag) == ([], "not modified", '"v1"')
    assert httpserver.log[-1][0].headers["If-Modified-Since"] == stamp


def test_what_is_not_a_sitemap_or_a_list_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("<html><p>Hello</p></html>")
    with pytest.raises(InputError, match="not a sitemap: the root is <html>"):
        _expand(_source("sitemap", httpserver.url_for("/page")))
    with pytest.raises(InputError, match="not a list of URLs"):
        _expand(_source("urls", httpserver.url_for("/page")))
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    with pytest.raises(InputError, match="HTTP 404"):
        _expand(_source("gdelt", httpserver.url_for("/gone")))


def test_a_hostile_sitemap_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><urlset><url><loc>&lol2;</loc></url></urlset>'
    )
    with pytest.raises(InputError, match="not a readable sitemap"):
        parse_sitemap(bomb)


def _feed(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>http://news.example/{slug}</link>"
        f"<guid>{slug}</guid><pubDate>Mon, 10 Oct 2022 08:00:00 GMT</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>"
        for slug, title, body in ((t.lower().replace(" ", "-"), t, b) for t, b in items)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
    return f"{head}{entries}</channel></rss>"


def test_a_feed_source_through_cycles(
    httpserver: HTTPServer,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> None:
    def item(seed: int, title: str) -> tuple[str, str]:
        return title, article_html(title, paragraphs(seed, n=6), published="2022-10-10")

    items = [item(1, "Troops gather at the border"), item(2, "Talks resume in Minsk")]
    httpserver.expect_request("/feed.xml").respond_with_handler(
        lambda _request: Response(_feed(items), content_type="application/rss+xml")
    )
    sources = [_source("feed", httpserver.url_for("/feed.xml"))]
    options = CycleOptions(config=Config.load(workers=1, **LOOPBACK))
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    first = run_cycle(store, sources, t0, options)
    assert first.new_articles == 2, first.failures
    second = run_cycle(store, sources, t0 + timedelta(minutes=1), options)
    assert (second.new_articles, second.polls[0].unchanged) == (0, 2)
    items.append(item(3, "Rail traffic resumes"))
    third = run_cycle(store, sources, t0 + timedelta(minutes=2), options)
    assert third.new_articles == 1
    assert store.counts()["articles"] == 3


def test_an_unchanged_feed_is_asked_for_with_a_conditional_get_only(
    httpserver: HTTPServer,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> None:
    items = [("Troops gather", article_html("Troops gather", paragraphs(4, n=6),
                                            published="2022-10-10"))]  # fmt: skip
    body = _feed(items)

    def feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    sources = [_source("feed", httpserver.url_for("/feed.xml"))]
    options = CycleOptions(config=Config.load(workers=1, **LOOPBACK))
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    assert run_cycle(store, sources, t0, options).new_articles == 1
    asked = len(httpserver.log)
    second = run_cycle(store, sources, t0 + timedelta(minutes=1), options)
    assert second.new_articles == 0
    assert second.polls[0].note == "not modified"
    feeds = [r for r, _ in httpserver.log[asked:] if r.path == "/feed.xml"]
    assert [r.headers.get("If-None-Match") for r in feeds] == ['"v1"']  # one GET, conditional
    assert next(a for r, a in httpserver.log[asked:] if r.path == "/feed.xml").status_code == 304
