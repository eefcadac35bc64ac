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
# Timeouts here only catch a hang, which is the bug; no test depends on the machine's speed.
HANG_TIMEOUT = 60
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


def _command(corpus: Path, db: Path, *extra: str, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tocsin.cli",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "--workers",
        str(workers),
        "-q",
        *extra,
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}


def _kill_midway(corpus: Path, db: Path) -> int:
    """Start an ingest, wait until a batch is committed, kill it with SIGKILL: at whatever
    point it has reached, in the middle of writing or not. Returns the exit status."""
    with subprocess.Popen(
        _command(corpus, db, "--no-extract"),
        env=_env(),
        cwd=db.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:
        deadline = time.monotonic() + HANG_TIMEOUT
        try:
            while _committed_articles(db) == 0:
                assert proc.poll() is None, "ingest ended before anything could be killed"
                assert time.monotonic() < deadline, "nothing ever committed (a hang)"
                time.sleep(0.01)
        finally:
            proc.kill()
            proc.wait()
    return proc.returncode


def _finish(corpus: Path, db: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        _command(corpus, db, "--json", *extra),
        env=_env(),
        cwd=db.parent,
        capture_output=True,
        timeout=HANG_TIMEOUT * 5,  # catches a hang only: a busy machine is slow, not stuck
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
    assert _kill_midway(corpus, db) == -signal.SIGKILL

    # Whole items only: a batch ends after 64 items, half a second, or before a wait for a
    # worker (ingest.pipeline), so any count of articles may be committed, each whole.
    stored = _assert_consistent(db)
    assert 0 < stored < N, "killed in the middle of the run"

    report = _finish(corpus, db, "--no-extract")

    assert report["added"] == N - stored
    assert report["unchanged"] == stored
    assert report["failed"] == 0
    assert _assert_consistent(db) == N


# The Ctrl-C tests: an input (or article) that never finishes is planted with the hook in
# tests/store/hang/, so that the command is certainly stuck waiting for it when the signal
# comes, however fast or busy the machine.
HANG = Path(__file__).parent / "hang"
SMALL = 80
STUCK_AT = 64  # the hanging input comes right after the first whole batch


@pytest.fixture(scope="module")
def small_corpus(
    tmp_path_factory: pytest.TempPathFactory,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> Path:
    """SMALL distinct articles, a000.html to a079.html."""
    folder = tmp_path_factory.mktemp("small")
    for i in range(SMALL):
        html = article_html(f"Story number {i}", paragraphs(3000 + i, n=3))
        (folder / f"a{i:03d}.html").write_text(html, "utf-8")
    return folder


def _hang_env(marker: Path, stage: str, hang_on: str) -> dict[str, str]:
    return {
        **_env(),
        "PYTHONPATH": os.pathsep.join([str(HANG), os.environ.get("PYTHONPATH", "")]),
        "TEST_HANG_STAGE": stage,
        "TEST_HANG_ON": hang_on,
        "TEST_HANG_MARKER": str(marker),
    }


def _interrupt_when_stuck(
    command: list[str], env: dict[str, str], marker: Path, stuck: Callable[[], bool]
) -> tuple[int, str, int]:
    """Run ``command``; once the hanging item's marker exists and ``stuck()`` holds, send
    Ctrl-C. Returns the exit status, stderr and the pid of the process that took the item."""
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as proc:
        deadline = time.monotonic() + HANG_TIMEOUT
        try:
            while not (marker.exists() and stuck()):
                assert proc.poll() is None, proc.communicate()[1].decode()
                assert time.monotonic() < deadline, "never reached the hanging item (a hang)"
                time.sleep(0.02)
            proc.send_signal(signal.SIGINT)
            try:
                _, stderr = proc.communicate(timeout=HANG_TIMEOUT)
            except subprocess.TimeoutExpired:
                pytest.fail("Ctrl-C did not end the command: it waits for a worker (a hang)")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return proc.returncode, stderr.decode(), int(marker.read_text())


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended and been reaped (waited for up to HANG_TIMEOUT)."""
    deadline = time.monotonic() + HANG_TIMEOUT
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_during_ingest_exits_130_at_once_with_whole_batches(
    small_corpus: Path, tmp_path: Path, workers: int
) -> None:
    db = tmp_path / "x.db"
    marker = tmp_path / "stuck"
    command = _command(small_corpus, db, "--no-extract", workers=workers)
    env = _hang_env(marker, "clean", f"a{STUCK_AT:03d}.html")

    # With one worker the writing process cleans the hanging item itself: once it has taken
    # it, every item before is written, the last of them (a batch younger than half a second)
    # committed by the Ctrl-C. With two, the writer commits before it waits for the worker.
    status, stderr, pid = _interrupt_when_stuck(
        command,
        env,
        marker,
        (lambda: True) if workers == 1 else (lambda: _committed_articles(db) == STUCK_AT),
    )

    assert status == 130, stderr
    assert _gone(pid), "the worker holding the endless input outlived the command"
    assert _assert_consistent(db) == STUCK_AT  # the whole first batch, nothing half-written
    report = _finish(small_corpus, db, "--no-extract")
    assert report["unchanged"] == STUCK_AT
    assert report["added"] == SMALL - STUCK_AT
    assert report["failed"] == 0
    assert _assert_consistent(db) == SMALL


def _extracted(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
        try:
            return int(conn.execute("SELECT count(*) FROM extractions").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _extract_command(db: Path, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tocsin.cli",
        "extract",
        "--db",
        str(db),
        "-q",
        "--workers",
        str(workers),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_during_extraction_exits_130_at_once_and_a_rerun_finishes(
    tmp_path: Path, article_html: Callable[..., str], paragraphs: Callable, workers: int
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        paras = paragraphs(4000 + i, n=2)
        if i == 8:  # the first article of the third batch of four
            paras.append("The zeppelin hangar stayed closed.")
        (folder / f"s{i:02d}.html").write_text(article_html(f"Story {i}", paras))
    db = tmp_path / "x.db"
    with Store.open(db) as store:
        assert len(ingest([folder], store=store, config=Config.load(workers=1)).added) == 12
    marker = tmp_path / "stuck"
    env = _hang_env(marker, "extract", "zeppelin hangar")

    status, stderr, pid = _interrupt_when_stuck(
        _extract_command(db, workers), env, marker, lambda: _extracted(db) == 8
    )

    assert status == 130, stderr
    assert _gone(pid), "the worker holding the endless article outlived the command"
    assert _extracted(db) == 8
    done = subprocess.run(
        _extract_command(db, workers),
        env=_env(),
        capture_output=True,
        timeout=HANG_TIMEOUT * 5,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert (
            conn.execute("SELECT count(*) FROM extractions WHERE error IS NULL").fetchone()[0] == 12
        )
        for table in ("mentions", "sentences"):
            twice = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table}"
                ' GROUP BY article_id, start, "end" HAVING count(*) > 1)'
            ).fetchone()[0]
            assert twice == 0, f"{table} written twice"
        assert conn.execute("SELECT count(DISTINCT article_id) FROM sentences").fetchone()[0] == 12
    finally:
        conn.close()


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
