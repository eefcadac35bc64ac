"""Fetching URLs against real HTTP servers on 127.0.0.1: every failure has its code."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tocsin.cli import main
from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.fetch import USER_AGENT, fetch, make_client
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.store.db import Store

WAIT = 10.0  # seconds a test server waits for requests that should come at once

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables; requests to 127.0.0.1 must go straight there."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture(autouse=True)
def _no_robots(httpserver: HTTPServer) -> None:
    """The test server has no robots.txt (404: everything allowed); tests/ingest/
    test_polite.py covers robots itself."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


def _ingest(urls: list[str], store: Store, **settings: object) -> IngestReport:
    """Ingest with the test servers' loopback address allowed and no delay between turns."""
    allowed = {"fetch_allow": ("127.0.0.1",), "host_delay": 0, **settings}
    return ingest(urls, store=store, config=Config.load(workers=1, **allowed))


def _pages(httpserver: HTTPServer) -> list[str]:
    """The paths the server was asked for, robots.txt aside."""
    return [r.path for r, _ in httpserver.log if r.path != "/robots.txt"]


def _only_failure(report: IngestReport, store: Store, url: str, code: FailureCode) -> str:
    assert [(s, c) for s, c, _ in report.failures] == [(url, code.value)]
    assert [(r.locator, r.error_code) for r in store.failures()] == [(url, code.value)]
    assert not report.added
    assert not report.ok
    return report.failures[0][2]


