"""What every alert channel shares: the Delivery it reports per alert, the Channel shape, the
Cutoff that holds a network channel to its deadline, and the plain-text rendering of an
alert that the Atom feed and the e-mail both carry.

A channel does no store work: ``send(alerts)`` returns one Delivery per alert and the watcher
records them. A channel never raises for one alert: a failure is a Delivery with its reason,
so one bad alert (or one dead server) never keeps the others from being sent.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal, Protocol

from tocsin.models.alerts import Alert, AlertEvidence

DeliveryStatus = Literal["sent", "failed"]

# Characters XML 1.0 forbids (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/FFFF).
# Mail headers and the feed must not carry them; the rest of the text is kept as it is.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
# Not wanted in a one-line title: the C1 controls, and the bidi embeddings, overrides and
# isolates that could make a subject read backwards (formats.md removes them from articles).
_TITLE_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Delivery:
    """How one alert fared on one channel: sent or failed, after how many attempts, and
    why it failed (when sent: None, or a note such as the mail recipients refused)."""

    channel: str
    key: str  # the alert's key (Alert.key)
    status: DeliveryStatus
    attempts: int
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


class Channel(Protocol):
    """Something alerts are sent to. ``name`` is what Deliveries and the store call it."""

    name: str

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        """Send each alert; one Delivery per alert, in order; never raises for one alert."""
        ...


class Cutoff:
    """A deadline for a conversation over sockets: when ``seconds`` have passed, every
    socket handed to ``watch`` is shut, which ends a read blocked on it at once.

    httpx and smtplib time out each read, not the whole conversation, so a server that
    sends one byte at a time, each within the timeout, could hold a channel (and the
    watcher) for hours. Used as a context manager; leaving it cancels the timer.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self.fire)
        self._timer.daemon = True

    def __enter__(self) -> Cutoff:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` at the deadline (at once, if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        """Shut the sockets now, as the deadline does (tests call it to cut at a set point)."""
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)


def sent(channel: str, alert: Alert, attempts: int = 1) -> Delivery:
    return Delivery(channel, alert.key, "sent", attempts)


def failed(channel: str, alert: Alert, error: str, attempts: int = 1) -> Delivery:
    return Delivery(channel, alert.key, "failed", attempts, error)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry, so the feed stays well-formed."""
    return _FORBIDDEN.sub("", text)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces and controls go, so a title cannot
    start a new mail header nor read backwards; runs of spaces collapse."""
    return " ".join(_TITLE_CONTROLS.sub("", _LINE_BREAKS.sub(" ", xml_safe(text))).split())


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already (Alert.fired_at is)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def evidence_lines(item: AlertEvidence) -> list[str]:
    """One piece of evidence as text: its words quoted, then who said it, where and when."""
    said = ", ".join(
        part
        for part in (
            item.source,
            item.outlet,
            item.published.isoformat() if item.published else None,
            f"source graded {item.reliability}" if item.reliability else None,
        )
        if part
    )
    lines = [f"[{item.id}] \u201c{item.text}\u201d"]
    if said:
        lines.append(f"    \u2014 {said}")
    if item.url:
        lines.append(f"    {item.url}")
    return lines


def alert_text(alert: Alert) -> str:
    """The alert as plain text: detail, figures, then each sentence behind it with its
    source. The e-mail body and the Atom entry's content are this text."""
    lines = [alert.detail.strip(), ""]
    lines.append(f"Case: {alert.case_id}   Rule: {alert.rule_id}   Kind: {alert.kind}")
    as_of = alert.as_of.isoformat() if alert.as_of else "-"
    lines.append(f"Evidence as of: {as_of}   Fired at: {utc(alert.fired_at).isoformat()}")
    if alert.probabilities:
        shares = ", ".join(f"{h} {p:.0%}" for h, p in alert.probabilities.items())
        lines.append(f"Probabilities: {shares}")
    if alert.evidence:
        lines += ["", "Evidence:"]
        for item in alert.evidence:
            lines += evidence_lines(item)
    return "\n".join(lines)
