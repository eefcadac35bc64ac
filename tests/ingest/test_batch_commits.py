"""When ingest commits: after ``BATCH`` items, after ``BATCH_SECONDS``, and before each
fetch over the network, so that another writer (an analyst deciding on the desk) never
waits long for the store's write lock."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tocsin.config import Config
from tocsin.ingest import pipeline
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

WAIT = 10.0  # seconds a test server waits for the writer to have committed


def _pages(folder: Path, article_html: Callable[..., str], paragraphs: Callable, n: int) -> Path:
    folder.mkdir()
    for k in range(n):
        page = article_html(f"Column {k} crosses the bridge", paragraphs(300 + k))
        (folder / f"p{k}.html").write_text(page, encoding="utf-8")
    return folder


def _open_batches(store: Store, targets: list[str]) -> list[bool]:
    """Whether a write transaction was open after each item was written."""
    seen: list[bool] = []
    ingest(
        targets,
        store=store,
        config=Config.load(workers=1),
        progress=lambda _locator, _outcome: seen.append(store.conn.in_transaction),
    )
    return seen


def test_a_batch_is_committed_once_it_is_older_than_batch_seconds(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    folder = _pages(tmp_path / "pages", article_html, paragraphs, 3)
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 0.0)
    assert _open_batches(store, [str(folder)]) == [False, False, False]


def test_a_young_batch_stays_open_until_batch_items(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    store: Store,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    folder = _pages(tmp_path / "pages", article_html, paragraphs, 3)
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 3600.0)
    monkeypatch.setattr(pipeline, "BATCH", 2)
    assert _open_batches(store, [str(folder)]) == [True, False, True]
    assert not store.conn.in_transaction  # the last batch is committed at the end
    assert store.counts()["articles"] == 3


@pytest.mark.network
def _free_to_write(db: Path) -> bool:
    """Whether another writer, one that will not wait, could take the store's write lock."""
    other = sqlite3.connect(db, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_no_write_lock_is_held_while_a_page_is_fetched(
    monkeypatch: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    """Fetching one page at a time, each request finds the store free to write, though the
    batch is far from full."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 3600.0)
    db = tmp_path / "t.db"
    free: list[bool] = []

    def page(request: Request) -> Response:
        free.append(_free_to_write(db))
        k = len(free)
        return Response(article_html(f"Page {k} of the wire", paragraphs(400 + k)),
                        content_type="text/html")  # fmt: skip

    for k in range(3):
        httpserver.expect_request(f"/wire/{k}").respond_with_handler(page)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    with Store.open(db) as store:
        report = ingest(
            [httpserver.url_for(f"/wire/{k}") for k in range(3)],
            store=store,
            config=Config.load(
                workers=1, fetch_allow=("127.0.0.1",), host_delay=0, fetch_threads=1
            ),
        )
    assert report.ok, report.failures
    assert free == [True, True, True]


def test_no_write_lock_is_held_while_the_writer_waits_for_a_page_fetched_ahead(
    monkeypatch: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    """Pages fetched several at once: while the second page is under way the writer stores
    the first, then waits for the second; the page's request, held until the first is
    committed, then finds the store free to write."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 3600.0)
    db = tmp_path / "t.db"
    free: list[bool] = []

    def slow(request: Request) -> Response:
        reader = sqlite3.connect(db, timeout=5)
        try:
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:  # until the first page is committed
                if reader.execute("SELECT count(*) FROM articles").fetchone()[0]:
                    break
                time.sleep(0.02)
            free.append(_free_to_write(db))
        finally:
            reader.close()
        return Response(article_html("The slow page", paragraphs(401)), content_type="text/html")

    httpserver.expect_request("/wire/0").respond_with_data(
        article_html("The quick page", paragraphs(400)), content_type="text/html"
    )
    httpserver.expect_request("/wire/1").respond_with_handler(slow)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    with Store.open(db) as store:
        config = Config.load(workers=1, fetch_allow=("127.0.0.1",), host_delay=0,
                             fetch_threads=4, host_concurrency=4)  # fmt: skip
        report = ingest([httpserver.url_for(f"/wire/{k}") for k in range(2)], store=store,
                        config=config)  # fmt: skip
        titles = [a.title for a in store.articles()]
    assert report.ok, report.failures
    assert free == [True]
    assert titles == ["The quick page", "The slow page"]
