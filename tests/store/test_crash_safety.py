"""Crash safety: re-runs add nothing, and kill -9 or Ctrl-C leave a consistent database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tocsin.config import Config
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

N = 300
TABLES = ("blobs", "sources", "articles", "lsh_bands", "articles_fts_docsize")


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> Path:
    """N distinct articles (seeded word salad, so none is a near-duplicate of another)."""
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(N):
        html = article_html(f"Story number {i}", paragraphs(1000 + i, n=5))
        (folder / f"a{i:03d}.html").write_text(html, "utf-8")
    return folder


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _assert_consistent(db: Path) -> int:
    """Integrity, foreign keys, provenance and the FTS index all agree; return the articles."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        # Every article has its source row, and that source points back at it.
        orphans = conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
            " WHERE s.id IS NULL OR s.status != 'ok' OR s.article_id IS NOT a.id"
        ).fetchone()[0]
        assert orphans == 0
        # Every stored source has its raw bytes, and every 'ok' source its article.
        missing_blob = conn.execute(
            "SELECT count(*) FROM sources s LEFT JOIN blobs b ON b.sha256 = s.raw_sha256"
            " WHERE s.raw_sha256 IS NOT NULL AND b.sha256 IS NULL"
        ).fetchone()[0]
        assert missing_blob == 0
        unlinked = conn.execute(
            "SELECT count(*) FROM sources s LEFT JOIN articles a ON a.id = s.article_id"
            " WHERE s.status = 'ok' AND a.id IS NULL"
        ).fetchone()[0]
        assert unlinked == 0, "a source marked ok without its article"
        # The full-text index holds exactly the stored articles.
        indexed = conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0]
        assert indexed == articles
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
        hits = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'title:story'"
        ).fetchone()[0]
        assert hits == articles
        dupes = conn.execute(
            "SELECT count(*) FROM (SELECT text_sha256 FROM articles"
            " GROUP BY text_sha256 HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
        return int(articles)
    finally:
        conn.close()


def _committed_articles(db: Path) -> int:
    """Articles committed so far, read through a separate read-only connection."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    finally:
        conn.close()


def _command(corpus: Path, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tocsin.cli",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "--workers",
        "1",
        "-q",
        *extra,
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}


def _interrupt_midway(corpus: Path, db: Path, sig: signal.Signals) -> tuple[int, str]:
    """Start an ingest, wait until a batch is committed, send ``sig``; (exit status, stderr)."""
    with subprocess.Popen(
        _command(corpus, db),
        env=_env(),
        cwd=db.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as proc:
        deadline = time.monotonic() + 60
        try:
            while _committed_articles(db) == 0:
                assert proc.poll() is None, "ingest ended before anything could be interrupted"
                assert time.monotonic() < deadline, "nothing committed within 60 s"
                time.sleep(0.01)
            proc.send_signal(sig)
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return proc.returncode, stderr.decode()


def _finish(corpus: Path, db: Path) -> dict[str, Any]:
    done = subprocess.run(
        _command(corpus, db, "--json"),
        env=_env(),
        cwd=db.parent,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_reingesting_a_folder_changes_nothing(
    tmp_path: Path, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(20):
        (folder / f"s{i:02d}.html").write_text(article_html(f"Story {i}", paragraphs(500 + i)))
    (folder / "copy.html").write_text(article_html("Story 3", paragraphs(503)))  # exact dup
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    config = Config.load(workers=1)
    with Store.open(tmp_path / "t.db") as store:
        first = ingest([folder], store=store, config=config)
        assert len(first.added) == 20
        assert len(first.duplicates) == 1
        before = _counts(store.conn)
        sources = store.conn.execute("SELECT * FROM sources ORDER BY id").fetchall()

        second = ingest([folder], store=store, config=config)

        assert second.added == []
        assert second.duplicates == []
        assert second.unchanged == 21
        assert [c for _, c, _ in second.failures] == ["binary"]
        assert _counts(store.conn) == before
        assert store.conn.execute("SELECT * FROM sources ORDER BY id").fetchall() == sources
    assert _assert_consistent(tmp_path / "t.db") == 20


@pytest.mark.slow
def test_kill_9_leaves_a_consistent_database_and_a_rerun_completes(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    status, _ = _interrupt_midway(corpus, db, signal.SIGKILL)
    assert status == -signal.SIGKILL

    stored = _assert_consistent(db)
    assert 0 < stored < N, "killed in the middle of the run"
    assert stored % 64 == 0, "only whole batches are committed"

    report = _finish(corpus, db)

    assert report["added"] == N - stored
    assert report["unchanged"] == stored
    assert report["failed"] == 0
    assert _assert_consistent(db) == N


@pytest.mark.slow
def test_ctrl_c_exits_130_with_a_consistent_database(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    status, stderr = _interrupt_midway(corpus, db, signal.SIGINT)
    assert status == 130, stderr

    stored = _assert_consistent(db)
    assert 0 < stored < N

    report = _finish(corpus, db)

    assert report["added"] + report["unchanged"] == N
    assert report["unchanged"] == stored
    assert _assert_consistent(db) == N


def test_ctrl_c_in_the_middle_of_writing_an_item_keeps_it_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    article_html: Callable[..., str],
    paragraphs: Callable,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(10):
        (folder / f"s{i:02d}.html").write_text(article_html(f"Story {i}", paragraphs(600 + i)))
    calls = 0
    original = Store.add_article

    def interrupted(self: Store, fields: dict[str, Any], bands: Any) -> int:
        # Ctrl-C arriving while the 5th article is written, after its source row.
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt
        return original(self, fields, bands)

    db = tmp_path / "t.db"
    config = Config.load(workers=1)
    with Store.open(db) as store:
        monkeypatch.setattr(Store, "add_article", interrupted)
        report = ingest([folder], store=store, config=config)
        assert report.interrupted
        monkeypatch.undo()
    _assert_consistent(db)
    with Store.open(db) as store:
        ingest([folder], store=store, config=config)
    assert _assert_consistent(db) == 10
