"""The watcher killed for real: `kill -9` in the middle of a cycle, then the next cycle
finishes the work without doubling anything; SIGTERM stops a waiting watcher at once."""

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
from typing import IO, Any

import pytest

from tocsin.assess.case import bundled_case_path

from .conftest import CASE, RULES, copy_articles, demo_articles

pytestmark = pytest.mark.slow
ARTICLES = 200  # besides the five demo articles
DEADLINE = 300.0  # seconds any wait below may take at most, however busy the machine


def _pages(
    folder: Path, article_html: Callable[..., str], paragraphs: Callable[..., list[str]]
) -> None:
    """The demo articles and ARTICLES short pages of distinct seeded text."""
    copy_articles(folder, demo_articles())
    for n in range(ARTICLES):
        html = article_html(f"Report {n} from the border", paragraphs(1000 + n, n=2, words=40))
        (folder / f"page-{n:04d}.html").write_text(html, encoding="utf-8")


def _command(*extra: str) -> list[str]:
    base = [sys.executable, "-m", "tocsin.cli", "watch", "--sources", "sources.yaml"]
    return [*base, "--db", "w.db", "--no-embeddings", "--workers", "1", "--json", *extra]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}


def _watch(tmp_path: Path, log: IO[bytes], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(_command(*extra), env=_env(), cwd=tmp_path, stdout=log, stderr=log)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``args`` run to the end in ``cwd``, within the deadline."""
    return subprocess.run(
        args, env=_env(), cwd=cwd, capture_output=True, timeout=DEADLINE, check=False
    )


def _count(db: Path, sql: str) -> int:
    """One number from the store, read while another process writes it (0 before it exists)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # the tables are not made yet
        return 0


def _wait_for(done: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert proc.poll() is None, f"the watcher exited before {what}"
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        time.sleep(0.05)  # polling the store, with the deadline above


def _sources(tmp_path: Path, every: str) -> None:
    text = f"sources:\n  - {{name: drop, kind: folder, path: pages, every: {every}}}\n"
    (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")


# When to kill: once the store holds some articles (during the ingest), or some articles'
# evidence (during the extraction, the poll of the source already saved).
KILL_WHEN = {
    "ingesting": "SELECT count(*) >= 20 FROM articles",
    "extracting": "SELECT count(*) >= 20 FROM extractions",
}


@pytest.mark.parametrize("step", list(KILL_WHEN))
def test_kill_9_mid_cycle_then_the_next_cycle_finishes_without_duplicates(
    step: str,
    tmp_path: Path,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> None:
    _pages(tmp_path / "pages", article_html, paragraphs)
    files = len(list((tmp_path / "pages").iterdir()))
    _sources(tmp_path, "10m")
    db = tmp_path / "w.db"
    with (tmp_path / "first.log").open("wb") as log:
        proc = _watch(tmp_path, log, "--once", "--case", str(bundled_case_path()))
        try:
            _wait_for(lambda: _count(db, KILL_WHEN[step]) == 1, proc, step)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=DEADLINE)
    assert proc.returncode == -signal.SIGKILL
    assert _count(db, "SELECT count(*) FROM watch_cycles WHERE status = 'running'") == 1
    stored = _count(db, "SELECT count(*) FROM articles")
    assert stored < files or _count(db, "SELECT count(*) FROM extractions") < files

    second = _run(_command("--once"), tmp_path)
    assert second.returncode == 0, second.stderr.decode()
    result = json.loads(second.stdout)
    assert result["recovered"] is True
    assert CASE in result["cases"]

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == files
        doubled = "SELECT locator FROM sources GROUP BY locator HAVING count(*) > 1"
        assert conn.execute(doubled).fetchall() == []
        by_text = "SELECT text_sha256 FROM articles GROUP BY text_sha256 HAVING count(*) > 1"
        assert conn.execute(by_text).fetchall() == []
        unextracted = (
            "SELECT count(*) FROM articles a LEFT JOIN extractions e ON e.article_id = a.id"
            " WHERE e.article_id IS NULL"
        )
        assert conn.execute(unextracted).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM extractions").fetchone()[0] == files
        cycles = conn.execute("SELECT status, error FROM watch_cycles ORDER BY id").fetchall()
        assert cycles == [("failed", "interrupted"), ("done", None)]
        forecasts = "SELECT count(*) FROM forecasts WHERE case_id = ?"
        assert conn.execute(forecasts, (CASE,)).fetchone()[0] > 0


# A cycle killed by a real SIGKILL at the one point a watcher cannot be timed to: its cases
# linked, assessed and recorded, its bell not yet rung.
KILLED_BEFORE_THE_BELL = """
import os, signal
from datetime import UTC, datetime
from pathlib import Path
from tocsin.config import Config
from tocsin.store.db import Store
from tocsin.watch.cycle import CycleOptions, run_cycle
from tocsin.watch.sources import load_sources

def die(result):
    os.kill(os.getpid(), signal.SIGKILL)

sources = load_sources(Path("sources.yaml")).sources
options = CycleOptions(config=Config.load(workers=1), on_assessed=die)
with Store.open(Path("w.db")) as store:
    run_cycle(store, sources, datetime.now(UTC), options, all_sources=True)
"""


def _alerts(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {key for (key,) in conn.execute("SELECT key FROM alerts")}


def test_kill_9_before_the_bell_then_the_next_cycle_rings_it_once(tmp_path: Path) -> None:
    articles = demo_articles()
    copy_articles(tmp_path / "pages", articles[:1])
    _sources(tmp_path, "10m")
    case = tmp_path / "case.yaml"
    case.write_text(bundled_case_path().read_text("utf-8") + RULES, encoding="utf-8")
    db = tmp_path / "w.db"

    def once(*extra: str) -> dict[str, Any]:
        done = _run(_command("--once", *extra), tmp_path)
        assert done.returncode == 0, done.stderr.decode()
        return dict(json.loads(done.stdout.splitlines()[-1]))  # the cycle's last line

    once("--case", str(case))
    rung = _alerts(db)
    copy_articles(tmp_path / "pages", articles[1:])
    killed = _run([sys.executable, "-c", KILLED_BEFORE_THE_BELL], tmp_path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert _count(db, "SELECT count(*) FROM watch_cycles WHERE status = 'running'") == 1
    assert _count(db, "SELECT count(*) FROM extractions") == len(articles)  # all read
    assert _alerts(db) == rung  # ... and nothing rung

    after = once()
    assert after["recovered"] is True
    assert after["new_articles"] == 0
    assert after["alerts"]["new"] > 0
    new = _alerts(db) - rung
    assert new
    assert {key.split("|")[1] for key in new} <= {"troops", "grouping"}

    last = once()  # nothing new: nothing rings twice
    assert (last["recovered"], last["alerts"]["new"]) == (False, 0)
    assert len(_alerts(db)) == len(rung) + len(new)


def test_sigterm_stops_a_waiting_watcher_at_once(tmp_path: Path) -> None:
    copy_articles(tmp_path / "pages", demo_articles()[:1])
    _sources(tmp_path, "1h")
    db = tmp_path / "w.db"
    with (tmp_path / "watch.log").open("wb") as log:
        proc = _watch(tmp_path, log)
        try:
            done = "SELECT count(*) FROM watch_cycles WHERE status = 'done'"
            _wait_for(lambda: _count(db, done) == 1, proc, "a finished cycle")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=DEADLINE) == 0  # it waited an hour for the next poll
        finally:
            proc.kill()
            proc.wait(timeout=DEADLINE)
    output = (tmp_path / "watch.log").read_text("utf-8")
    assert json.loads(output.splitlines()[0])["new_articles"] == 1
    assert _count(db, "SELECT count(*) FROM watch_cycles") == 1
