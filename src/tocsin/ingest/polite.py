"""Fetch as a well-behaved crawler: robots.txt honoured, one host never crowded.

``Polite`` is a ``Pacer`` for ``fetch``: before each request (each redirect hop too) it
checks the host's robots.txt, fetched once per run through the same guarded fetch and kept,
then waits for a free slot on the host (``host_concurrency`` requests at once) and for its
turn (starts at least ``host_delay`` seconds apart, or the robots Crawl-delay if larger).
It is thread-safe: one instance serves every thread of a run (ingest, ``tocsin watch``).

robots.txt as crawlers read it (RFC 9309): a missing one (any 4xx) allows everything; a
server error or an unreachable host disallows the whole host for the run, since the site
may be down or overloaded and its rules cannot be known.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from protego import Protego

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.fetch import USER_AGENT, get

ROBOTS_BYTES = 512 * 1024  # read no more of a robots.txt than this (Google reads 500 KiB)


@dataclass(frozen=True)
class Robots:
    """What one origin's robots.txt allows: its rules, or a verdict for the whole host."""

    rules: Protego | None = None  # None: no rules, everything allowed unless ``refusal``
    refusal: str | None = None  # why nothing on the host may be fetched this run
    code: FailureCode = FailureCode.ROBOTS  # the refusal's code: unreachable, timeout, robots

    def check(self, url: str) -> None:
        """Raise InputError(ROBOTS) when the rules keep tocsin from ``url``."""
        if self.refusal is not None:
            raise InputError(self.code, self.refusal)
        if self.rules is not None and not self.rules.can_fetch(url, USER_AGENT):
            raise InputError(
                FailureCode.ROBOTS, f"{origin_of(url)}/robots.txt disallows {url} for tocsin"
            )

    @property
    def crawl_delay(self) -> float:
        delay = self.rules.crawl_delay(USER_AGENT) if self.rules is not None else None
        return float(delay or 0.0)


@dataclass
class _Host:
    """One host's pacing: a slot per request in flight and the earliest next start."""

    slots: threading.BoundedSemaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0


def origin_of(url: str) -> str:
    """'scheme://host:port' of ``url``: the scope of a robots.txt."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def read_robots(response_status: int, body: bytes, origin: str) -> Robots:
    """The rules an answer to GET /robots.txt gives (after redirects)."""
    if 200 <= response_status < 300:
        return Robots(Protego.parse(body.decode("utf-8", "replace")))
    if 400 <= response_status < 500:
        return Robots()
    reason = f"{origin}/robots.txt answered HTTP {response_status}: host not fetched this run"
    return Robots(refusal=reason)


class Polite:
    """Robots, per-host concurrency and delay, for one run; safe to share between threads."""

    def __init__(self, config: Config) -> None:
        self.concurrency = config.host_concurrency
        self.delay = config.host_delay
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    @contextmanager
    def admit(self, url: str, client: httpx.Client, config: Config) -> Iterator[None]:
        """Let one request to ``url`` go when robots allows it and the host has room."""
        robots = self.robots(url, client, config)
        robots.check(url)
        with self._turn(urlsplit(url).hostname or "", max(self.delay, robots.crawl_delay)):
            yield

    def robots(self, url: str, client: httpx.Client, config: Config) -> Robots:
        """The robots.txt rules of ``url``'s origin, fetched on first use and kept."""
        origin = origin_of(url)
        with self._lock:
            known = self._robots.get(origin)
            if known is not None:
                return known
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one fetch per origin, however many threads ask at once
            with self._lock:
                known = self._robots.get(origin)
            if known is None:
                known = self._fetch_robots(origin, client, config)
                with self._lock:
                    self._robots[origin] = known
        return known

    def _fetch_robots(self, origin: str, client: httpx.Client, config: Config) -> Robots:
        robots_url = f"{origin}/robots.txt"
        try:
            with self._turn(urlsplit(origin).hostname or "", self.delay):
                answer = get(robots_url, client, config, limit=ROBOTS_BYTES, cut=True)
        except InputError as exc:
            if exc.code not in (FailureCode.UNREACHABLE, FailureCode.TIMEOUT):
                return Robots()  # a redirect loop or a refused target: as if there were none
            reason = f"{robots_url} could not be read ({exc.reason}): host not fetched this run"
            return Robots(refusal=reason, code=exc.code)
        return read_robots(answer.status, answer.body, origin)

    @contextmanager
    def _turn(self, host: str, delay: float) -> Iterator[None]:
        """Hold one of the host's slots, starting at least ``delay`` after its last start."""
        with self._lock:
            pace = self._hosts.setdefault(host, _Host(threading.BoundedSemaphore(self.concurrency)))
        with pace.slots:
            with pace.lock:
                now = time.monotonic()
                start = max(now, pace.next_start)
                pace.next_start = start + delay
            if start > now:
                time.sleep(start - now)  # our reserved turn; other threads take later ones
            yield
