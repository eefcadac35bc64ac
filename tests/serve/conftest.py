"""Shared fixtures of the desk's tests: a demo store with the bundled case assessed, and a
client of the desk over a private copy of it (Starlette's TestClient: no server, no
browser). The browser tests (test_browser_*.py) start a real server with ``live_desk``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tocsin.assess.assessment import assess
from tocsin.assess.case import bundled_case_path, load_case
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract.run import extract
from tocsin.serve.app import Settings, create_app
from tocsin.serve.background import BackgroundDesk
from tocsin.store.db import Store

CASE = "belarus-2022"


@pytest.fixture(scope="session")
def desk_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five demo articles ingested, extracted and the bundled case assessed (patterns
    only, no embedding model) once per session; copy before writing."""
    db = tmp_path_factory.mktemp("desk-demo") / "demo.db"
    run_demo(db, Config.load(workers=1))
    with Store.open(db) as store:
        assert extract(store, workers=1).processed == 5
        assess(store, load_case(bundled_case_path()), link=True, record=True)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def desk_db(desk_master: Path, tmp_path: Path) -> Path:
    """A private copy of the assessed demo store."""
    copy = tmp_path / "desk.db"
    shutil.copy(desk_master, copy)
    return copy


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as the desk's pages carry it."""
    html = client.get("/").text
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "every page carries its CSRF token"
    return found.group(1)


class DeskClient(TestClient):
    """A TestClient that signs its state-changing requests with the session's CSRF token."""

    def post_json(self, url: str, data: object) -> object:
        headers = {"X-CSRF-Token": csrf_of(self), "Accept": "application/json"}
        return self.post(url, json=data, headers=headers)


@pytest.fixture
def client(desk_db: Path) -> Iterator[DeskClient]:
    """The desk over a private copy of the demo store, as analyst 'analyst'."""
    app = create_app(Settings(db=desk_db))
    with DeskClient(app, base_url="http://127.0.0.1") as c:
        yield c


# -- a real server and a real browser ------------------------------------------------------


@pytest.fixture
def live_desk(desk_db: Path) -> Iterator[BackgroundDesk]:
    """The desk over a private copy of the demo store, served on a free loopback port."""
    with BackgroundDesk(Settings(db=desk_db)) as desk:
        yield desk


def chromium_path() -> str:
    """Debian's Chromium (``./dev test`` installs it); the browser tests fail without it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("the browser tests need Chromium: apt-get install chromium (./dev does)")
    return found


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; nothing of its own reaches the
    network (this machine has none but loopback). One per session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in a fresh context (its own cookies: its own session)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def console(page: Any) -> list[str]:
    """Every console error and uncaught exception on the test's page (a refused inline
    script or style shows here, as a policy violation); the test asserts it stays empty."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors
