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
