"""The e-mail channel over TLS against a real SMTP server on 127.0.0.1 (aiosmtpd) with a
throwaway certificate authority (trustme): implicit TLS from the first byte (port 465's
way) and STARTTLS both deliver, log in inside the encryption, and a certificate the
channel does not trust fails with the reason, sending nothing."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from tests.watch.test_channels_email import (
    SENDER,
    TO,
    Inbox,
    _authenticator,
    _free_port,
    settings,
)
from tests.watch.test_channels_jsonl import make_alert

from tocsin.watch.channels import channel_configs
from tocsin.watch.mail import EmailChannel

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the throwaway authority (and checks the host name)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def _serve(inbox: Inbox, **kwargs: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtps(server_context: ssl.SSLContext) -> Iterator[tuple[Inbox, int]]:
    """A server speaking TLS from the first byte, with logins (checked by the password)."""
    inbox = Inbox()
    for port in _serve(
        inbox,
        ssl_context=server_context,
        authenticator=_authenticator,
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS as TLS; this one is all TLS
    ):
        yield inbox, port


@pytest.fixture
def starttls_only(server_context: ssl.SSLContext) -> Iterator[tuple[Inbox, int]]:
    """A server that takes nothing before STARTTLS."""
    inbox = Inbox()
    for port in _serve(
        inbox, tls_context=server_context, require_starttls=True, authenticator=_authenticator
    ):
        yield inbox, port


def test_implicit_tls_delivers_and_logs_in_inside_the_encryption(
    smtps: tuple[Inbox, int], trusting: ssl.SSLContext
) -> None:
    inbox, port = smtps
    secured = settings(port, tls=True, user="desk", password="right")
    deliveries = EmailChannel(secured, ssl_context=trusting).send([make_alert(1), make_alert(2)])
    assert [(d.status, d.error) for d in deliveries] == [("sent", None)] * 2
    assert [sorted(e.rcpt_tos) for e in inbox.envelopes] == [sorted(TO)] * 2
    assert inbox.messages()[0]["Subject"] == "[tocsin] Invasion crosses 50% (1)"
    wrong = settings(port, tls=True, user="desk", password="wrong")
    (refused,) = EmailChannel(wrong, ssl_context=trusting).send([make_alert(3)])
    assert refused.status == "failed"
    assert "535" in (refused.error or "")
    assert len(inbox.envelopes) == 2


def test_a_certificate_the_channel_does_not_trust_fails_and_sends_nothing(
    smtps: tuple[Inbox, int],
) -> None:
    inbox, port = smtps
    # The system's trust store, which does not know the throwaway authority.
    (delivery,) = EmailChannel(settings(port, tls=True)).send([make_alert(1)])
    assert delivery.status == "failed"
    assert "certificate verify failed" in (delivery.error or "")
    assert inbox.envelopes == []


def test_plain_smtp_to_a_tls_port_fails_with_a_reason(smtps: tuple[Inbox, int]) -> None:
    inbox, port = smtps
    (delivery,) = EmailChannel(settings(port, timeout=5.0)).send([make_alert(1)])
    assert delivery.status == "failed"
    assert (delivery.error or "").startswith(
        f"cannot send through the mail server 127.0.0.1:{port}: "
    )
    assert inbox.envelopes == []


def test_starttls_upgrades_then_delivers_where_the_server_requires_it(
    starttls_only: tuple[Inbox, int], trusting: ssl.SSLContext
) -> None:
    inbox, port = starttls_only
    (plain,) = EmailChannel(settings(port)).send([make_alert(1)])
    assert plain.status == "failed"
    assert "STARTTLS" in (plain.error or "")
    upgraded = settings(port, starttls=True, user="desk", password="right")
    (delivery,) = EmailChannel(upgraded, ssl_context=trusting).send([make_alert(2)])
    assert (delivery.status, delivery.error) == ("sent", None)
    assert [e.mail_from for e in inbox.envelopes] == [SENDER]


def test_the_config_takes_tls_and_refuses_it_with_starttls() -> None:
    entry = {"type": "email", "host": "mail.example.org", "port": 465, "from": SENDER,
             "to": list(TO), "tls": True, "user_env": "U", "password_env": "P"}  # fmt: skip
    (config,) = channel_configs([entry])
    assert (config.tls, config.starttls) == (True, False)  # type: ignore[union-attr]
    with pytest.raises(Exception, match="two ways of securing one connection"):
        channel_configs([{**entry, "starttls": True}])
    with pytest.raises(Exception, match="password in clear"):
        channel_configs([{**entry, "tls": False}])
