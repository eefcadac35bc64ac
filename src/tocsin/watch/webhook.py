"""The webhook channel: each alert POSTed as JSON to a URL, signed with HMAC-SHA256, retried
with exponential back-off while the failure may pass (docs/alerts-channels.md).

One request per alert, so each alert gets its own status, its own retries and its own
deadline, and a receiver that refuses one alert does not lose the others. The body is
``{"alerts": [<the alert's JSON>]}``, the shape a batch would have, so a receiver written
for it keeps working if batches come later. Every attempt is signed afresh:

    X-Tocsin-Timestamp: <unix seconds>
    X-Tocsin-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

Retried: connection errors, timeouts, 429 and 5xx. Not retried: any other status (a 4xx
says the request itself is wrong; a 3xx is not followed, since a redirect would re-send
the signed body elsewhere). Each wait is ``base * factor ** (attempt - 1)`` capped at
``max_delay``, with jitter (a random share of it, half to all), unless the server sent a
``Retry-After`` no longer than ``max_retry_after``; a longer one ends the retries. No attempt
starts, no wait runs, and no answer is read past ``max_total`` seconds after the first.

When one alert has spent its retries on such a failure, the receiver is taken to be down:
the alerts after it in the same send fail at once (0 attempts) instead of each spending
``max_total`` on the same dead end, so a send of N alerts to a dead webhook takes one
alert's budget, not N. Whether they are sent again later is the watcher's decision.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tocsin.models.alerts import Alert
from tocsin.watch.delivery import Cutoff, Delivery, failed, sent

USER_AGENT = "tocsin-webhook/0.1 (+https://pypi.org/project/tocsin/)"
TIMESTAMP_HEADER = "X-Tocsin-Timestamp"
SIGNATURE_HEADER = "X-Tocsin-Signature"
# Below this many seconds the remaining budget cannot hold another request worth making.
_MIN_ATTEMPT_SECONDS = 0.05


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the webhook tries: at most ``attempts`` requests within ``max_total``
    seconds of the first, each abandoned after ``timeout`` seconds."""

    attempts: int = 5
    base: float = 1.0  # seconds before the second attempt (before jitter)
    factor: float = 2.0
    max_delay: float = 60.0  # longest wait between two attempts
    max_total: float = 120.0  # no attempt starts and no wait ends later than this
    max_retry_after: float = 60.0  # a longer Retry-After ends the retries
    timeout: float = 10.0  # per request: connect, write, each read

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), with jitter."""
        full = min(self.max_delay, self.base * self.factor ** (attempt - 1))
        return full * rng.uniform(0.5, 1.0)


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The X-Tocsin-Signature value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` at ``timestamp`` (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def payload(alerts: Sequence[Alert]) -> bytes:
    """The request body: the alerts' JSON, UTF-8, compact."""
    data = {"alerts": [a.as_json() for a in alerts]}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class _Outcome:
    """One attempt's result: done (sent or not worth retrying), or retry after a wait."""

    error: str | None
    retry: bool
    wait: float | None = None  # what Retry-After asked for, if anything


