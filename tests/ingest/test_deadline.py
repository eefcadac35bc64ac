"""A server that trickles its answer one byte at a time cannot hold a fetch past
``fetch_deadline``, though each byte comes well within ``fetch_timeout``."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from pytest_httpserver import HTTPServer

from tocsin.config import Config
from tocsin.errors import ConfigError, FailureCode, InputError
from tocsin.ingest.fetch import fetch, make_client
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

pytestmark = pytest.mark.network

PAUSE = 0.1  # seconds between two bytes: far inside fetch_timeout
OUTER = 30.0  # seconds the test waits for the fetch at most: a bound, not a measure
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"


@dataclass
class Trickler:
    """A raw HTTP server on 127.0.0.1 that answers every request a byte at a time."""

    answer: bytes
    stop: threading.Event = field(default_factory=threading.Event)
    connections: int = 0

    def __post_init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/story"

    def _serve(self) -> None:
        for _ in range(int(2 * OUTER / 0.1)):  # accepts until stopped, for 60 s at most
            if self.stop.is_set():
                return
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                self._trickle(conn)

    def _trickle(self, conn: socket.socket) -> None:
        conn.settimeout(OUTER)
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65_536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        for n in range(len(self.answer)):
            if self.stop.wait(PAUSE):
                return
            try:
                conn.sendall(self.answer[n : n + 1])
            except OSError:
                return  # the client gave up: what the test wants


@pytest.fixture
def trickler() -> Iterator[Callable[[bytes], Trickler]]:
    made: list[Trickler] = []

    def make(answer: bytes) -> Trickler:
        server = Trickler(answer)
        server.thread.start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop.set()
        server.thread.join(OUTER)
        server.server.close()


def _fetch_in_thread(url: str, config: Config) -> InputError:
    """Fetch ``url`` in a thread, waiting at most OUTER seconds; the error it ended with."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        with make_client(config) as client:
            try:
                outcome.append(fetch(url, client, config))
            except BaseException as exc:  # handed to the test to look at
                outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(OUTER)
    assert not thread.is_alive(), f"fetch still running after {OUTER:g}s"
    [result] = outcome
    assert isinstance(result, InputError), result
    return result


def _config(**settings: object) -> Config:
    values = {"fetch_allow": ("127.0.0.1",), "fetch_deadline": 1.0, "fetch_timeout": 10.0}
    return Config.load(workers=1, **{**values, **settings})


def test_headers_trickled_hit_the_deadline(trickler: Callable[[bytes], Trickler]) -> None:
    server = trickler(HEAD + b"X-Padding: " + b"a" * 2000 + b"\r\n\r\n<p>never</p>")
    error = _fetch_in_thread(server.url, _config())
    assert error.code is FailureCode.TIMEOUT
    assert "not complete within the 1s deadline (fetch_deadline)" in error.reason
    assert server.url in error.reason


def test_body_trickled_hits_the_deadline(trickler: Callable[[bytes], Trickler]) -> None:
    body = b"<html><body>" + b"x" * 5000 + b"</body></html>"
    server = trickler(HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    error = _fetch_in_thread(server.url, _config())
    assert error.code is FailureCode.TIMEOUT
    assert "1s deadline" in error.reason


def test_a_trickling_url_fails_and_the_batch_goes_on(
    trickler: Callable[[bytes], Trickler],
    httpserver: HTTPServer,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    slow = trickler(HEAD + b"X-Padding: " + b"a" * 2000 + b"\r\n\r\n")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/fine").respond_with_data(
        article_html("Quick story", paragraphs(90)), content_type="text/html"
    )
    urls = [slow.url, httpserver.url_for("/fine")]
    report = ingest(urls, store=store, config=_config(host_delay=0))
    assert [(s, c) for s, c, _ in report.failures] == [(slow.url, "timeout")]
    assert "deadline" in report.failures[0][2]
    assert [a.title for a in store.articles()] == ["Quick story"]
    # The slow host's robots.txt timed out: the host was not asked again this run.
    assert slow.connections == 1


def test_the_deadline_is_a_checked_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Config.load().fetch_deadline == 60.0
    monkeypatch.setenv("TOCSIN_FETCH_DEADLINE", "2.5")
    assert Config.load().fetch_deadline == 2.5
    for bad in ("0", "nan", "soon"):
        monkeypatch.setenv("TOCSIN_FETCH_DEADLINE", bad)
        with pytest.raises(ConfigError, match="TOCSIN_FETCH_DEADLINE"):
            Config.load()
