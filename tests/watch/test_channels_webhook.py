"""The webhook channel against a real HTTP server on 127.0.0.1 (pytest-httpserver): the
signature verifies with the secret only, 5xx and 429 are retried with back-off, other 4xx
are not, a server that never answers fails within the deadline. The sleep is injected, so
no test waits out a back-off."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import random
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from tests.watch.test_channels_jsonl import make_alert
from werkzeug import Request, Response

from tocsin.watch.webhook import RetryPolicy, WebhookChannel, payload, retry_after, verify

SECRET = b"s3cret-shared-with-the-receiver"
pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def running_server() -> Iterator[HTTPServer]:
    """One server for the module (stopping one takes half a second), on a free port."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(running_server: HTTPServer) -> Iterator[HTTPServer]:
    """The module's server with no handlers left from the test before."""
    running_server.clear()
    yield running_server
    running_server.clear()


class Script:
    """A handler answering with the given statuses in turn (the last one repeats) and
    keeping every request it saw."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses)
        self.headers = headers or {}
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append((dict(request.headers), request.get_data()))
        status = self.statuses[min(len(self.requests), len(self.statuses)) - 1]
        return Response("try later" if status >= 500 else "bad alert", status, self.headers)


class Sleeps:
    """An injected sleep that only notes how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def channel(url: str, sleeps: Sleeps, **policy: float) -> WebhookChannel:
    options: dict[str, Any] = {"attempts": 5, "base": 1.0, "factor": 2.0, "timeout": 5.0}
    options.update(policy)
    return WebhookChannel(
        url,
        SECRET,
        policy=RetryPolicy(**options),
        sleep=sleeps,
        rng=random.Random(42),
    )


def test_the_signature_verifies_with_the_secret_and_not_another(server: HTTPServer) -> None:
    script = Script(204)
    server.expect_request("/hook", method="POST").respond_with_handler(script)
    alert = make_alert(1, title="Лидер сменился")
    deliveries = channel(server.url_for("/hook"), Sleeps()).send([alert])
    assert [(d.status, d.attempts) for d in deliveries] == [("sent", 1)]
    headers, body = script.requests[0]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body) == {"alerts": [alert.as_json()]}
    assert body == payload([alert])
    timestamp = headers["X-Tocsin-Timestamp"]
    assert abs(int(timestamp) - datetime.now(UTC).timestamp()) < 3600
    header = headers["X-Tocsin-Signature"]
    # What a receiver does (docs/alerts-channels.md): HMAC-SHA256 of "<timestamp>.<body>".
    mac = hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert header == f"sha256={mac}"
    assert verify(SECRET, timestamp, body, header)
    assert not verify(b"another secret", timestamp, body, header)
    assert not verify(SECRET, timestamp, body + b" ", header)
    assert not verify(SECRET, str(int(timestamp) + 1), body, header)


def test_500_500_then_200_is_sent_after_three_attempts(server: HTTPServer) -> None:
    script = Script(500, 500, 200)
    server.expect_request("/hook").respond_with_handler(script)
    sleeps = Sleeps()
    deliveries = channel(server.url_for("/hook"), sleeps).send([make_alert(1)])
    assert [(d.status, d.attempts, d.error) for d in deliveries] == [("sent", 3, None)]
    assert len(script.requests) == 3
    # Exponential back-off with jitter: half to all of 1 s, then of 2 s.
    assert len(sleeps.waits) == 2
    assert 0.5 <= sleeps.waits[0] <= 1.0
    assert 1.0 <= sleeps.waits[1] <= 2.0
    # Each attempt is signed afresh, and each signature verifies.
    for headers, body in script.requests:
        stamp, sig = headers["X-Tocsin-Timestamp"], headers["X-Tocsin-Signature"]
        assert verify(SECRET, stamp, body, sig)


