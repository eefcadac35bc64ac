"""The Parquet export: every table read back by DuckDB and pyarrow as the store holds it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import tocsin.export.parquet as parquet_module
from tocsin.cli import main
from tocsin.errors import OverwriteRefused
from tocsin.export import TABLES, ParquetSummary, export_parquet
from tocsin.export.tables import markdown
from tocsin.store.assessment import decide, link_rows
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[2]
NOTE = "Лукашенко сказал «нет» — 🚨 naïve"
CASE = "belarus-2022"
# The alerts table as migration 0011 declares it (another part of #13).
ALERTS_DDL = """CREATE TABLE alerts (id INTEGER PRIMARY KEY, case_id TEXT, rule_id TEXT,
    kind TEXT, key TEXT UNIQUE, title TEXT, detail TEXT, as_of TEXT, fired_at TEXT,
    probabilities TEXT, evidence TEXT)"""


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo chain (ingest, extract, link, assess) once, with two analyst decisions."""
    db = tmp_path_factory.mktemp("parquet-demo") / "demo.db"
    result = CliRunner().invoke(
        main, ["demo", "--db", str(db), "--json"], env={"TOCSIN_WORKERS": "1"}
    )
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        links = link_rows(store, CASE)
        assert len(links) >= 2
        decide(store, CASE, links[0].id, "accept", analyst="ana", note=NOTE)
        decide(store, CASE, links[1].id, "relink", new_indicator="other", polarity="negated")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def _copy(db: Path, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    copy = to / "store.db"
    shutil.copy(db, copy)
    return copy


def _export(db: Path, out: Path, **options: Any) -> ParquetSummary:
    with Store.open(db, read_only=True) as store:
        return export_parquet(store, out, **options)


@pytest.fixture(scope="module")
def exported(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("parquet") / "export"
    _export(demo_db, out)
    return demo_db, out


@pytest.fixture
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect()
    yield conn
    conn.close()


def _sqlite(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def _views(duck: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Each file as a DuckDB view named after its table."""
    for table in TABLES:
        path = str(out / f"{table.name}.parquet").replace("'", "''")
        duck.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{path}')")


def test_every_table_has_the_stores_row_count(
    exported: tuple[Path, Path], duck: duckdb.DuckDBPyConnection
) -> None:
    db, out = exported
    present = {name for (name,) in _sqlite(db, "SELECT name FROM sqlite_master")}
    assert {t.name for t in TABLES} >= {"articles", "links", "alerts", "figures"}
    for table in TABLES:
        (got,) = duck.execute(
            "SELECT count(*) FROM read_parquet(?)", [str(out / f"{table.name}.parquet")]
        ).fetchone() or (None,)
        expected = (
            _sqlite(db, f"SELECT count(*) FROM {table.store_table}")[0][0]
            if table.store_table in present
            else 0
        )
        assert got == expected, table.name
    for name in ("articles", "mentions", "quotes", "claims", "evidence_links", "forecasts"):
        assert _sqlite(db, f"SELECT count(*) FROM {name}")[0][0] > 0  # nothing passes by chance


def test_pyarrow_reads_each_schema_exactly_as_declared(exported: tuple[Path, Path]) -> None:
    _, out = exported
    for table in TABLES:
        schema = pq.read_schema(out / f"{table.name}.parquet")
        assert schema.equals(table.schema, check_metadata=False), table.name
        meta = pq.ParquetFile(out / f"{table.name}.parquet").metadata
        for group in range(meta.num_row_groups):
            assert meta.row_group(group).column(0).compression == "ZSTD"


def test_dates_and_times_have_their_types_and_values(
    exported: tuple[Path, Path], duck: duckdb.DuckDBPyConnection
) -> None:
    db, out = exported
    _views(duck, out)
    types = dict(
        duck.execute("SELECT column_name, column_type FROM (DESCRIBE articles)").fetchall()
    )
    assert types["published"] == "DATE"
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]"
    assert types["published_estimated"] == "BOOLEAN"
    got = duck.execute(
        "SELECT id, published, created_at AT TIME ZONE 'UTC' FROM articles ORDER BY id"
    ).fetchall()
    stored = _sqlite(db, "SELECT id, published, created_at FROM articles ORDER BY id")
    assert [(i, p) for i, p, _ in got] == [
        (i, date.fromisoformat(p) if p else None) for i, p, _ in stored
    ]
    for (_, _, moment), (_, _, text) in zip(got, stored, strict=True):
        expected = datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
        assert moment == expected
    as_of = duck.execute("SELECT min(as_of), typeof(min(as_of)) FROM forecasts").fetchone()
    assert as_of is not None
    assert as_of[1] == "DATE"
    assert as_of[0] == date.fromisoformat(_sqlite(db, "SELECT min(as_of) FROM forecasts")[0][0])
    dated = duck.execute("SELECT typeof(date_start) FROM dates LIMIT 1").fetchone()
    assert dated == ("DATE",)


def test_joins_give_the_same_rows_as_on_sqlite(
    exported: tuple[Path, Path], duck: duckdb.DuckDBPyConnection
) -> None:
    db, out = exported
    _views(duck, out)
    quotes = """SELECT q.id, q.text, e.canonical, e.label FROM quotes q
                JOIN entities e ON e.id = q.speaker_entity_id ORDER BY q.id"""
    assert duck.execute(quotes).fetchall() == _sqlite(db, quotes)
    assert len(_sqlite(db, quotes)) > 10
    parquet_links = """SELECT l.id, l.indicator_id, a.title, a.outlet, l.decision,
                              l.decided_indicator, l.decided_polarity
                       FROM links l JOIN articles a ON a.id = l.article_id ORDER BY l.id"""
    sqlite_links = """SELECT l.id, l.indicator_id, a.title, a.outlet, d.decision,
                             d.new_indicator, d.polarity
                      FROM evidence_links l JOIN articles a ON a.id = l.article_id
                      LEFT JOIN link_decisions d ON d.case_id = l.case_id
                        AND d.article_id = l.article_id AND d.start = l.start
                        AND d."end" = l."end" AND d.indicator_id = l.indicator_id
                      ORDER BY l.id"""
    rows = duck.execute(parquet_links).fetchall()
    assert rows == _sqlite(db, sqlite_links)
    decided = [r for r in rows if r[4] is not None]
    assert [(r[4], r[5], r[6]) for r in decided] == [
        ("accept", None, None),
        ("relink", "other", "negated"),
    ]
    spellings = duck.execute(
        "SELECT s FROM entities, unnest(spellings) AS u(s) ORDER BY entities.id, s"
    ).fetchall()
    assert spellings == _sqlite(
        db, "SELECT spelling FROM entity_spellings ORDER BY entity_id, spelling"
    )


def test_unicode_text_round_trips(
    exported: tuple[Path, Path], duck: duckdb.DuckDBPyConnection
) -> None:
    db, out = exported
    _views(duck, out)
    assert duck.execute("SELECT note, analyst FROM links WHERE decision = 'accept'").fetchall() == [
        (NOTE, "ana")
    ]
    details = [json.loads(d) for (d,) in duck.execute("SELECT detail FROM audit_log").fetchall()]
    assert NOTE in [d.get("note") for d in details]
    texts = duck.execute("SELECT id, title, text FROM articles ORDER BY id").fetchall()
    assert texts == _sqlite(db, "SELECT id, title, text FROM articles ORDER BY id")
    assert any(not t.isascii() for _, _, t in texts)  # curly quotes, dashes: not only ASCII


def test_refuses_to_overwrite_unless_forced(exported: tuple[Path, Path], tmp_path: Path) -> None:
    db, first = exported
    out = tmp_path / "again"
    shutil.copytree(first, out)
    (out / "mine.txt").write_text("kept", "utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(OverwriteRefused, match=r"articles\.parquet.*--force"):
        _export(db, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    result = CliRunner().invoke(
        main, ["export", "--db", str(db), "--format", "parquet", "--output", str(out)]
    )
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output
    summary = _export(db, out, force=True)
    assert summary.rows > 0
    assert (out / "mine.txt").read_text("utf-8") == "kept"
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temporary file left


def test_an_empty_store_exports_empty_files_with_the_schemas(
    tmp_path: Path, duck: duckdb.DuckDBPyConnection
) -> None:
    db = tmp_path / "empty.db"
    Store.open(db).close()
    summary = _export(db, tmp_path / "out")
    assert [t.name for t in summary.tables] == [t.name for t in TABLES]
    for table in TABLES:
        path = tmp_path / "out" / f"{table.name}.parquet"
        assert pq.read_schema(path).equals(table.schema, check_metadata=False)
        assert duck.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone() == (0,)
    assert summary.rows == 0


def test_a_table_the_store_lacks_is_written_empty_and_named(demo_db: Path, tmp_path: Path) -> None:
    db = _copy(demo_db, tmp_path / "old")
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE IF EXISTS alerts")
        conn.execute("DROP TABLE case_files")
    summary = _export(db, tmp_path / "out")
    assert summary.missing == ["case_files", "alerts"]
    assert any(n.startswith("case_files: the store has no case_files table") for n in summary.notes)
    table = pq.read_table(tmp_path / "out" / "case_files.parquet")
    assert table.num_rows == 0
    assert pq.read_table(tmp_path / "out" / "articles.parquet").num_rows == 5


def test_alerts_of_migration_0011_are_exported_with_their_types(
    demo_db: Path, tmp_path: Path, duck: duckdb.DuckDBPyConnection
) -> None:
    db = _copy(demo_db, tmp_path / "alerts")
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alerts'").fetchone():
            conn.execute(ALERTS_DDL)
        conn.execute(
            "INSERT INTO alerts (case_id, rule_id, kind, key, title, detail, as_of, fired_at,"
            " probabilities, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (CASE, "r1", "threshold", "k1", "H2 über 60 %", NOTE, "2022-10-10",
             "2026-12-07T03:00:00.250Z", '{"H2": 0.61}', '[{"link": 1}]'),
        )  # fmt: skip
    summary = _export(db, tmp_path / "out")
    assert "alerts" not in summary.missing
    path = str(tmp_path / "out" / "alerts.parquet")
    row = duck.execute(
        "SELECT title, detail, as_of, fired_at AT TIME ZONE 'UTC',"
        " CAST(json_extract(probabilities, '$.H2') AS DOUBLE), typeof(as_of)"
        " FROM read_parquet(?)",
        [path],
    ).fetchall()
    assert row == [
        ("H2 über 60 %", NOTE, date(2022, 10, 10), datetime(2026, 12, 7, 3, 0, 0, 250000), 0.61,
         "DATE")
    ]  # fmt: skip


def test_a_value_its_type_cannot_take_is_null_and_reported(demo_db: Path, tmp_path: Path) -> None:
    db = _copy(demo_db, tmp_path / "bad")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET published = 'last Tuesday' WHERE id = 2")
        conn.execute("UPDATE articles SET created_at = '2026-12-07 01:02:03' WHERE id = 3")
    summary = _export(db, tmp_path / "out")
    assert summary.problem_count == 1
    assert "articles id 2: published 'last Tuesday' written as null" in summary.problems[0]
    table = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert [r["published"] is None for r in table] == [False, True, False, False, False]
    # A time without a zone is the store's UTC, not a problem.
    assert table[2]["created_at"] == datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)


def test_no_duplicates_leaves_out_their_rows_everywhere_but_sources(
    demo_db: Path, tmp_path: Path, duck: duckdb.DuckDBPyConnection
) -> None:
    db = _copy(demo_db, tmp_path / "dup")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET duplicate_of = 1, similarity = 0.9 WHERE id = 2")
        mentions = conn.execute("SELECT count(*) FROM mentions WHERE article_id != 2").fetchone()
    out = tmp_path / "out"
    _export(db, out, include_duplicates=False)
    _views(duck, out)
    assert duck.execute("SELECT list(id ORDER BY id) FROM articles").fetchone() == ([1, 3, 4, 5],)
    assert duck.execute("SELECT count(*) FROM mentions").fetchone() == mentions
    for name in ("mentions", "quotes", "claims", "figures", "dates", "events", "links"):
        left = duck.execute(f"SELECT count(*) FROM {name} WHERE article_id = 2").fetchone()
        assert left == (0,), name
    assert duck.execute("SELECT count(*) FROM sources").fetchone() == (5,)


def test_rows_are_written_in_batches_with_the_same_content(
    exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, whole = exported
    _export(db, tmp_path / "small", batch_rows=7)
    small = pq.ParquetFile(tmp_path / "small" / "mentions.parquet")
    rows = small.metadata.num_rows
    assert small.metadata.num_row_groups == -(-rows // 7)
    assert small.read().equals(pq.read_table(whole / "mentions.parquet"))
    # Wide rows are batched by their size too: one article's text over the cap, one each.
    monkeypatch.setattr(parquet_module, "BATCH_BYTES", 1_000)
    monkeypatch.setattr(parquet_module, "FETCH_ROWS", 1)
    _export(db, tmp_path / "narrow")
    narrow = pq.ParquetFile(tmp_path / "narrow" / "articles.parquet")
    assert narrow.metadata.num_row_groups == 5
    assert narrow.read().equals(pq.read_table(whole / "articles.parquet"))
    assert pq.ParquetFile(whole / "articles.parquet").metadata.num_row_groups == 1


def test_a_failure_midway_leaves_the_old_files_and_no_temporary_one(
    exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, first = exported
    out = tmp_path / "crash"
    shutil.copytree(first, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = parquet_module._record_batch
    calls = []

    def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args)

    monkeypatch.setattr(parquet_module, "_record_batch", failing)
    with pytest.raises(OSError, match="No space"):
        _export(db, out, force=True)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(after) == set(before)  # no .tmp left behind
    assert after["entities.parquet"] == before["entities.parquet"]  # the one that failed
    assert pq.read_table(out / "articles.parquet").num_rows == 5  # rewritten whole


def test_the_command_prints_a_summary_and_needs_a_folder(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    args = ["export", "--db", str(demo_db), "--format", "parquet"]
    result = CliRunner().invoke(main, [*args, "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "parquet"
    assert data["tables"]["articles"]["rows"] == 5
    assert set(data["tables"]) == {t.name for t in TABLES}
    missing = CliRunner().invoke(main, args)
    assert missing.exit_code == 2
    assert "--output DIR" in missing.output
    jsonl_to_folder = CliRunner().invoke(main, ["export", "--db", str(demo_db), "-o", str(out)])
    assert jsonl_to_folder.exit_code == 2
    assert "is a folder" in jsonl_to_folder.output


def test_formats_doc_lists_exactly_the_declared_tables() -> None:
    doc = (ROOT / "docs" / "formats.md").read_text("utf-8")
    start = doc.index("<!-- parquet tables:")
    start = doc.index("\n", start) + 1
    end = doc.index("<!-- end of parquet tables -->")
    assert doc[start:end] == markdown(), "regenerate from tocsin.export.tables.markdown()"


def test_a_column_the_stored_table_lacks_is_null_and_named(demo_db: Path, tmp_path: Path) -> None:
    db = _copy(demo_db, tmp_path / "narrow-alerts")
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE IF EXISTS alerts")
        conn.execute("CREATE TABLE alerts (id INTEGER PRIMARY KEY, case_id TEXT, title TEXT)")
        conn.execute("INSERT INTO alerts (case_id, title) VALUES (?, ?)", (CASE, "moved"))
    summary = _export(db, tmp_path / "out")
    assert any(
        n.startswith("alerts: the store's alerts table has no rule_id") for n in summary.notes
    )
    (row,) = pq.read_table(tmp_path / "out" / "alerts.parquet").to_pylist()
    assert row["title"] == "moved"
    assert row["fired_at"] is None
    assert row["evidence"] is None


def test_pandas_reads_every_file_and_joins_as_sqlite_does(exported: tuple[Path, Path]) -> None:
    db, out = exported
    frames = {t.name: pandas.read_parquet(out / f"{t.name}.parquet") for t in TABLES}
    for table in TABLES:
        frame = frames[table.name]
        assert list(frame.columns) == table.schema.names, table.name
        assert len(frame) == pq.ParquetFile(out / f"{table.name}.parquet").metadata.num_rows
    articles = frames["articles"]
    assert str(articles["created_at"].dtype).startswith("datetime64")
    assert str(articles["created_at"].dt.tz) == "UTC"
    assert articles["authors"].map(list).map(type).eq(list).all()  # a list column
    joined = frames["links"].merge(
        articles[["id", "title", "outlet"]].rename(columns={"id": "article_id"}), on="article_id"
    )
    rows = [
        (int(r.id), r.indicator_id, r.title, None if pandas.isna(r.outlet) else r.outlet)
        for r in joined.sort_values("id").itertuples(index=False)
    ]
    assert rows == _sqlite(
        db,
        """SELECT l.id, l.indicator_id, a.title, a.outlet FROM evidence_links l
           JOIN articles a ON a.id = l.article_id ORDER BY l.id""",
    )
    assert len(rows) > 10
