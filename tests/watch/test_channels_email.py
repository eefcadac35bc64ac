"""The e-mail channel against a real SMTP server on 127.0.0.1 (aiosmtpd's Controller, whose
handler keeps what it receives): the message arrives as it should, a title cannot add a
header, a server that is down fails with the reason and leaves the other channels be."""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import hypothesis
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from hypothesis import given
from hypothesis import strategies as st
from tests.watch.test_channels_jsonl import make_alert

from tocsin.watch.channels import Channel, JsonLinesChannel, send_all
from tocsin.watch.delivery import Cutoff
from tocsin.watch.mail import EmailChannel, SmtpSettings, message, subject

pytestmark = pytest.mark.network
SENDER = "tocsin@example.org"
TO = ("desk@example.org", "analyst@example.net")


class Inbox:
    """An aiosmtpd handler that keeps every envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def bodies(self) -> list[str]:
        """Each message's text, with the wire's CRLF line ends read as LF."""
        return [m.get_content().replace("\r\n", "\n") for m in self.messages()]

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(_raw(e), policy=email.policy.default) for e in self.envelopes
        ]


def _raw(envelope: Envelope) -> bytes:
    """The message as it came over the wire (aiosmtpd keeps bytes unless told to decode)."""
    content = envelope.content
    return content if isinstance(content, bytes) else (content or "").encode("utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def settings(port: int, **changes: Any) -> SmtpSettings:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": SENDER,
        "recipients": TO,
        "timeout": 10.0,
    }
    options.update(changes)
    return SmtpSettings(**options)


def test_each_alert_arrives_with_its_subject_recipients_and_body(
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    alerts = [make_alert(1), make_alert(2, title="Лидер сменился: «вторжение»")]
    deliveries = EmailChannel(settings(port)).send(alerts)
    assert [(d.channel, d.status, d.attempts, d.error) for d in deliveries] == [
        ("email", "sent", 1, None)
    ] * 2
    assert [e.mail_from for e in inbox.envelopes] == [SENDER, SENDER]
    assert [sorted(e.rcpt_tos) for e in inbox.envelopes] == [sorted(TO)] * 2
    first, second = inbox.messages()
    assert first["Subject"] == "[tocsin] Invasion crosses 50% (1)"
    assert second["Subject"] == "[tocsin] Лидер сменился: «вторжение»"
    assert first["From"] == SENDER
    assert first["To"] == ", ".join(TO)
    assert first["Message-ID"].endswith("@example.org>")
    body = inbox.bodies()[0]
    assert body.startswith("Invasion crosses 50% (1)\n")
    assert "The invasion hypothesis rose from 41% to 53%" in body
    assert "[L12] \u201cTroops moved to within 20 km of the border.\u201d" in body
    assert "Ministry of Defence, Reuters, 2022-01-31, source graded B" in body
    assert "https://example.org/a/12" in body
    assert "«вторжение»" in second.get_content()


def test_a_title_cannot_add_a_header(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    title = "Alert\r\nBcc: victim@example.com\nX-Evil: 1\r\n\r\nforged body"
    deliveries = EmailChannel(settings(port)).send([make_alert(1, title=title)])
    assert deliveries[0].status == "sent"
    assert [sorted(e.rcpt_tos) for e in inbox.envelopes] == [sorted(TO)]
    (msg,) = inbox.messages()
    assert msg["Bcc"] is None
    assert msg["X-Evil"] is None
    assert msg["Subject"] == "[tocsin] Alert Bcc: victim@example.com X-Evil: 1 forged body"
    assert b"\nBcc:" not in _raw(inbox.envelopes[0])


def test_a_long_title_is_shortened_in_the_subject_only(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    title = "word " * 100
    EmailChannel(settings(port)).send([make_alert(1, title=title)])
    (msg,) = inbox.messages()
    assert len(msg["Subject"]) <= len("[tocsin] ") + 200
    assert msg["Subject"].endswith("\u2026")
    assert title.strip() in inbox.bodies()[0]


def test_the_server_down_fails_with_a_clear_reason_and_others_go_on() -> None:
    port = _free_port()  # nothing listens there
    stream = io.StringIO()
    alerts = [make_alert(1), make_alert(2)]
    channels: list[Channel] = [EmailChannel(settings(port, timeout=5.0)), JsonLinesChannel(stream)]
    deliveries = send_all(channels, alerts)
    assert [(d.channel, d.status) for d in deliveries] == [
        ("email", "failed"),
        ("email", "failed"),
        ("jsonl", "sent"),
        ("jsonl", "sent"),
    ]
    reason = deliveries[0].error or ""
    assert reason.startswith(f"cannot send through the mail server 127.0.0.1:{port}: ")
    assert "refused" in reason.lower()
    assert len(stream.getvalue().splitlines()) == 2


def test_starttls_asked_of_a_server_without_it_fails_with_the_reason(
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    deliveries = EmailChannel(settings(port, starttls=True)).send([make_alert(1)])
    assert deliveries[0].status == "failed"
    assert "STARTTLS" in (deliveries[0].error or "")
    assert inbox.envelopes == []


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
    return AuthResult(success=ok, handled=False)  # aiosmtpd then answers 535 itself


@pytest.fixture
def smtp_with_login() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,  # loopback only; over a network the channel wants STARTTLS
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_login_with_the_right_password_sends_and_a_wrong_one_fails(
    smtp_with_login: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_with_login
    good = EmailChannel(settings(port, user="tocsin", password="right"))
    assert good.send([make_alert(1)])[0].status == "sent"
    bad = EmailChannel(settings(port, user="tocsin", password="wrong"))
    deliveries = bad.send([make_alert(2), make_alert(3)])
    assert [d.status for d in deliveries] == ["failed", "failed"]
    assert deliveries[0].error == (
        f"cannot send through the mail server 127.0.0.1:{port}: "
        "the server answered 535 5.7.8 Authentication credentials invalid"
    )
    assert len(inbox.envelopes) == 1


def test_a_refused_recipient_fails_that_message_alone() -> None:
    class Picky(Inbox):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
        ) -> str:
            if address.startswith("nobody"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    picky = Picky()
    port = _free_port()
    controller = Controller(picky, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        partly = EmailChannel(settings(port, recipients=("desk@example.org", "nobody@x.org")))
        nobody = EmailChannel(settings(port, recipients=("nobody@x.org",)))
        some = partly.send([make_alert(1)])
        none = nobody.send([make_alert(2)])
    finally:
        controller.stop()
    assert some[0].status == "sent"
    assert "nobody@x.org" in (some[0].error or "")
    assert none[0].status == "failed"
    assert "recipient" in (none[0].error or "")
    assert [e.rcpt_tos for e in picky.envelopes] == [["desk@example.org"]]


@hypothesis.settings(max_examples=80, deadline=None)
@given(title=st.text(max_size=120))
def test_no_title_can_break_the_headers(title: str) -> None:
    msg = message(make_alert(1, title=title), settings(25))
    subject_line = subject(make_alert(1, title=title))
    assert not set(subject_line) & set("\r\n\x0b\x0c\x85\u2028\u2029")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert [k for k in parsed if k.lower() not in {"content-transfer-encoding"}] == [
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "Content-Type",
        "MIME-Version",
    ]
    # CPython's header folding can drop a space where it splits a long run of encoded
    # words (seen with "00¡¡¡¡¡¡¡¡𐀀𐀀𐀀𐀀 ¡"): compare the words, not the spaces.
    assert "".join(parsed["Subject"].split()) == "".join(subject_line.split())


def test_nothing_to_send_opens_no_connection() -> None:
    assert EmailChannel(settings(_free_port())).send([]) == []


@pytest.fixture
def slow_greeter() -> Iterator[int]:
    """An SMTP server on 127.0.0.1 that greets a byte at a time, each well within the
    timeout, so only a deadline on the whole send ends it (at most ~20 s of bytes)."""
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
                for byte in b"220 " + b"z" * 400:
                    if stop.wait(0.05):
                        break
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def test_a_server_too_slow_for_the_deadline_is_cut_off(slow_greeter: int) -> None:
    mail = EmailChannel(settings(slow_greeter, timeout=5.0, max_total=0.5))
    deliveries = mail.send([make_alert(1), make_alert(2)])
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 1), ("failed", 1)]
    assert deliveries[0].error == (
        f"cannot send through the mail server 127.0.0.1:{slow_greeter}: "
        "not done within the send's 0.5s deadline"
    )


@pytest.fixture
def stalls_after_one() -> Iterator[tuple[int, list[Cutoff]]]:
    """An SMTP server on 127.0.0.1 that takes the first message and then never answers
    (until the test ends); having the message, it fires the client's Cutoffs, as the
    deadline would, at that set point of the conversation."""
    stop = threading.Event()
    cutoffs: list[Cutoff] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    replies = {b"EHLO": b"250 ok", b"HELO": b"250 ok", b"MAIL": b"250 ok", b"RCPT": b"250 ok"}

    def converse(conn: socket.socket) -> None:
        lines = conn.makefile("rb")
        conn.sendall(b"220 ready\r\n")
        for line in iter(lines.readline, b""):
            if line[:4].upper() == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for data in iter(lines.readline, b""):
                    if data == b".\r\n":
                        break
                for cutoff in cutoffs:
                    cutoff.fire()
                stop.wait(10)  # the answer never comes
                return
            conn.sendall(replies.get(line[:4].upper(), b"500 what") + b"\r\n")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):
                converse(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1]), cutoffs
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def test_alerts_not_reached_by_the_deadline_fail_untried(
    stalls_after_one: tuple[int, list[Cutoff]],
) -> None:
    port, cutoffs = stalls_after_one

    def cutoff(seconds: float) -> Cutoff:
        cutoffs.append(Cutoff(60.0))  # fired by the server, not by the clock
        return cutoffs[-1]

    mail = EmailChannel(settings(port, timeout=30.0, max_total=5.0), cutoff=cutoff)
    deliveries = mail.send([make_alert(1), make_alert(2), make_alert(3)])
    assert [(d.status, d.attempts) for d in deliveries] == [
        ("failed", 1),
        ("failed", 0),
        ("failed", 0),
    ]
    assert deliveries[0].error == "message not sent: not done within the send's 5s deadline"
    assert deliveries[1].error == "not done within the send's 5s deadline"