def test_400_fails_after_one_attempt_with_the_reason(server: HTTPServer) -> None:
    script = Script(400)
    server.expect_request("/hook").respond_with_handler(script)
    sleeps = Sleeps()
    deliveries = channel(server.url_for("/hook"), sleeps).send([make_alert(1)])
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 1)]
    assert deliveries[0].error == "HTTP 400 BAD REQUEST: bad alert"
    assert sleeps.waits == []
    assert len(script.requests) == 1


def test_5xx_every_time_fails_after_the_attempts_allowed(server: HTTPServer) -> None:
    server.expect_request("/hook").respond_with_handler(Script(503))
    sleeps = Sleeps()
    deliveries = channel(server.url_for("/hook"), sleeps, attempts=4).send([make_alert(1)])
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 4)]
    assert deliveries[0].error == "HTTP 503 SERVICE UNAVAILABLE"
    assert len(sleeps.waits) == 3


def test_one_failing_alert_does_not_block_the_others(server: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        alert = json.loads(request.get_data())["alerts"][0]
        return Response("", 422 if alert["key"].endswith(":2") else 200)

    server.expect_request("/hook").respond_with_handler(handler)
    alerts = [make_alert(n) for n in (1, 2, 3)]
    deliveries = channel(server.url_for("/hook"), Sleeps()).send(alerts)
    assert [d.status for d in deliveries] == ["sent", "failed", "sent"]
    assert [d.key for d in deliveries] == [a.key for a in alerts]


def test_a_dead_receiver_costs_one_alert_s_retries_not_every_alert_s(
    server: HTTPServer,
) -> None:
    script = Script(503)
    server.expect_request("/hook").respond_with_handler(script)
    sleeps = Sleeps()
    alerts = [make_alert(n) for n in (1, 2, 3)]
    deliveries = channel(server.url_for("/hook"), sleeps, attempts=3).send(alerts)
    assert [(d.key, d.status, d.attempts) for d in deliveries] == [
        (alerts[0].key, "failed", 3),
        (alerts[1].key, "failed", 0),
        (alerts[2].key, "failed", 0),
    ]
    assert deliveries[1].error == (
        "not tried: the webhook was failing (HTTP 503 SERVICE UNAVAILABLE)"
    )
    assert len(script.requests) == 3
    assert len(sleeps.waits) == 2


def test_a_short_retry_after_is_honoured(server: HTTPServer) -> None:
    script = Script(429, 200, headers={"Retry-After": "2"})
    server.expect_request("/hook").respond_with_handler(script)
    sleeps = Sleeps()
    deliveries = channel(server.url_for("/hook"), sleeps).send([make_alert(1)])
    assert [(d.status, d.attempts) for d in deliveries] == [("sent", 2)]
    assert sleeps.waits == [2.0]


def test_a_long_retry_after_ends_the_retries(server: HTTPServer) -> None:
    server.expect_request("/hook").respond_with_handler(
        Script(503, headers={"Retry-After": "3600"})
    )
    sleeps = Sleeps()
    deliveries = channel(server.url_for("/hook"), sleeps).send([make_alert(1)])
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 1)]
    assert "Retry-After 3600s is too long" in (deliveries[0].error or "")
    assert sleeps.waits == []


def test_a_redirect_is_not_followed(server: HTTPServer) -> None:
    server.expect_request("/hook").respond_with_data(
        "", status=307, headers={"Location": server.url_for("/elsewhere")}
    )
    deliveries = channel(server.url_for("/hook"), Sleeps()).send([make_alert(1)])
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 1)]
    assert (deliveries[0].error or "").startswith("HTTP 307")


