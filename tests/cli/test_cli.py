"""The command line through click's CliRunner: help, exit statuses, JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

import tocsin.commands.common
from tocsin.cli import main
from tocsin.export import EVIDENCE_FIELDS, EXPORT_FIELDS

EXPORT_KEYS = {
    "id",
    "source",
    "url",
    "title",
    "authors",
    "published",
    "published_estimated",
    "published_range",
    "published_precision",
    "outlet",
    "language",
    "text",
    "duplicate_of",
}
EVIDENCE_KEYS = {"entities", "quotes", "claims", "quantities", "dates", "events"}
ARTICLES = 6


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory,
    article_html: Callable[..., str],
    paragraphs: Callable[..., list[str]],
) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    many = paragraphs(91)
    many[0] = "Lukashenko said the drills were defensive. " + many[0]
    many[2] = "Critics of Lukashenko disagreed, and Lukashenko did not answer. " + many[2]
    (folder / "a1.html").write_text(
        article_html("Lukashenko orders snap drills", many, published="2022-10-10"), "utf-8"
    )
    once = paragraphs(92)
    once[1] += " A spokesman for Lukashenko declined to comment."
    (folder / "a2.html").write_text(
        article_html("Border crossing closed", once, published="2022-10-11"), "utf-8"
    )
    # More articles without the name than with it: BM25 gives a term found in over half
    # of the documents no weight at all, and the ranking would be by chance.
    for n in range(3, 7):
        (folder / f"a{n}.html").write_text(
            article_html(f"Rail depot {n}", paragraphs(90 + n), published=f"2022-10-1{n}"),
            "utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the six corpus articles, ingested through the CLI."""
    path = tmp_path_factory.mktemp("db") / "t.db"
    result = _run("ingest", str(corpus), "--db", str(path), "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    assert _json(result)["added"] == ARTICLES
    return path


def test_main_help_lists_every_command() -> None:
    assert isinstance(main, click.Group)
    result = _run("--help")
    assert result.exit_code == 0
    assert {"ingest", "status", "show", "search", "export", "demo"} <= set(main.commands)
    for name in main.commands:
        assert name in result.output


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every runnable command below ``group`` ('evidence', 'accept')."""
    out: list[tuple[str, ...]] = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += _leaves(cmd, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def _command(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("command", [" ".join(p) for p in _leaves(main)])
def test_help_mentions_every_option(command: str) -> None:
    cmd = _command(tuple(command.split()))
    result = _run(*command.split(), "--help")
    assert result.exit_code == 0
    options = [p for p in cmd.params if isinstance(p, click.Option)]
    assert options, "every command has options"
    for option in options:
        for flag in option.opts + option.secondary_opts:
            assert flag in result.output, f"{command} --help does not mention {flag}"
        assert option.help, f"{command} {option.opts[0]} has no help text"
    assert "--help" in result.output
    assert "--json" in result.output, "every command can print JSON"


def test_ingest_exits_0_when_everything_is_stored(
    tmp_path: Path, good_article: Callable[..., str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.html").write_text(good_article(seed=1, title="One"), "utf-8")
    (folder / "two.html").write_text(good_article(seed=2, title="Two"), "utf-8")
    db = tmp_path / "t.db"

    result = _run("ingest", str(folder), "--db", str(db), "--workers", "1", "-q")

    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert db.exists()


def test_ingest_exits_1_and_reports_failures_as_json(
    tmp_path: Path, good_article: Callable[..., str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.html").write_text(good_article(), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.5 binary")
    missing = tmp_path / "nowhere.html"

    result = _run(
        "ingest",
        str(folder),
        str(missing),
        *("--db", str(tmp_path / "t.db"), "--workers", "1", "-q", "--json"),
    )

    assert result.exit_code == 1
    report = _json(result)
    assert report["added"] == 1
    assert report["failed"] == 3
    failures = {Path(f["source"]).name: f for f in report["failures"]}
    assert {name: f["code"] for name, f in failures.items()} == {
        "empty.txt": "empty",
        "scan.pdf": "binary",
        "nowhere.html": "not_found",
    }
    for failure in failures.values():
        assert isinstance(failure["reason"], str)
        assert failure["reason"]
    assert report["articles"][0]["title"] == "Troops return to barracks"


def test_ingest_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("ingest", "--db", str(tmp_path / "t.db")).exit_code == 2  # no targets
    bad_period = _run("ingest", str(tmp_path), "--db", str(tmp_path / "t.db"), "--period", "x")
    assert bad_period.exit_code == 2


def test_unusable_database_exits_3(tmp_path: Path) -> None:
    result = _run("status", "--db", str(tmp_path / "no" / "such" / "folder" / "t.db"))
    assert result.exit_code == 3


def test_status_json_counts(db: Path) -> None:
    result = _run("status", "--db", str(db), "--json")
    assert result.exit_code == 0
    status = _json(result)
    assert status["db"] == str(db)
    assert status["counts"]["ok"] == ARTICLES
    assert status["counts"]["failed"] == 0
    assert status["counts"]["articles"] == ARTICLES
    assert status["counts"]["dates_estimated"] == 0
    assert status["failures"] == []


def test_status_lists_failures(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.5")
    db = tmp_path / "t.db"
    assert _run("ingest", str(folder), "--db", str(db), "--workers", "1", "-q").exit_code == 1

    status = _json(_run("status", "--db", str(db), "--json"))

    assert status["counts"]["failed"] == 1
    [failure] = status["failures"]
    assert failure["error_code"] == "binary"
    assert failure["locator"].endswith("scan.pdf")
    text = _run("status", "--db", str(db))
    assert "binary" in text.output


def test_show_an_article_and_a_missing_one(db: Path) -> None:
    shown = _run("show", "1", "--db", str(db))
    assert shown.exit_code == 0
    assert "Lukashenko orders snap drills" in shown.output
    assert "Lukashenko said the drills were defensive." in shown.output

    as_json = _json(_run("show", "1", "--db", str(db), "--json"))
    assert as_json["id"] == 1
    assert as_json["title"] == "Lukashenko orders snap drills"
    assert as_json["published"] == "2022-10-10"
    assert as_json["source"].endswith("a1.html")

    missing = _run("show", "999", "--db", str(db))
    assert missing.exit_code == 4
    assert "999" in missing.stderr


def test_search_ranks_hits_and_marks_snippets(db: Path) -> None:
    result = _run("search", "Lukashenko", "--db", str(db), "--json")
    assert result.exit_code == 0
    hits = _json(result)
    assert [h["title"] for h in hits] == [
        "Lukashenko orders snap drills",  # in the title and thrice in the text
        "Border crossing closed",  # once in the text
    ]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[1]
    for hit in hits:
        assert "[Lukashenko]" in hit["snippet"]

    text = _run("search", "Lukashenko", "--db", str(db))
    assert "[Lukashenko]" in text.output
    assert _run("search", "Mozambique", "--db", str(db)).output.strip() == "no matches"


def test_search_survives_fts_syntax_errors(db: Path) -> None:
    result = _run("search", 'Lukashenko" AND (', "--db", str(db), "--json")
    assert result.exit_code == 0
    assert isinstance(_json(result), list)


def test_export_jsonl_has_exactly_the_documented_keys(db: Path, tmp_path: Path) -> None:
    assert set(EXPORT_FIELDS) == EXPORT_KEYS
    assert set(EVIDENCE_FIELDS) == EVIDENCE_KEYS
    result = _run("export", "--format", "jsonl", "--db", str(db))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == ARTICLES
    records = [json.loads(line) for line in lines]
    for record in records:
        assert set(record) == EXPORT_KEYS | EVIDENCE_KEYS | {"extraction"}
        assert set(record["extraction"]) == {"state", "pipeline", "reason", "extractor_version"}
    assert [r["id"] for r in records] == list(range(1, ARTICLES + 1))
    assert records[0]["published"] == "2022-10-10"
    assert records[0]["published_range"] == ["2022-10-10", "2022-10-10"]

    out = tmp_path / "out.jsonl"
    summary = _run("export", "--db", str(db), "-o", str(out), "--json")
    assert _json(summary) == {"exported": ARTICLES, "format": "jsonl", "output": str(out)}
    assert out.read_text("utf-8").splitlines() == lines


def test_tocsin_db_environment_variable_is_honoured(db: Path, tmp_path: Path) -> None:
    result = _run("status", "--json", env={"TOCSIN_DB": str(db)})
    assert result.exit_code == 0
    status = _json(result)
    assert status["db"] == str(db)
    assert status["counts"]["articles"] == ARTICLES
    # --db still wins over the variable; a read command does not create a missing database.
    other = tmp_path / "other.db"
    overridden = _run("status", "--json", "--db", str(other), env={"TOCSIN_DB": str(db)})
    assert overridden.exit_code == 3
    assert not other.exists()


def test_export_to_an_unwritable_path_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--db", str(db), "-o", str(tmp_path / "missing" / "x.jsonl")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output


@pytest.mark.parametrize("period", ["2022-12-31..2022-01-01", "2022-01-01..", "May..June"])
def test_bad_periods_are_refused(tmp_path: Path, period: str) -> None:
    page = tmp_path / "a.txt"
    page.write_text("On 10 October 2022 Minsk announced a joint group of forces with Russia.")
    db = tmp_path / "p.db"
    result = CliRunner().invoke(main, ["ingest", str(page), "--db", str(db), "--period", period])
    assert result.exit_code == 2
    assert "--period" in result.output
    assert not db.exists()


def test_demo_builds_its_database(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = _run("demo", "--db", str(db), "--json", env={"TOCSIN_WORKERS": "1"})
    assert result.exit_code == 0, result.output
    report = _json(result)
    assert report["added"] == 5
    assert report["failed"] == 0
    shown = _json(_run("status", "--db", str(db), "--json"))
    assert shown["counts"]["articles"] == 5
    # Run again: the demo starts afresh rather than finding everything already stored.
    again = _json(_run("demo", "--db", str(db), "--json", env={"TOCSIN_WORKERS": "1"}))
    assert again["added"] == 5


def test_demo_table_shows_what_a_reader_needs(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(
        main, ["demo", "--db", str(db)], env={"TOCSIN_WORKERS": "1", "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for column in ("title", "outlet", "published", "words", "duplicate of"):
        assert column in result.output
    assert "Won’t Get Fooled Again" in result.output
    assert "2022-05-20" in result.output  # stated: shown bare
    assert "(est.)" in result.output  # the undated pieces are marked as estimates
    assert f"Database: {db.resolve()}" in result.output.replace("\n", "")


def test_default_workers_is_one_per_core() -> None:
    import os

    from tocsin.config import Config

    assert Config.load().worker_count == (os.cpu_count() or 1)
    assert Config.load(workers=3).worker_count == 3


def test_progress_bar_counts_inputs_out_of_a_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    screen = StringIO()
    monkeypatch.setattr(
        tocsin.commands.common, "err", Console(file=screen, force_terminal=True, width=120)
    )
    feed = tmp_path / "feed.rss"
    feed.write_text(
        "<rss version='2.0'><channel><title>F</title>"
        + "".join(
            f"<item><title>Item {i}</title><link>https://example.org/{i}</link>"
            f"<description>Entry {i} says the drills near Yelsk went on for days.</description>"
            "</item>"
            for i in range(3)
        )
        + "</channel></rss>",
        "utf-8",
    )
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".html")[:2]
    result = _run("ingest", *map(str, files), "--db", str(tmp_path / "t.db"))
    assert result.exit_code == 0
    assert "2/2" in screen.getvalue()
    screen.truncate(0)
    # A feed is one input holding three items: the total grows with them.
    result = _run("ingest", str(feed), "--db", str(tmp_path / "t.db"))
    assert "3/3" in screen.getvalue()
    assert "3/1" not in screen.getvalue()