class WebhookChannel:
    """POST each alert to ``url``, signed with ``secret``; see the module's docstring."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        name: str = "webhook",
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self._secret = secret
        self.policy = policy or RetryPolicy()
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        if not alerts:
            return []
        deliveries: list[Delivery] = []
        down: str | None = None  # why the receiver is taken to be down for this send
        with httpx.Client(
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            # A fresh connection per attempt, so each attempt's socket is under its Cutoff.
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=self._transport,
        ) as client:
            for alert in alerts:
                if down is not None:
                    deliveries.append(Delivery(self.name, alert.key, "failed", 0, down))
                    continue
                delivery, gave_up = self._deliver(client, alert)
                deliveries.append(delivery)
                if gave_up:
                    down = f"not tried: the webhook was failing ({delivery.error})"
        return deliveries

    def _deliver(self, client: httpx.Client, alert: Alert) -> tuple[Delivery, bool]:
        """Send one alert, retrying as the policy allows. The flag is True when it failed
        for a cause that may pass (the server down, busy, slow): the retries were spent, and
        the rest of the send should not spend theirs on the same dead end."""
        policy = self.policy
        body = payload([alert])
        deadline = self._clock() + policy.max_total
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(client, body, max(deadline - self._clock(), 0.0))
            if outcome.error is None:
                return sent(self.name, alert, attempt), False
            if not outcome.retry:
                return failed(self.name, alert, outcome.error, attempt), False
            if attempt >= policy.attempts:
                return failed(self.name, alert, outcome.error, attempt), True
            wait = self._wait(outcome, attempt)
            if wait is None:
                error = f"{outcome.error}; Retry-After {outcome.wait:g}s is too long to wait"
                return failed(self.name, alert, error, attempt), True
            if self._clock() + wait + _MIN_ATTEMPT_SECONDS > deadline:
                error = f"{outcome.error}; gave up: {policy.max_total:g}s deadline reached"
                return failed(self.name, alert, error, attempt), True
            self._sleep(wait)

    def _wait(self, outcome: _Outcome, attempt: int) -> float | None:
        """The wait before the next attempt, or None when Retry-After asks too much."""
        if outcome.wait is None:
            return self.policy.delay(attempt, self._rng)
        if outcome.wait > self.policy.max_retry_after:
            return None
        return outcome.wait

    def _attempt(self, client: httpx.Client, body: bytes, left: float) -> _Outcome:
        """One signed POST, cut off when ``left`` seconds of the alert's budget run out."""
        timeout = min(self.policy.timeout, left)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self._secret, timestamp, body),
        }
        with Cutoff(left) as cutoff:
            try:
                with client.stream(
                    "POST",
                    self.url,
                    content=body,
                    headers=headers,
                    timeout=max(timeout, 0.001),
                    extensions={"trace": _watch_connections(cutoff)},
                ) as response:
                    return _judge(response)
            except httpx.TransportError as exc:
                return _transport_failure(exc, timeout, cutoff.fired)
            except httpx.HTTPError as exc:  # an invalid URL and the like
                return _Outcome(f"request failed: {exc}", retry=False)


def _watch_connections(cutoff: Cutoff) -> Callable[[str, dict[str, Any]], None]:
    """An httpcore trace hook that hands each new connection's socket to ``cutoff``."""

    def trace(event: str, info: dict[str, Any]) -> None:
        # The TCP socket, then (for https) the TLS one that replaces it.
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                cutoff.watch(sock)

    return trace


def _transport_failure(exc: httpx.TransportError, timeout: float, cut: bool) -> _Outcome:
    """A request that got no whole answer: cut off at the deadline, timed out, refused."""
    if cut:
        return _Outcome("no complete answer before the deadline", retry=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Outcome(f"no answer within {timeout:g}s", retry=True)
    if isinstance(exc, httpx.UnsupportedProtocol):  # will not get better by trying again
        return _Outcome(f"request failed: {exc}", retry=False)
    return _Outcome(f"cannot reach the webhook: {exc or type(exc).__name__}", retry=True)


def _judge(response: httpx.Response) -> _Outcome:
    """Sent on 2xx; retry on 429 and 5xx; give up on the rest, with the receiver's reason.
    Only a refusal's first bytes are read: the body of an answer is not waited for."""
    status = response.status_code
    if 200 <= status < 300:
        return _Outcome(None, retry=False)
    error = f"HTTP {status} {response.reason_phrase}".strip()
    if status == 429 or status >= 500:
        return _Outcome(error, retry=True, wait=retry_after(response.headers.get("retry-after")))
    return _Outcome(error + _excerpt(response), retry=False)


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    """The start of the body of a refusal, as the receiver's reason, on one line."""
    data = b""
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= limit:
                break
    except httpx.HTTPError:
        pass  # the status already says it was refused; the reason is a courtesy
    text = " ".join(data[:limit].decode("utf-8", "replace").split())
    return f": {text}" if text else ""
