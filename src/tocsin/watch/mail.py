"""The e-mail channel: one plain-text message per alert over SMTP (docs/alerts-channels.md).

One message per alert, not a digest: each alert's subject is its title, so a mail client
can sort and thread them, and each gets its own status (a message the server refuses fails
alone). All the alerts of one send go over one connection. The subject is the title on one
line (line breaks and control characters removed), so no alert text can add a header; the
body is the alert as text with the sentences behind it and their sources.

Every socket operation has the configured timeout, and the whole send ``max_total``: at
that deadline the connection is shut, the message being sent fails and the alerts not yet
tried fail with 0 attempts. A server that cannot be reached fails every alert of the send
with the reason, at once, without trying each alert in turn.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from tocsin.models.alerts import Alert
from tocsin.watch.delivery import Cutoff, Delivery, alert_text, failed, one_line, sent

SUBJECT_PREFIX = "[tocsin] "
MAX_SUBJECT = 200  # characters of the title kept in the subject; the body has it whole


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: the server, the envelope, and the optional TLS (STARTTLS, or
    implicit TLS from the first byte) and login (the password comes from the environment,
    never from the config file)."""

    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    tls: bool = False  # implicit TLS from the first byte ("SMTPS", port 465)
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0  # each step of the conversation
    max_total: float = 300.0  # the whole send, every alert of it


def subject(alert: Alert) -> str:
    """The subject line: the title on one line, shortened, after a prefix for filters."""
    title = one_line(alert.title) or f"alert from rule {one_line(alert.rule_id)}"
    if len(title) > MAX_SUBJECT:
        title = title[: MAX_SUBJECT - 1].rstrip() + "\u2026"
    return SUBJECT_PREFIX + title


def message(alert: Alert, settings: SmtpSettings) -> EmailMessage:
    """The alert as an e-mail: subject from the title, the alert's text as the body."""
    msg = EmailMessage()
    msg["Subject"] = subject(alert)
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(usegmt=True)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "tocsin.invalid"
    msg["Message-ID"] = make_msgid("tocsin", domain=domain)
    title = one_line(alert.title)
    msg.set_content(f"{title}\n{'=' * min(len(title), 72)}\n\n{alert_text(alert)}\n")
    return msg


def _reason(exc: BaseException) -> str:
    """An SMTP or socket error in words: the server's code and reply, or the OS's."""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        return f"the server answered {exc.smtp_code} {reply or ''}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient was refused: " + ", ".join(sorted(exc.recipients))
    if isinstance(exc, TimeoutError):
        return "no answer within the timeout"
    return str(exc) or type(exc).__name__


class EmailChannel:
    """Send each alert as its own message through the SMTP server in ``settings``."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        name: str = "email",
        ssl_context: ssl.SSLContext | None = None,
        cutoff: Callable[[float], Cutoff] = Cutoff,
    ) -> None:
        self.name = name
        self.settings = settings
        self._ssl_context = ssl_context
        self._cutoff = cutoff  # tests pass one they fire at a set point of the conversation

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        if not alerts:
            return []
        with self._cutoff(self.settings.max_total) as cutoff:
            try:
                smtp = self._connect(cutoff)
            except (OSError, smtplib.SMTPException) as exc:
                reason = self._unreachable(exc, cutoff)
                return [failed(self.name, alert, reason) for alert in alerts]
            try:
                return [
                    self._send_one(smtp, alert, cutoff)
                    if not cutoff.fired
                    else Delivery(self.name, alert.key, "failed", 0, self._late())
                    for alert in alerts
                ]
            finally:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    smtp.close()

    def _unreachable(self, exc: BaseException, cutoff: Cutoff) -> str:
        where = f"{self.settings.host}:{self.settings.port}"
        why = self._late() if cutoff.fired else _reason(exc)
        return f"cannot send through the mail server {where}: {why}"

    def _late(self) -> str:
        return f"not done within the send's {self.settings.max_total:g}s deadline"

    def _connect(self, cutoff: Cutoff) -> smtplib.SMTP:
        """A connection ready to send: greeted, secured if asked, logged in if asked."""
        s = self.settings
        context = self._ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.tls:
            smtp = _WatchedSMTPS(cutoff, s.host, s.port, s.timeout, context)
        else:
            smtp = _WatchedSMTP(cutoff, s.host, s.port, s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user is not None:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_one(self, smtp: smtplib.SMTP, alert: Alert, cutoff: Cutoff) -> Delivery:
        s = self.settings
        try:
            msg = message(alert, s)
            refused = smtp.send_message(
                msg, from_addr=parseaddr(s.sender)[1], to_addrs=list(s.recipients)
            )
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            why = self._late() if cutoff.fired else _reason(exc)
            return failed(self.name, alert, f"message not sent: {why}")
        if refused:
            # Sent to the others; the note says who did not get it.
            note = "refused by the server for: " + ", ".join(sorted(refused))
            return Delivery(self.name, alert.key, "sent", 1, note)
        return sent(self.name, alert)


class _WatchedSMTP(smtplib.SMTP):
    """smtplib's client that hands its socket to a Cutoff before it waits for a reply
    (smtplib times out each read, not the conversation). The socket is looked at before
    each reply, so the TLS socket that STARTTLS puts in place of the plain one is watched
    too."""

    def __init__(self, cutoff: Cutoff, host: str, port: int, timeout: float) -> None:
        self._cutoff = cutoff
        self._watched: socket.socket | None = None
        super().__init__(host, port, timeout=timeout)

    def getreply(self) -> tuple[int, bytes]:
        self._watched = _watch(self.sock, self._watched, self._cutoff)
        return super().getreply()


class _WatchedSMTPS(smtplib.SMTP_SSL):
    """The same, over TLS from the first byte (the handshake is bounded by the timeout)."""

    def __init__(
        self, cutoff: Cutoff, host: str, port: int, timeout: float, context: ssl.SSLContext
    ) -> None:
        self._cutoff = cutoff
        self._watched: socket.socket | None = None
        super().__init__(host, port, timeout=timeout, context=context)

    def getreply(self) -> tuple[int, bytes]:
        self._watched = _watch(self.sock, self._watched, self._cutoff)
        return super().getreply()


def _watch(
    sock: socket.socket | None, watched: socket.socket | None, cutoff: Cutoff
) -> socket.socket | None:
    """Hand ``sock`` to the cutoff if it is not the one already watched; the one watched."""
    if sock is not None and sock is not watched:
        cutoff.watch(sock)
        return sock
    return watched