def test_a_server_that_never_answers_fails_within_the_deadline(server: HTTPServer) -> None:
    release = threading.Event()
    seen: list[int] = []

    def stall(request: Request) -> Response:
        seen.append(1)
        release.wait(10)  # bounded: the test releases it at the end
        return Response("late", 200)

    server.expect_request("/hook").respond_with_handler(stall)
    try:
        hook = channel(server.url_for("/hook"), Sleeps(), timeout=0.2, base=0.0, attempts=2)
        slow = hook.send([make_alert(1)])
        # With a total budget shorter than the attempts allowed, the budget ends them.
        hook = channel(
            server.url_for("/hook"), Sleeps(), timeout=0.2, base=0.0, attempts=20, max_total=0.5
        )
        bounded = hook.send([make_alert(2)])
    finally:
        release.set()
    assert [(d.status, d.attempts) for d in slow] == [("failed", 2)]
    assert slow[0].error == "no answer within 0.2s"
    assert bounded[0].status == "failed"
    assert 1 <= bounded[0].attempts <= 4  # each attempt waits 0.2 s of a 0.5 s budget
    assert "0.5s deadline reached" in (bounded[0].error or "")
    assert seen  # the requests did reach the server, which kept them waiting


@pytest.fixture
def trickler() -> Iterator[str]:
    """A server on 127.0.0.1 that answers a byte at a time, each well within the timeout,
    so only a deadline on the whole answer ends a request (at most ~20 s of bytes)."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):  # the client hangs up: next one
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 400:
                    if stop.wait(0.05):
                        break
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def test_a_server_trickling_its_answer_is_cut_off_at_the_deadline(trickler: str) -> None:
    hook = channel(trickler, Sleeps(), timeout=5.0, base=0.0, attempts=3, max_total=0.5)
    deliveries = hook.send([make_alert(1)])
    assert deliveries[0].status == "failed"
    assert deliveries[0].error == (
        "no complete answer before the deadline; gave up: 0.5s deadline reached"
    )
    assert deliveries[0].attempts == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_retried_within_the_total_time() -> None:
    # A clock moved only by the injected sleep: the deadline is checked without waiting.
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    hook = WebhookChannel(
        f"http://127.0.0.1:{_closed_port()}/hook",
        SECRET,
        policy=RetryPolicy(attempts=10, base=4.0, factor=2.0, max_delay=30, max_total=10.0),
        sleep=sleep,
        clock=lambda: now[0],
        rng=random.Random(7),
    )
    deliveries = hook.send([make_alert(1)])
    assert deliveries[0].status == "failed"
    assert "cannot reach the webhook" in (deliveries[0].error or "")
    assert "10s deadline reached" in (deliveries[0].error or "")
    assert deliveries[0].attempts == len(waits) + 1
    assert 2 <= deliveries[0].attempts < 10
    assert sum(waits) <= 10.0
    assert all(later >= earlier / 2 for earlier, later in itertools.pairwise(waits))


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2022, 2, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("5") == 5.0
    assert retry_after(None) is None
    assert retry_after("soon") is None
    assert retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0


def test_the_back_off_grows_and_is_capped() -> None:
    policy = RetryPolicy(base=1.0, factor=3.0, max_delay=5.0)
    rng = random.Random(1)
    for attempt, full in ((1, 1.0), (2, 3.0), (3, 5.0), (9, 5.0)):
        wait = policy.delay(attempt, rng)
        assert full / 2 <= wait <= full


DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts-channels.md"


def test_the_receiver_example_in_the_docs_verifies(server: HTTPServer) -> None:
    section = DOC.read_text("utf-8").split("### Verifying the signature", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    verify_tocsin = namespace["verify_tocsin"]
    script = Script(200)
    server.expect_request("/hook").respond_with_handler(script)
    channel(server.url_for("/hook"), Sleeps()).send([make_alert(1)])
    headers, body = script.requests[0]
    assert verify_tocsin(SECRET, headers, body)
    assert not verify_tocsin(b"another secret", headers, body)
    assert not verify_tocsin(SECRET, headers, body.replace(b"50%", b"90%"))
    stale = {**headers, "X-Tocsin-Timestamp": str(int(headers["X-Tocsin-Timestamp"]) - 3600)}
    assert not verify_tocsin(SECRET, stale, body)
