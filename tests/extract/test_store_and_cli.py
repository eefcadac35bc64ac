"""Extraction through the store and the CLI: idempotence, --redo, staleness, the export
schema, canonical entities shared across articles, and the demo's evidence tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tocsin import schema
from tocsin.cli import main
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract.report import EXTRACTOR_VERSION
from tocsin.extract.run import extract
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table, extraction_counts, quote_table

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's five articles, ingested and extracted once for this module."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    run_demo(db, Config.load(workers=1))
    with Store.open(db) as store:
        report = extract(store, workers=1)
    assert report.processed == 5
    assert not report.failed
    return db


@pytest.fixture(scope="module")
def exported(demo_db: Path) -> list[dict[str, Any]]:
    result = _run("export", "--db", str(demo_db))
    assert result.exit_code == 0
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_export_lines_validate_against_the_shipped_schema(exported: list[dict[str, Any]]) -> None:
    validator = jsonschema.Draft202012Validator(schema.shipped_schema())
    assert len(exported) == 5
    for line in exported:
        errors = sorted(validator.iter_errors(line), key=str)
        assert not errors, errors[0].message
    bad = {**exported[0], "quotes": [{"text": "x", "start": 0}]}
    assert list(validator.iter_errors(bad)), "the schema must reject an incomplete quote"


def test_shipped_and_documented_schemas_are_current() -> None:
    assert schema.shipped_schema() == schema.export_schema()
    docs = json.loads((ROOT / "docs" / "export.schema.json").read_text("utf-8"))
    assert docs == schema.export_schema()


def test_every_exported_span_points_into_its_text(exported: list[dict[str, Any]]) -> None:
    kinds = ("entities", "quotes", "claims", "quantities", "dates", "events")
    for line in exported:
        text = line["text"]
        for kind in kinds:
            for record in line[kind]:
                assert text[record["start"] : record["end"]] == record["text"], (kind, record)
        for q in line["quotes"]:
            if q["speaker_start"] is not None:
                assert text[q["speaker_start"] : q["speaker_end"]] == q["speaker_text"]
    assert all(line["entities"] and line["quotes"] for line in exported)


def test_spellings_share_one_canonical_entity_across_articles(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        rows = entity_table(store)
    by_spelling = {s: r for r in rows for s in r.spellings}
    groups = [
        ("Lukashenka", "Lukashenko", "Alexander Lukashenko", "Aleksandr Lukashenko"),
        ("Sviatlana Tsikhanouskaya", "Svetlana Tikhanovskaya"),
        ("Pavel Latushka", "Pavel Latushko"),
        ("Volodymyr Zelenskiy", "Volodymyr Zelensky"),
    ]
    for group in groups:
        ids = {by_spelling[s].id for s in group if s in by_spelling}
        assert len(ids) == 1, (group, ids)
        assert sum(s in by_spelling for s in group) >= 2, group
    lukashenko = by_spelling["Lukashenko"]
    assert lukashenko.label == "PERSON"
    assert lukashenko.articles == 5
    assert "GraphicHe" not in by_spelling
    for name in ("Kyiv", "Kherson"):
        assert name not in by_spelling or by_spelling[name].label == "GPE"
    assert by_spelling["Artyom Shraibman"].label == "PERSON"
    assert by_spelling["Pavel Latushka"].label == "PERSON"


def test_extract_again_changes_nothing_and_redo_replaces(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    with Store.open(demo_db) as src, Store.open(db) as dst:
        src.conn.backup(dst.conn)
    with Store.open(db) as store:
        before = store.conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
        assert extract(store, workers=1).processed == 0
        assert store.conn.execute("SELECT count(*) FROM quotes").fetchone()[0] == before
        store.conn.execute("UPDATE extractions SET extractor_version = '0' WHERE article_id = 1")
        assert extraction_counts(store, EXTRACTOR_VERSION)["stale"] == 1
        report = extract(store, workers=1, redo=True)
        assert report.processed == 5
        assert store.conn.execute("SELECT count(*) FROM quotes").fetchone()[0] == before
        assert extraction_counts(store, EXTRACTOR_VERSION) == {
            "extracted": 5,
            "stale": 0,
            "failed": 0,
            "not_extracted": 0,
            "pending": 0,
        }


def test_entities_and_quotes_commands(demo_db: Path) -> None:
    result = _run("entities", "--db", str(demo_db), "--limit", "5", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert rows[0]["canonical"] == "Alexander Lukashenko"
    assert rows == sorted(rows, key=lambda r: -r["mentions"])
    result = _run("quotes", "--db", str(demo_db), "--speaker", "Shraibman", "--json")
    quotes = json.loads(result.stdout)
    assert quotes
    assert {q["speaker"] for q in quotes} == {"Artyom Shraibman"}
    with Store.open(demo_db) as store:
        assert len(quote_table(store)) > len(quotes)
    text = _run("quotes", "--db", str(demo_db), "--speaker", "Shraibman").stdout
    assert "Authoritarians" in text
    assert "Quotes of Shraibman" in text


def test_status_reports_extraction(demo_db: Path) -> None:
    data = json.loads(_run("status", "--db", str(demo_db), "--json").stdout)
    assert data["extraction"]["extracted"] == 5
    assert data["extraction"]["extractor_version"] == EXTRACTOR_VERSION


def test_demo_shows_entities_and_quotes_per_speaker(tmp_path: Path) -> None:
    result = _run("demo", "--db", str(tmp_path / "demo.db"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Entities" in out
    assert "Quotes per speaker" in out
    assert "Alexander Lukashenko" in out
    assert "Artyom Shraibman" in out


def test_ingest_extracts_unless_told_not_to(tmp_path: Path) -> None:
    page = tmp_path / "a.txt"
    page.write_text(
        "Belarus holds snap drills\n\n"
        "Belarusian defence minister Viktor Khrenin said on Tuesday that the drills were "
        "purely defensive. “We emphasise once again that the tasks are defensive,” he said.\n",
        "utf-8",
    )
    db = tmp_path / "t.db"
    result = _run("ingest", str(page), "--db", str(db), "--no-extract", "--json", "--workers", "1")
    assert "extract" not in json.loads(result.stdout)
    with Store.open(db) as store:
        assert extraction_counts(store, EXTRACTOR_VERSION)["pending"] == 1
    result = _run("extract", "--db", str(db), "--json", "--workers", "1")
    data = json.loads(result.stdout)
    assert data["processed"] == 1
    assert data["counts"]["quotes"] >= 1
    page2 = tmp_path / "b.txt"
    page2.write_text(page.read_text("utf-8").replace("Tuesday", "Monday") + "More.\n", "utf-8")
    result = _run("ingest", str(page2), "--db", str(db), "--json", "--workers", "1")
    assert json.loads(result.stdout)["extract"]["processed"] == 1


def test_an_events_mode_goes_through_the_store_to_the_export(tmp_path: Path) -> None:
    page = tmp_path / "a.txt"
    page.write_text(
        "Minsk rules out a war\n\n"
        "Lukashenko said on Tuesday that Belarus would not send its troops to Ukraine. "
        "Russia deployed two more battalions to Belarus on Monday.\n",
        "utf-8",
    )
    db = tmp_path / "t.db"
    assert _run("ingest", str(page), "--db", str(db), "--workers", "1").exit_code == 0
    (line,) = [json.loads(x) for x in _run("export", "--db", str(db)).stdout.splitlines()]
    got = {(e["action"], e["category"], e["action_category"], e["mode"]) for e in line["events"]}
    assert ("send", "REJECT", "MOBILIZE", "refused") in got
    assert ("deploy", "MOBILIZE", "MOBILIZE", "asserted") in got
    validator = jsonschema.Draft202012Validator(schema.shipped_schema())
    assert not list(validator.iter_errors(line))


def test_unknown_model_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--db", str(tmp_path / "x.db"), "--model", "lg"])
    assert result.exit_code == 2
    assert "lg" in result.output


def test_an_interrupted_extraction_keeps_whole_articles_and_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "fresh.db"
    run_demo(db, Config.load(workers=1))  # ingested, not extracted
    with Store.open(db) as store:
        seen: list[int] = []

        def stop_after_two(article_id: int, outcome: str) -> None:
            seen.append(article_id)
            if len(seen) == 2:
                raise KeyboardInterrupt

        report = extract(store, workers=1, progress=stop_after_two)
        assert report.interrupted
        counts = extraction_counts(store, EXTRACTOR_VERSION)
        assert counts["extracted"] == 2
        assert counts["pending"] == 3
        # Every stored quote belongs to an article whose extraction is recorded.
        orphans = store.conn.execute(
            "SELECT count(*) FROM quotes WHERE article_id NOT IN "
            "(SELECT article_id FROM extractions)"
        ).fetchone()[0]
        assert orphans == 0
        assert extract(store, workers=1).processed == 3
        assert extraction_counts(store, EXTRACTOR_VERSION)["extracted"] == 5
