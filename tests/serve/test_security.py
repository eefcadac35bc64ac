"""The desk's defences, each tried: where it listens, the token, the Host check, CSRF,
the policy headers, bounded bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.serve.conftest import CASE, DeskClient, csrf_of

from tocsin.errors import ConfigError
from tocsin.serve.app import Settings, create_app
from tocsin.serve.security import check_bind, is_loopback

TOKEN = "a-long-enough-secret-token"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_token(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.4", "::", "desk.example.org"])
def test_any_other_address_is_refused_without_a_token(host: str, desk_db: Path) -> None:
    with pytest.raises(ConfigError, match="without a token"):
        create_app(Settings(db=desk_db, host=host))
    create_app(Settings(db=desk_db, host=host, token=TOKEN))  # with one, it serves


def test_a_short_token_is_refused(desk_db: Path) -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        create_app(Settings(db=desk_db, host="0.0.0.0", token="short"))


def test_with_a_token_nothing_is_shown_before_signing_in(desk_db: Path) -> None:
    app = create_app(Settings(db=desk_db, host="0.0.0.0", token=TOKEN))
    with TestClient(app, base_url="http://0.0.0.0") as c:
        first = c.get(f"/cases/{CASE}", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/login"
        assert "Will Belarus" not in c.get("/", follow_redirects=True).text
        csrf = csrf_of_login(c)
        wrong = c.post("/login", data={"token": "not-the-token-at-all", "csrf": csrf})
        assert wrong.status_code == 401
        right = c.post("/login", data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
        assert right.status_code == 303
        assert "Will Belarus" in c.get("/").text


def csrf_of_login(c: TestClient) -> str:
    html = c.get("/login").text
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_a_bearer_token_opens_the_desk_to_scripts(desk_db: Path) -> None:
    app = create_app(Settings(db=desk_db, host="0.0.0.0", token=TOKEN))
    with TestClient(app, base_url="http://0.0.0.0") as c:
        summary = c.get(f"/cases/{CASE}/summary.json", headers={"Authorization": f"Bearer {TOKEN}"})
        assert summary.status_code == 200
        refused = c.get(
            f"/cases/{CASE}/summary.json",
            headers={"Authorization": "Bearer nope"},
            follow_redirects=False,
        )
        assert refused.status_code == 303


def test_another_host_name_is_refused(client: DeskClient) -> None:
    # A page on evil.example that resolves its own name to 127.0.0.1 (DNS rebinding)
    # reaches the desk with its own Host header.
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_state_changes_need_the_csrf_token(client: DeskClient) -> None:
    assert client.post("/analyst", data={"analyst": "mallory"}).status_code == 403
    forged = client.post("/analyst", data={"analyst": "mallory", "csrf": "forged"})
    assert forged.status_code == 403
    wrong_header = client.post("/analyst", json={}, headers={"X-CSRF-Token": "forged"})
    assert wrong_header.status_code == 403
    ok = client.post("/analyst", data={"analyst": "alice", "csrf": csrf_of(client)})
    assert ok.status_code in (200, 303)
    assert 'value="alice"' in client.get("/").text


def test_a_request_from_another_origin_is_refused(client: DeskClient) -> None:
    csrf = csrf_of(client)
    cross = client.post(
        "/analyst", data={"analyst": "x", "csrf": csrf}, headers={"origin": "https://evil.example"}
    )
    assert cross.status_code == 403


def test_every_page_carries_the_strict_policy(client: DeskClient) -> None:
    for url in ("/", f"/cases/{CASE}", "/no-such-page"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


def test_a_session_cookie_is_signed_http_only_and_strict(client: DeskClient) -> None:
    cookie = client.get("/").headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    client.cookies.set("tocsin_desk", "eyJjc3JmIjogIngifQ==.forged.signature")
    # A forged cookie is no session: a fresh one is issued, the forged token does nothing.
    assert client.post("/analyst", data={"analyst": "x", "csrf": "x"}).status_code == 403


def test_bodies_are_bounded(desk_db: Path) -> None:
    app = create_app(Settings(db=desk_db, max_body=1000))
    with DeskClient(app, base_url="http://127.0.0.1") as c:
        csrf = csrf_of(c)
        big = c.post("/analyst", data={"analyst": "x" * 5000, "csrf": csrf})
        assert big.status_code == 413

        def stream():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"a" * 500

        # No length announced: the body is counted as the form parser reads it.
        form = "application/x-www-form-urlencoded"
        streamed = c.post(
            "/analyst", content=stream(), headers={"X-CSRF-Token": csrf, "content-type": form}
        )
        assert streamed.status_code == 413


def test_static_files_take_no_path_outside_their_folder(client: DeskClient) -> None:
    for probe in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        reply = client.get(probe)
        assert reply.status_code == 404
        assert "create_app" not in reply.text
