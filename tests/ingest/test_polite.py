"""Polite fetching against a real server on 127.0.0.1: robots.txt, host turns and
concurrency, and conditional GET."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.fetch import Fetched, NotModified, Validators, fetch, make_client
from tocsin.ingest.pipeline import ingest
from tocsin.ingest.polite import Polite, read_robots
from tocsin.store.db import Store

pytestmark = pytest.mark.network
WAIT = 20.0  # seconds any wait in these tests may last at most


def _config(**settings: object) -> Config:
    return Config.load(workers=1, **{"fetch_allow": ("127.0.0.1",), **settings})


def _page(article_html: Callable[..., str], paragraphs: Callable, n: int) -> str:
    return article_html(f"Story {n}", paragraphs(100 + n))


def _paths(httpserver: HTTPServer) -> list[str]:
    return [r.path for r, _ in httpserver.log]


def test_robots_disallow_is_recorded_and_the_rest_fetched(
    httpserver: HTTPServer, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nAllow: /\n\nUser-agent: tocsin\nDisallow: /private/\n",
        content_type="text/plain",
    )
    for n, path in enumerate(("/private/memo", "/news/1", "/news/2")):
        httpserver.expect_request(path).respond_with_data(
            _page(article_html, paragraphs, n), content_type="text/html"
        )
    private = httpserver.url_for("/private/memo")
    urls = [private, httpserver.url_for("/news/1"), httpserver.url_for("/news/2")]

    report = ingest(urls, store=store, config=_config(host_delay=0))

    assert [(s, c) for s, c, _ in report.failures] == [(private, "robots")]
    assert "robots.txt disallows" in report.failures[0][2]
    assert [r.error_code for r in store.failures()] == ["robots"]
    assert len(report.added) == 2
    assert "/private/memo" not in _paths(httpserver)
    assert _paths(httpserver).count("/robots.txt") == 1, "robots.txt once per host per run"


@pytest.mark.parametrize(
    ("status", "allowed"), [(404, True), (403, True), (410, True), (500, False), (503, False)]
)
def test_robots_status_decides_for_the_whole_host(status: int, allowed: bool) -> None:
    robots = read_robots(status, b"", "http://news.example:80")
    if allowed:
        robots.check("http://news.example/any/page")
        return
    with pytest.raises(InputError) as refused:
        robots.check("http://news.example/any/page")
    assert refused.value.code is FailureCode.ROBOTS
    assert f"HTTP {status}" in refused.value.reason


def test_a_server_error_on_robots_keeps_the_host_out_for_the_run(
    httpserver: HTTPServer, store: Store
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    urls = [httpserver.url_for(f"/news/{n}") for n in range(2)]
    report = ingest(urls, store=store, config=_config(host_delay=0))
    assert [c for _, c, _ in report.failures] == ["robots", "robots"]
    assert _paths(httpserver) == ["/robots.txt"]


def _timed_pages(httpserver: HTTPServer, count: int) -> tuple[list[str], list[float]]:
    """Pages whose handler records when the server received each request."""
    seen: list[float] = []

    def handler(_: Request) -> Response:
        seen.append(time.monotonic())
        return Response("<p>a line</p>", content_type="text/html")

    urls = []
    for n in range(count):
        httpserver.expect_request(f"/paced/{n}").respond_with_handler(handler)
        urls.append(httpserver.url_for(f"/paced/{n}"))
    return urls, seen


@pytest.mark.parametrize(
    ("host_delay", "robots", "spacing"),
    [(0.3, "User-agent: *\nDisallow:\n", 0.3), (0.0, "User-agent: *\nCrawl-delay: 0.4\n", 0.4)],
)
def test_requests_to_one_host_are_spaced(
    httpserver: HTTPServer, host_delay: float, robots: str, spacing: float
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    urls, seen = _timed_pages(httpserver, 3)
    config = _config(host_delay=host_delay)
    polite = Polite(config)
    with make_client(config) as client:
        for url in urls:
            fetch(url, client, config, pacer=polite)
    assert len(seen) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(seen)]
    # A lower bound (with slack for when the server thread notes the time), never an upper.
    assert all(gap >= spacing - 0.05 for gap in gaps), gaps


def test_no_more_requests_at_once_to_a_host_than_host_concurrency() -> None:
    """Six threads ask for a turn on one host; at most two hold one at once."""
    polite = Polite(_config(host_delay=0, host_concurrency=2))
    inside = 0
    most = 0
    done = 0
    changed = threading.Condition()
    release = threading.Event()

    def work() -> None:
        nonlocal inside, most, done
        with polite._turn("news.example", 0.0):
            with changed:
                inside += 1
                most = max(most, inside)
                changed.notify_all()
            release.wait(WAIT)
            with changed:
                inside -= 1
        with changed:
            done += 1
            changed.notify_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(6)]
    for thread in threads:
        thread.start()
    with changed:
        assert changed.wait_for(lambda: inside == 2, WAIT)
    release.set()
    with changed:
        assert changed.wait_for(lambda: done == 6, WAIT)
    assert most == 2


def test_conditional_get_round_trip(httpserver: HTTPServer) -> None:
    etag = '"v1"'
    modified = "Mon, 07 Dec 2026 01:00:00 GMT"
    sent: list[tuple[str | None, str | None]] = []

    def handler(request: Request) -> Response:
        sent.append(
            (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
        )
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(
            "<p>first version</p>",
            content_type="text/html",
            headers={"ETag": etag, "Last-Modified": modified},
        )

    httpserver.expect_request("/cond").respond_with_handler(handler)
    url = httpserver.url_for("/cond")
    config = _config()
    with make_client(config) as client:
        first = fetch(url, client, config, Validators())
        assert isinstance(first, Fetched)
        assert first.item.data == b"<p>first version</p>"
        assert first.validators == Validators(etag, modified)

        second = fetch(url, client, config, first.validators)
        assert isinstance(second, NotModified)
        assert second.url == url
        assert second.validators == Validators(etag, modified)

        plain = fetch(url, client, config)  # no validators: the page, as before
        assert plain.data == b"<p>first version</p>"
    assert sent == [(None, None), (etag, modified), (None, None)]


def test_a_304_without_validators_asked_is_an_http_status_failure(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/odd").respond_with_response(Response(status=304))
    config = _config()
    with make_client(config) as client, pytest.raises(InputError) as failed:
        fetch(httpserver.url_for("/odd"), client, config)
    assert failed.value.code is FailureCode.HTTP_STATUS
