"""Refused addresses: every range, IPv6 forms of IPv4 ones, the allow-list, and fetches
that would reach them (a redirect, a feed entry, a name that resolves there)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tocsin.cli import main
from tocsin.config import Config
from tocsin.errors import ConfigError, FailureCode, InputError
from tocsin.ingest.fetch import fetch, make_client
from tocsin.ingest.guard import AllowList, check_address, check_url, refused_range
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private (RFC 1918)"),
    ("172.16.0.1", "private (RFC 1918)"),
    ("172.31.255.255", "private (RFC 1918)"),
    ("192.168.1.1", "private (RFC 1918)"),
    ("fc00::1", "private (unique local)"),
    ("fdab:cdef::7", "private (unique local)"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("febf::1", "link-local"),
    ("100.64.0.1", "shared address space (CGNAT)"),
    ("100.127.255.254", "shared address space (CGNAT)"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "reserved (documentation)"),
    ("2001:db8::1", "reserved (documentation)"),
    ("198.18.0.1", "reserved (benchmarking)"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
]


@pytest.mark.parametrize(("address", "name"), REFUSED)
def test_each_range_is_refused_by_name(address: str, name: str) -> None:
    found = refused_range(address)
    assert found is not None
    assert found.startswith(name)


@pytest.mark.parametrize(("address", "name"), [(a, n) for a, n in REFUSED if ":" not in a])
def test_ipv4_mapped_and_embedded_forms_are_refused_too(address: str, name: str) -> None:
    for form in (f"::ffff:{address}", f"64:ff9b::{address}"):
        found = refused_range(form)
        assert found is not None, form
        assert found.startswith(name)
        assert found.endswith("in IPv6 form")
    packed = "".join(f"{int(part):02x}" for part in address.split("."))
    six_to_four = f"2002:{packed[:4]}:{packed[4:]}::1"
    assert (refused_range(six_to_four) or "").startswith(name)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:1.1.1.1", "100.63.0.1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refused_range(address) is None


def test_the_reason_names_the_address_and_the_range() -> None:
    with pytest.raises(InputError) as refused:
        check_address("intranet.example", "10.0.0.7", AllowList())
    assert refused.value.code is FailureCode.FORBIDDEN_ADDRESS
    assert "intranet.example (10.0.0.7)" in refused.value.reason
    assert "private (RFC 1918) 10.0.0.0/8" in refused.value.reason
    assert "--allow-address" in refused.value.reason


def test_the_allow_list_opens_only_what_it_names() -> None:
    allow = AllowList.parse(["127.0.0.1", "192.168.0.0/16", "wiki.internal"])
    check_address("127.0.0.1", "127.0.0.1", allow)
    check_address("127.0.0.1", "::ffff:127.0.0.1", allow)
    check_address("printer", "192.168.40.2", allow)
    check_address("wiki.internal", "10.9.9.9", allow)  # a named host: all its addresses
    check_address("WIKI.internal.", "10.9.9.9", allow)
    for host, address in [("127.0.0.2", "127.0.0.2"), ("x", "10.0.0.1"), ("m", "169.254.169.254")]:
        with pytest.raises(InputError):
            check_address(host, address, allow)


def _resolver(table: dict[str, list[str]]) -> Callable[[str, int], Sequence[str]]:
    def resolve(host: str, port: int) -> Sequence[str]:
        return table[host]

    return resolve


def test_a_name_is_refused_when_any_of_its_addresses_is() -> None:
    resolve = _resolver({"news.example": ["93.184.216.34", "10.0.0.5"], "ok.example": ["8.8.4.4"]})
    with pytest.raises(InputError) as refused:
        check_url("https://news.example/story", AllowList(), resolve)
    assert "10.0.0.5" in refused.value.reason
    check_url("https://ok.example/story", AllowList(), resolve)
    check_url("http://[2606:4700::1111]:8080/x", AllowList(), resolve)
    with pytest.raises(InputError) as literal:
        check_url("http://[::ffff:169.254.169.254]/latest/meta-data/", AllowList(), resolve)
    assert "cloud metadata" in literal.value.reason


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    def fail(host: str, port: int) -> Sequence[str]:
        raise OSError("Name or service not known")

    with pytest.raises(InputError) as unknown:
        check_url("http://nowhere.invalid/", AllowList(), fail)
    assert unknown.value.code is FailureCode.UNREACHABLE
    assert "nowhere.invalid" in unknown.value.reason


def test_allow_entries_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_FETCH_ALLOW", "127.0.0.1, 10.0.0.0/8 Wiki.Internal.")
    assert Config.load().fetch_allow == ("127.0.0.1", "10.0.0.0/8", "wiki.internal")
    monkeypatch.setenv("TOCSIN_FETCH_ALLOW", "127.0.0.1,http://bad/")
    with pytest.raises(ConfigError, match="TOCSIN_FETCH_ALLOW"):
        Config.load()


def test_a_bad_allow_address_is_a_usage_error(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    args = ["ingest", "http://x.example/", "--db", db, "--allow-address", "a b"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--allow-address" in result.output
    assert "'a b' is neither an address" in result.output
    assert not Path(db).exists()


# --- fetches that would reach a refused address -----------------------------------------


def _no_connection(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"connected to {request.url}")


def test_a_refused_url_is_refused_before_any_connection() -> None:
    config = Config.load()
    with make_client(config, transport=httpx.MockTransport(_no_connection)) as client:
        for url in ("http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/"):
            with pytest.raises(InputError) as refused:
                fetch(url, client, config)
            assert refused.value.code is FailureCode.FORBIDDEN_ADDRESS


@pytest.mark.network
@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://169.254.169.254/latest/"])
def test_a_redirect_to_a_refused_address_is_refused(
    httpserver: HTTPServer, store: Store, target: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/go").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    url = httpserver.url_for("/go")
    config = Config.load(workers=1, fetch_allow=("127.0.0.1",), host_delay=0)

    report = ingest([url], store=store, config=config)

    [(locator, code, reason)] = report.failures
    assert (locator, code) == (url, "forbidden_address")
    assert target.split("/")[2] in reason
    assert [r.error_code for r in store.failures()] == ["forbidden_address"]


@pytest.mark.network
def test_a_loopback_server_is_refused_without_the_allow_list(
    httpserver: HTTPServer, store: Store
) -> None:
    httpserver.expect_request("/page").respond_with_data("<p>x</p>", content_type="text/html")
    url = httpserver.url_for("/page")
    report = ingest([url], store=store, config=Config.load(workers=1))
    assert [(s, c) for s, c, _ in report.failures] == [(url, "forbidden_address")]
    assert "loopback 127.0.0.0/8" in report.failures[0][2]
    assert httpserver.log == [], "refused before any request"


@pytest.mark.network
def test_the_peer_is_checked_after_the_name_resolved_elsewhere(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name looked public when checked, the connection went to loopback."""
    httpserver.expect_request("/page").respond_with_data("<p>x</p>", content_type="text/html")
    fetch_module = importlib.import_module("tocsin.ingest.fetch")
    # The first look-up said "public":
    monkeypatch.setattr(fetch_module, "check_url", lambda url, allow: None)
    config = Config.load()
    url = httpserver.url_for("/page").replace("127.0.0.1", "localhost")
    with make_client(config) as client, pytest.raises(InputError) as refused:
        fetch(url, client, config)
    assert refused.value.code is FailureCode.FORBIDDEN_ADDRESS
    assert "localhost (127.0.0.1)" in refused.value.reason
    assert httpserver.log == []


def _rss(links: list[str]) -> str:
    items = "".join(
        f"<item><title>Story {n}</title><link>{escape(link)}</link><guid>{n}</guid>"
        f"<description>Short teaser {n}.</description></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
    )


@pytest.mark.network
def test_a_feed_entry_pointing_at_a_refused_address_fails_alone(
    httpserver: HTTPServer,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/story").respond_with_data(
        article_html("Public story", paragraphs(80)), content_type="text/html"
    )
    links = [httpserver.url_for("/story"), "http://169.254.169.254/latest/meta-data/iam"]
    httpserver.expect_request("/feed.rss").respond_with_data(
        _rss(links), content_type="application/rss+xml"
    )
    feed = httpserver.url_for("/feed.rss")
    config = Config.load(workers=1, fetch_allow=("127.0.0.1",), host_delay=0)

    report = ingest([feed], store=store, config=config)

    assert [(s, c) for s, c, _ in report.failures] == [(f"{feed}#1", "forbidden_address")]
    assert "cloud metadata 169.254.169.254/32" in report.failures[0][2]
    assert [a.title for a in store.articles()] == ["Public story"]
    assert [r.error_code for r in store.failures()] == ["forbidden_address"]