def test_html_page_is_stored_with_url_and_outlet(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    paras = paragraphs(21)
    page = article_html("Convoy seen near Gomel", paras, site="Minsk Herald")
    httpserver.expect_request("/news/convoy").respond_with_data(
        page, content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/news/convoy")
    assert url.startswith("http://127.0.0.1:")

    report = _ingest([url], store)

    assert report.ok, report.failures
    [article] = store.articles()
    assert article.url == url
    assert article.source == url
    assert article.outlet == "Minsk Herald"
    assert article.title == "Convoy seen near Gomel"
    assert paras[2] in article.text
    source = store.conn.execute("SELECT kind, content_type FROM sources").fetchone()
    assert tuple(source) == ("url", "text/html; charset=utf-8")


def test_rerunning_the_same_url_adds_nothing(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    httpserver.expect_request("/again").respond_with_data(
        article_html("Said again", paragraphs(23)), content_type="text/html"
    )
    url = httpserver.url_for("/again")
    first = _ingest([url], store)
    assert len(first.added) == 1
    rows = store.conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    requests = len(_pages(httpserver))

    second = _ingest([url], store)

    assert second.unchanged == 1
    assert not second.added
    assert second.ok
    assert store.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == rows
    assert len(_pages(httpserver)) == requests, "a stored URL is not fetched again"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_host(store: Store) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/story"
    reason = _only_failure(_ingest([url], store), store, url, FailureCode.UNREACHABLE)
    assert "127.0.0.1" in reason


def test_redirect_loop(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request("/a").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/b")})
    )
    httpserver.expect_request("/b").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/a")})
    )
    url = httpserver.url_for("/a")
    _only_failure(_ingest([url], store), store, url, FailureCode.REDIRECT_LOOP)
    assert len(_pages(httpserver)) <= Config.load().max_redirects + 1


def test_redirect_to_a_page_is_followed(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/new")})
    )
    httpserver.expect_request("/new").respond_with_data(
        article_html("Moved story", paragraphs(24)), content_type="text/html"
    )
    report = _ingest([httpserver.url_for("/old")], store)
    assert report.ok, report.failures
    [article] = store.articles()
    assert article.source == httpserver.url_for("/old")
    assert article.url == httpserver.url_for("/new")


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf"])
def test_non_article_content_type(httpserver: HTTPServer, store: Store, content_type: str) -> None:
    httpserver.expect_request("/file").respond_with_data(b"\x89PNG....", content_type=content_type)
    url = httpserver.url_for("/file")
    reason = _only_failure(_ingest([url], store), store, url, FailureCode.CONTENT_TYPE)
    assert content_type in reason


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status(httpserver: HTTPServer, store: Store, status: int) -> None:
    httpserver.expect_request("/gone").respond_with_data(
        "<html>nothing</html>", status=status, content_type="text/html"
    )
    url = httpserver.url_for("/gone")
    reason = _only_failure(_ingest([url], store), store, url, FailureCode.HTTP_STATUS)
    assert str(status) in reason


def test_body_over_the_fetch_cap_declared(httpserver: HTTPServer, store: Store) -> None:
    body = "<html><body>" + "<p>news</p>" * 5000 + "</body></html>"
    httpserver.expect_request("/big").respond_with_data(body, content_type="text/html")
    url = httpserver.url_for("/big")
    report = _ingest([url], store, max_fetch_bytes=10_000)
    _only_failure(report, store, url, FailureCode.TOO_LARGE)


def test_body_over_the_fetch_cap_streamed_without_length(
    httpserver: HTTPServer, store: Store
) -> None:
    """A chunked body with no Content-Length is cut off once it passes the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):  # up to 1 MB; the client stops reading long before
            yield b"<p>" + b"x" * 1017 + b"</p>"

    httpserver.expect_request("/stream").respond_with_response(
        Response(chunks(), content_type="text/html")
    )
    url = httpserver.url_for("/stream")
    report = _ingest([url], store, max_fetch_bytes=10_000)
    reason = _only_failure(report, store, url, FailureCode.TOO_LARGE)
    assert "10,000" in reason
    assert store.conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


def test_slow_server_times_out(httpserver: HTTPServer, store: Store) -> None:
    release = threading.Event()

    def slow(_: Request) -> Response:
        release.wait(5)  # far beyond the timeout; released once the client has given up
        return Response("<html><body><p>late</p></body></html>", content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    url = httpserver.url_for("/slow")
    started = time.perf_counter()
    try:
        report = _ingest([url], store, fetch_timeout=0.3)
    finally:
        release.set()
        while "/slow" not in _pages(httpserver) and time.perf_counter() - started < 5:
            time.sleep(0.01)  # let the handler finish before the next test's server state
    _only_failure(report, store, url, FailureCode.TIMEOUT)


def test_server_that_accepts_and_never_answers_times_out(store: Store) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/story"
        report = _ingest([url], store, fetch_timeout=0.3)
    _only_failure(report, store, url, FailureCode.TIMEOUT)


def test_request_carries_the_tocsin_user_agent(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    httpserver.expect_request("/ua").respond_with_data(
        article_html("Agent check", paragraphs(25)), content_type="text/html"
    )
    _ingest([httpserver.url_for("/ua")], store)
    [request] = [r for r, _ in httpserver.log if r.path == "/ua"]
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["User-Agent"].startswith("tocsin/")
    assert "text/html" in request.headers["Accept"]


# --- feeds -------------------------------------------------------------------------------


def _rss(entries: list[dict[str, str]]) -> str:
    items = []
    for e in entries:
        content = (
            f"<content:encoded><![CDATA[{e['content']}]]></content:encoded>"
            if "content" in e
            else ""
        )
        items.append(
            f"<item><title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>"
            f"<guid>{escape(e['link'])}</guid><pubDate>{e['date']}</pubDate>"
            f"<description>{escape(e['summary'])}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Border Wire</title><link>http://127.0.0.1/</link>"
        "<description>News from the border</description>" + "".join(items) + "</channel></rss>"
    )


def _date(day: int) -> str:
    return format_datetime(datetime(2022, 10, day, 9, 30, tzinfo=UTC))


def test_feed_with_full_content_gives_one_article_per_entry(
    httpserver: HTTPServer, store: Store, paragraphs: Callable
) -> None:
    bodies = [paragraphs(30 + n, n=5) for n in range(3)]
    entries = [
        {
            "title": f"Border report {n}",
            # Links to pages the server does not have: full entries must not be fetched.
            "link": httpserver.url_for(f"/missing/{n}"),
            "date": _date(10 + n),
            "summary": "Short teaser.",
            "content": "".join(f"<p>{p}</p>" for p in body),
        }
        for n, body in enumerate(bodies)
    ]
    httpserver.expect_request("/feed.xml").respond_with_data(
        _rss(entries), content_type="application/rss+xml"
    )
    feed_url = httpserver.url_for("/feed.xml")

    report = _ingest([feed_url], store)

    assert report.ok, report.failures
    assert len(report.added) == 3
    articles = sorted(store.articles(), key=lambda a: a.title or "")
    for n, article in enumerate(articles):
        assert article.title == f"Border report {n}"
        assert bodies[n][3] in article.text
        assert article.url == httpserver.url_for(f"/missing/{n}")
        assert article.published is not None
        assert article.published.isoformat() == f"2022-10-{10 + n}"
        assert not article.published_estimated
        assert article.source.startswith(feed_url + "#")
    assert _pages(httpserver) == ["/feed.xml"]

    again = _ingest([feed_url], store)
    assert again.added == []
    assert again.unchanged == 3
    assert len(list(store.articles())) == 3


def test_feed_of_summaries_fetches_the_linked_pages(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    pages = {n: paragraphs(40 + n) for n in range(2)}
    for n, paras in pages.items():
        httpserver.expect_request(f"/story/{n}").respond_with_data(
            article_html(f"Full story {n}", paras), content_type="text/html"
        )
    entries = [
        {
            "title": f"Full story {n}",
            "link": httpserver.url_for(f"/story/{n}"),
            "date": _date(20 + n),
            "summary": "Troops were seen near the border. Read more on our site.",
        }
        for n in pages
    ]
    httpserver.expect_request("/summaries.rss").respond_with_data(
        _rss(entries), content_type="application/rss+xml"
    )

    report = _ingest([httpserver.url_for("/summaries.rss")], store)

    assert report.ok, report.failures
    assert len(report.added) == 2
    fetched = sorted(_pages(httpserver))
    assert fetched == ["/story/0", "/story/1", "/summaries.rss"]
    by_url = {a.url: a for a in store.articles()}
    for n, paras in pages.items():
        article = by_url[httpserver.url_for(f"/story/{n}")]
        assert paras[1] in article.text, "the page's text, not the feed's summary"
        assert "Read more on our site" not in article.text
        assert article.published is not None
        assert article.published.isoformat() == f"2022-10-{20 + n}"

    # The feed read again: its stored entries' pages are not fetched a second time.
    asked = len(httpserver.log)
    again = _ingest([httpserver.url_for("/summaries.rss")], store)
    assert (again.added, again.unchanged) == ([], 2)
    assert [r.path for r, _ in httpserver.log[asked:] if r.path != "/robots.txt"] == [
        "/summaries.rss"
    ]


class _Crowd:
    """A page handler that holds each request until ``size`` are in flight (or a deadline
    passes), counting the most it has seen at once; the page of /story/N is "Story N"."""

    def __init__(self, size: int, article_html: Callable[..., str], paragraphs: Callable) -> None:
        self.size, self.now, self.most = size, 0, 0
        self.lock = threading.Condition()
        self.article_html, self.paragraphs = article_html, paragraphs

    def __call__(self, request: Request) -> Response:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.most >= self.size, timeout=WAIT)
            self.now -= 1
        n = int(request.path.rsplit("/", 1)[1])
        html = self.article_html(f"Story {n}", self.paragraphs(60 + n))
        return Response(html, content_type="text/html")


def test_a_feeds_pages_are_fetched_several_at_once_within_the_hosts_turns(
    store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    """Twelve summary entries, fetch_threads 8, host_concurrency 3: three pages are asked
    for at once (each waits, up to a deadline, until three are in flight), never more, and
    the articles are stored in the feed's order."""
    page = _Crowd(3, article_html, paragraphs)

    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as server:
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        entries = [
            {"title": f"Story {n}", "link": server.url_for(f"/story/{n}"), "date": _date(10),
             "summary": "More on our site."}
            for n in range(12)
        ]  # fmt: skip
        for n in range(12):
            server.expect_request(f"/story/{n}").respond_with_handler(page)
        server.expect_request("/many.rss").respond_with_data(
            _rss(entries), content_type="application/rss+xml"
        )
        report = _ingest([server.url_for("/many.rss")], store, fetch_threads=8,
                         host_concurrency=3)  # fmt: skip
    assert report.ok, report.failures
    assert page.most == 3
    assert [a.title for a in store.articles()] == [f"Story {n}" for n in range(12)]


def test_feed_entry_whose_page_is_missing_fails_alone(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    httpserver.expect_request("/story/ok").respond_with_data(
        article_html("Present", paragraphs(50)), content_type="text/html"
    )
    httpserver.expect_request("/story/gone").respond_with_data("", status=404)
    entries = [
        {"title": t, "link": httpserver.url_for(f"/story/{t}"), "date": _date(3), "summary": "x"}
        for t in ("ok", "gone")
    ]
    httpserver.expect_request("/mixed.rss").respond_with_data(
        _rss(entries), content_type="application/rss+xml"
    )
    feed_url = httpserver.url_for("/mixed.rss")
    report = _ingest([feed_url], store)
    assert [c for _, c, _ in report.failures] == ["http_status"]
    assert report.failures[0][0].startswith(feed_url + "#")
    assert [a.title for a in store.articles()] == ["Present"]


# --- a text file that lists URLs ------------------------------------------------------------


def _serve_pages(
    httpserver: HTTPServer, article_html: Callable[..., str], paragraphs: Callable, n: int
) -> list[str]:
    urls = []
    for i in range(n):
        httpserver.expect_request(f"/listed/{i}").respond_with_data(
            article_html(f"Listed story {i}", paragraphs(60 + i)), content_type="text/html"
        )
        urls.append(httpserver.url_for(f"/listed/{i}"))
    return urls


def test_a_text_file_of_urls_ingests_the_pages_it_lists(
    httpserver: HTTPServer,
    store: Store,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    a, b = _serve_pages(httpserver, article_html, paragraphs, 2)
    listing = tmp_path / "reading-list.txt"
    # Comments, blank lines, stray spaces, a CRLF and a repeat are all allowed.
    listing.write_text(f"# to read\n\n{a}\r\n   {b}  \n# done\n{a}\n", "utf-8")

    report = _ingest([str(listing)], store)

    assert report.ok, report.failures
    assert sorted(r.title or "" for r in report.added) == ["Listed story 0", "Listed story 1"]
    sources = store.conn.execute("SELECT locator, kind FROM sources ORDER BY id").fetchall()
    assert [tuple(r) for r in sources] == [(a, "url"), (b, "url")]
    assert sorted(_pages(httpserver)) == ["/listed/0", "/listed/1"]

    again = _ingest([str(listing)], store)

    assert again.unchanged == 2
    assert not again.added
    assert len(_pages(httpserver)) == 2, "a stored URL is not fetched again"


def test_listed_and_named_urls_are_fetched_several_at_once_in_order(
    store: Store, tmp_path: Path, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    """Ten URLs in a list and two named, fetch_threads 8, host_concurrency 3: three pages
    are asked for at once (each waits, up to a deadline, until three are in flight), never
    more; one already stored is not fetched; one gone fails alone; the rest are stored in
    the order given."""
    page = _Crowd(3, article_html, paragraphs)

    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as server:
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/story/gone").respond_with_data("", status=404)
        for n in range(12):
            server.expect_request(f"/story/{n}").respond_with_handler(page)
        urls = [server.url_for(f"/story/{n}") for n in range(12)]
        page.size = 1
        first = _ingest([urls[0]], store)  # stored before: counted, not fetched again
        assert first.ok, first.failures
        page.size, page.most = 3, 0
        listing = tmp_path / "urls.txt"
        gone = server.url_for("/story/gone")
        listing.write_text("\n".join([*urls[:5], gone, *urls[5:10]]) + "\n", "utf-8")
        report = _ingest([str(listing), *urls[10:]], store, fetch_threads=8,
                         host_concurrency=3)  # fmt: skip
        asked = [r.path for r, _ in server.log if r.path.startswith("/story/")]
    assert [(c, f) for f, c, _ in report.failures] == [("http_status", gone)]
    assert report.unchanged == 1
    assert page.most == 3
    assert asked.count("/story/0") == 1
    assert [a.title for a in store.articles()] == [f"Story {n}" for n in range(12)]


def test_a_listed_url_that_fails_is_recorded_under_its_url(
    httpserver: HTTPServer,
    store: Store,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    [good] = _serve_pages(httpserver, article_html, paragraphs, 1)
    httpserver.expect_request("/listed/gone").respond_with_data("", status=404)
    gone = httpserver.url_for("/listed/gone")
    listing = tmp_path / "urls"  # no extension: sniffed as text
    listing.write_text(f"{gone}\n{good}\n", "utf-8")

    report = _ingest([str(listing)], store)

    assert [(s, c) for s, c, _ in report.failures] == [(gone, "http_status")]
    assert [a.url for a in store.articles()] == [good]


def test_text_that_mentions_urls_among_sentences_stays_an_article(
    httpserver: HTTPServer, store: Store, tmp_path: Path, paragraphs: Callable
) -> None:
    url = httpserver.url_for("/never")
    note = tmp_path / "note.txt"
    body = "\n\n".join(paragraphs(70, n=3))
    note.write_text(f"Sources for the convoy story\n\n{url}\n\n{body}\n\n{url}\n", "utf-8")

    report = _ingest([str(note)], store)

    assert report.ok, report.failures
    [article] = store.articles()
    assert article.source == str(note.resolve())
    assert article.title == "Sources for the convoy story"
    assert _pages(httpserver) == []


def test_tocsin_ingest_fetches_a_list_of_urls(
    httpserver: HTTPServer,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOCSIN_HOST_DELAY", "0")
    urls = _serve_pages(httpserver, article_html, paragraphs, 3)
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls) + "\n", "utf-8")
    db = tmp_path / "t.db"

    result = CliRunner().invoke(
        main,
        [
            *("ingest", str(listing), "--db", str(db), "--workers", "1", "--no-extract"),
            *("--json", "--allow-address", "127.0.0.1"),
        ],
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 3
    with Store.open(db) as store:
        assert sorted(a.url or "" for a in store.articles()) == sorted(urls)


# --- fetch() with a mock transport ------------------------------------------------------


def test_fetch_with_mock_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        routes = {
            "/page": (200, "text/html; charset=utf-8", b"<html><p>ok</p></html>"),
            "/notes": (200, "text/plain", b"plain words"),
            "/feed": (200, "application/rss+xml", b"<rss/>"),
            "/img": (200, "image/jpeg", b"\xff\xd8\xff"),
            "/err": (503, "text/html", b"busy"),
        }
        status, ctype, body = routes[request.url.path]
        return httpx.Response(status, headers={"Content-Type": ctype}, content=body)

    config = Config.load(max_fetch_bytes=100, fetch_allow=("127.0.0.1",))
    with make_client(config, transport=httpx.MockTransport(handler)) as client:
        page = fetch("http://127.0.0.1/page", client, config)
        assert page.kind == "html"
        assert page.data == b"<html><p>ok</p></html>"
        assert page.url == "http://127.0.0.1/page"
        assert page.content_type == "text/html; charset=utf-8"
        assert fetch("http://127.0.0.1/notes", client, config).kind == "text"
        assert fetch("http://127.0.0.1/feed", client, config).kind == "feed"
        with pytest.raises(InputError) as image:
            fetch("http://127.0.0.1/img", client, config)
        assert image.value.code is FailureCode.CONTENT_TYPE
        with pytest.raises(InputError) as busy:
            fetch("http://127.0.0.1/err", client, config)
        assert busy.value.code is FailureCode.HTTP_STATUS
        assert "503" in busy.value.reason
    assert {r.headers["User-Agent"] for r in seen} == {USER_AGENT}
