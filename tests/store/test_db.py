"""The store itself: WAL, foreign keys, numbered migrations, FTS kept in step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tocsin.errors import StoreError
from tocsin.models import NewArticle
from tocsin.store.db import Store, migrations


def test_pragmas_and_migrations(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.db") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        versions = [m.version for m in migrations()]
        assert versions == sorted(versions)
        assert versions[0] == 1
        assert store.schema_version() == versions[-1]
    with Store.open(tmp_path / "t.db") as again:
        assert again.migrate() == []  # nothing left to apply


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.db") as store, pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO articles(source_id, text, text_sha256, words, cleaner_version)"
            " VALUES (999, 'x', 'h', 1, '1')"
        )


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError):
        Store.open(bogus)


def test_fts_follows_articles(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.db") as store:
        store.put_blob("s", 1, b"x")
        source = store.record_source(locator="a.txt", kind="text", status="ok", sha256="s")
        new = NewArticle(
            source_id=source,
            url=None,
            title="Drills",
            authors=[],
            published=None,
            outlet=None,
            language="en",
            text="Mobilisation checks began",
            text_sha256="t",
            words=3,
            minhash=b"",
            duplicate_of=None,
            similarity=None,
            removed=[],
        )
        article = store.add_article(new, [])
        assert [h.article_id for h in store.search("mobilisation")] == [article]
        store.conn.execute("UPDATE articles SET text = 'nothing here' WHERE id = ?", (article,))
        assert store.search("mobilisation") == []


def test_events_stored_before_modes_read_as_asserted(tmp_path: Path) -> None:
    """Migration 0006: an older store's events get the mode 'asserted' and their category
    as their action's."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)  # foreign keys off, as by default
    older = [m for m in migrations() if m.version < 6]
    for migration in older:
        conn.executescript(migration.sql)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT '')"
    )
    for migration in older:
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, '')", (migration.version, "x"))
    conn.execute(
        """INSERT INTO events(article_id, start, "end", text, action, category)
           VALUES (1, 0, 5, 'x', 'deploy', 'MOBILIZE')"""
    )
    conn.close()
    with Store.open(path) as store:
        row = store.conn.execute("SELECT mode, action_category, category FROM events").fetchone()
    assert tuple(row) == ("asserted", "MOBILIZE", "MOBILIZE")
