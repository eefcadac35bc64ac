"""`tocsin watch`: one cycle with --once, a number of cycles with --cycles, JSON lines."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from tocsin.cli import main

from .conftest import CASE, copy_articles, demo_articles


def _sources(tmp_path: Path, folder: Path, every: str = "10s") -> Path:
    path = tmp_path / "sources.yaml"
    text = f"sources:\n  - {{name: drop, kind: folder, path: {folder.name}, every: {every}}}\n"
    path.write_text(text, encoding="utf-8")
    return path


BASE = ["--no-embeddings", "--workers", "1"]


def test_once_runs_one_cycle_and_keeps_the_case(tmp_path: Path) -> None:
    copy_articles(tmp_path / "in", demo_articles()[:2])
    db = tmp_path / "w.db"
    sources = _sources(tmp_path, tmp_path / "in", every="1h")
    args = ["watch", "--sources", str(sources), "--db", str(db)]
    result = CliRunner().invoke(main, [*args, "--once", "--case", CASE, *BASE])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("cycle 1: 1 source polled; 2 new articles; 2 extracted;")
    assert f"{CASE}: - -> " in result.output
    # Again at once: the source is not due, nothing is done.
    again = CliRunner().invoke(main, [*args, "--once", "--json", *BASE])
    assert again.exit_code == 0, again.output
    line = json.loads(again.output)
    assert (line["cycle"], line["sources"], line["cases"]) == (2, [], {})
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM watch_cycles").fetchall() == [("done",), ("done",)]

    # `tocsin status` tells the watcher's state: each source, the last cycles.
    status = json.loads(CliRunner().invoke(main, ["status", "--db", str(db), "--json"]).output)
    (source,) = status["watch"]["sources"]
    assert (source["name"], source["kind"], source["last_error"]) == ("drop", "folder", None)
    polled = datetime.fromisoformat(source["last_polled"])
    assert datetime.fromisoformat(source["next_due"]) - polled == timedelta(hours=1)
    cycles = status["watch"]["cycles"]
    assert [(c["id"], c["status"], c["new_articles"]) for c in cycles] == [
        (2, "done", 0), (1, "done", 2)
    ]  # fmt: skip
    text = CliRunner().invoke(main, ["status", "--db", str(db)]).output
    assert "Watched sources" in text
    assert "Last cycles" in text
    assert polled.strftime("%Y-%m-%d %H:%M:%S") in text


def test_status_tells_a_source_that_failed_and_a_store_never_watched(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    sources = tmp_path / "sources.yaml"  # a feed at an address tocsin refuses by default
    feed = "{name: wire, kind: feed, url: 'http://127.0.0.1:9/feed.xml', every: 10s}"
    sources.write_text(f"sources:\n  - {feed}\n", encoding="utf-8")
    args = ["watch", "--sources", str(sources), "--db", str(db), "--once", *BASE]
    assert CliRunner().invoke(main, args).exit_code != 0  # the cycle's failure is told
    status = json.loads(CliRunner().invoke(main, ["status", "--db", str(db), "--json"]).output)
    (source,) = status["watch"]["sources"]
    assert source["last_error"].startswith("forbidden_address: 127.0.0.1")
    assert source["last_ok"] is None
    assert "forbidden_address" in CliRunner().invoke(main, ["status", "--db", str(db)]).output

    plain = tmp_path / "plain.db"
    copy_articles(tmp_path / "in", demo_articles()[:1])
    ingest = ["ingest", str(tmp_path / "in"), "--db", str(plain), "--workers", "1", "-q"]
    assert CliRunner().invoke(main, ingest).exit_code == 0
    never = json.loads(CliRunner().invoke(main, ["status", "--db", str(plain), "--json"]).output)
    assert never["watch"] == {"sources": [], "cycles": []}
    assert "Watched sources" not in CliRunner().invoke(main, ["status", "--db", str(plain)]).output


def test_cycles_two_with_json_lines(tmp_path: Path) -> None:
    copy_articles(tmp_path / "in", demo_articles()[:1])
    db = tmp_path / "w.db"
    sources = _sources(tmp_path, tmp_path / "in")
    args = ["watch", "--sources", str(sources), "--db", str(db), "--cycles", "2", "--json"]
    result = CliRunner().invoke(main, [*args, "--case", CASE, *BASE])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["cycle"] for line in lines] == [1, 2]
    assert [line["new_articles"] for line in lines] == [1, 0]
    assert lines[0]["cases"][CASE]["before"] is None
    assert lines[0]["cases"][CASE]["after"]["leader"]
    assert [s["name"] for s in lines[1]["sources"]] == ["drop"]  # waited until it was due
    assert lines[1]["cases"] == {}


def test_a_bad_sources_file_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - {name: x, kind: folder, path: y, every: 1s}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["watch", "--sources", str(bad), "--db", str(tmp_path / "d.db")]
    )
    assert result.exit_code == 5
    assert "sources[0].every (line 2): an interval is 10 s at least" in result.output
    both = CliRunner().invoke(main, ["watch", "--sources", str(bad), "--once", "--cycles", "2"])
    assert both.exit_code == 2
    assert "give --once or --cycles, not both" in both.output


def test_a_second_watcher_on_the_store_is_refused(tmp_path: Path) -> None:
    from tocsin.watch.loop import one_watcher

    db = tmp_path / "w.db"
    sources = _sources(tmp_path, tmp_path / "in")
    (tmp_path / "in").mkdir()
    with one_watcher(db):
        result = CliRunner().invoke(
            main, ["watch", "--sources", str(sources), "--db", str(db), "--once", *BASE]
        )
    assert result.exit_code == 3
    assert "another tocsin watch is running on" in result.output
    with one_watcher(db):  # released when its holder is done
        pass
