"""The SQLite store: WAL journal, foreign keys, numbered migrations, FTS5 over clean text.

Every write happens inside a transaction, so a crash (Ctrl-C, ``kill -9``) leaves the
database as it was after the last commit; re-running an ingest completes the rest.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import zstandard

from tocsin.errors import StoreError
from tocsin.models import Article, Failure, IngestWarning, NewArticle, Provenance
from tocsin.store.faults import (
    as_store_error,
    ensure_intact,
    read_only_connection,
    writable_connection,
)
from tocsin.store.faults import store_errors as store_errors  # the one translation of faults

# Raw bytes are kept zstd-compressed at level 3: on the 91 benchmark pages (186 kB on
# average) 0.79 ms a page to 19.5% of the size, against 2.03 ms to 23.2% for zlib level 1
# (measured 2026-11-28). Blobs written by tocsin 0.1 before that say 'zlib' and still read.
RAW_CODEC = "zstd"
RAW_LEVEL = 3


@lru_cache(maxsize=1)
def _compressor() -> zstandard.ZstdCompressor:
    return zstandard.ZstdCompressor(level=RAW_LEVEL)


def compress_raw(data: bytes) -> bytes:
    return _compressor().compress(data)


def decompress_raw(data: bytes, codec: str) -> bytes:
    """The raw bytes of a blob stored with ``codec`` ('zstd' or 'zlib')."""
    if codec == "zstd":
        return zstandard.ZstdDecompressor().decompress(data)
    if codec == "zlib":
        return zlib.decompress(data)
    raise StoreError(f"blob compressed with unknown codec {codec!r}")


_MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The numbered migrations shipped in ``tocsin/store/migrations``, in order."""
    found = []
    for entry in resources.files("tocsin.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


@dataclass(frozen=True)
class SourceState:
    status: str  # 'ok', 'duplicate' or 'failed'
    error_code: str | None
    error: str | None


@dataclass(frozen=True)
class Candidate:
    article_id: int
    minhash: bytes


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    title: str | None
    snippet: str
    score: float


class Store:
    """A tocsin database. Open with ``Store.open(path)``; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(
        cls, path: str | Path, *, read_only: bool = False, check: bool = False,
        any_thread: bool = False,
    ) -> Store:  # fmt: skip
        """The store at ``path``, created and migrated as needed.

        ``read_only`` opens it for reading only (see ``read_only_connection``); an empty
        file or a database without tocsin's tables is then refused, and a store made by an
        older tocsin is migrated first by a short writable opening. ``check`` runs
        ``PRAGMA quick_check`` before anything else (StoreCorrupt if it fails).
        ``any_thread`` lets another thread close it (``writable_connection``). Every
        failure is a StoreError naming the file.
        """
        path = Path(path)
        if not read_only and path.parent and not path.parent.exists():
            raise StoreError(f"cannot create database {path}: folder {path.parent} does not exist")
        try:
            conn = (
                read_only_connection(path)
                if read_only
                else writable_connection(path, any_thread=any_thread)
            )
        except sqlite3.Error as exc:
            raise as_store_error(exc, path, f"cannot open database {path}") from exc
        store = cls(conn, path)
        try:
            if check:
                store.ensure_intact()
            store._upgrade(read_only)
        except BaseException:
            store.close()
            raise
        return store

    def _upgrade(self, read_only: bool) -> None:
        """Apply pending migrations; a read-only store has them applied by a writer first."""
        if not read_only:
            self.migrate()
            return
        with store_errors(self.path):
            current = self._stored_version()
            if current == 0:
                raise StoreError(
                    f"{self.path} holds no tocsin database: ingest something into it first,"
                    " or name another with --db"
                )
            if current < migrations()[-1].version:
                self.conn.close()
                Store.open(self.path).close()
                self.conn = read_only_connection(self.path)

    def _stored_version(self) -> int:
        """The schema version, read without writing (0: no tocsin tables)."""
        table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if table is None:
            return 0
        return int(
            self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
        )

    def ensure_intact(self) -> None:
        """Raise StoreCorrupt unless ``PRAGMA quick_check`` passes. Commands call it before
        they report an empty result, so a damaged store never passes for an empty one."""
        ensure_intact(self.conn, self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # SQLITE_FULL, for one, has rolled it back already
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- batches --------------------------------------------------------------------------
    # A writer that commits every N items opens a batch, writes each item inside ``item()``
    # (all of an item or none of it), and commits the batch; an interrupted batch rolls back
    # to its last whole item when the connection closes without COMMIT.

    def begin_batch(self) -> None:
        """Open a write transaction unless one is open."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def commit_batch(self) -> None:
        """Commit the open write transaction, if any."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    @contextmanager
    def item(self) -> Iterator[None]:
        """One item's writes inside the batch: on any exception, none of them."""
        self.begin_batch()
        self.conn.execute("SAVEPOINT item")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO item")
            raise
        finally:
            self.conn.execute("RELEASE item")

    # -- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction; return the versions applied."""
        try:
            current = self.schema_version()
        except sqlite3.DatabaseError as exc:
            context = f"{self.path} is not a tocsin database"
            raise as_store_error(exc, self.path, context) from exc
        applied = []
        for migration in migrations():
            if migration.version <= current:
                continue
            script = (
                "BEGIN;\n"
                + migration.sql
                + f"\nINSERT INTO schema_migrations(version, name) VALUES "
                f"({migration.version}, '{migration.name}');\nCOMMIT;"
            )
            try:
                self.conn.executescript(script)
            except sqlite3.DatabaseError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                context = f"migration {migration.version:04d} of {self.path} failed"
                raise as_store_error(exc, self.path, context) from exc
            applied.append(migration.version)
        return applied

    # -- sources ------------------------------------------------------------------------

    def source(self, locator: str, sha256: str | None) -> SourceState | None:
        """How this input (place and bytes) fared before, if it was seen."""
        row = self.conn.execute(
            "SELECT status, error_code, error FROM sources"
            " WHERE locator = ? AND coalesce(raw_sha256, '') = ?",
            (locator, sha256 or ""),
        ).fetchone()
        return None if row is None else SourceState(row[0], row[1], row[2])

    def put_blob(self, sha256: str, size: int, compressed: bytes) -> None:
        """Keep raw bytes (``compress_raw`` of them, ``size`` before compression) once."""
        self.conn.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, compression, data) VALUES (?, ?, ?, ?)",
            (sha256, size, RAW_CODEC, compressed),
        )

    def blob(self, sha256: str) -> bytes:
        row = self.conn.execute(
            "SELECT compression, data FROM blobs WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if row is None:
            raise KeyError(sha256)
        return decompress_raw(row[1], row[0])

    def record_source(
        self,
        *,
        locator: str,
        kind: str,
        status: str,
        sha256: str | None = None,
        size: int | None = None,
        url: str | None = None,
        content_type: str | None = None,
        error_code: str | None = None,
        error: str | None = None,
        article_id: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int:
        """Insert the source, or update it in place (a retried failure); return its id."""
        row = self.conn.execute(
            "SELECT id FROM sources WHERE locator = ? AND coalesce(raw_sha256, '') = ?",
            (locator, sha256 or ""),
        ).fetchone()
        if row is None:
            cur = self.conn.execute(
                "INSERT INTO sources(locator, kind, raw_sha256, raw_size, url, content_type,"
                " meta, status, error_code, error, article_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    locator,
                    kind,
                    sha256,
                    size,
                    url,
                    content_type,
                    json.dumps(meta or {}, ensure_ascii=False, default=str),
                    status,
                    error_code,
                    error,
                    article_id,
                ),
            )
            return int(cur.lastrowid or 0)
        self.conn.execute(
            "UPDATE sources SET status = ?, error_code = ?, error = ?, article_id = ?,"
            " attempts = attempts + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            " WHERE id = ?",
            (status, error_code, error, article_id, row[0]),
        )
        return int(row[0])

    def url_stored(self, url: str) -> bool:
        """True when a URL was stored before: re-running does not fetch it again."""
        row = self.conn.execute(
            "SELECT 1 FROM sources WHERE locator = ? AND status IN ('ok', 'duplicate')", (url,)
        ).fetchone()
        return row is not None

    def set_source_article(self, source_id: int, article_id: int) -> None:
        self.conn.execute("UPDATE sources SET article_id = ? WHERE id = ?", (article_id, source_id))

    # -- articles -----------------------------------------------------------------------

    def article_by_text_hash(self, sha256: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE text_sha256 = ?", (sha256,)
        ).fetchone()
        return None if row is None else int(row[0])

    def add_article(self, a: NewArticle, bands: Sequence[tuple[int, int]]) -> int:
        """Store a new article and its LSH band keys; return its id."""
        pub = a.published
        fields: dict[str, object] = {
            "source_id": a.source_id,
            "url": a.url,
            "title": a.title,
            "authors": json.dumps(a.authors, ensure_ascii=False),
            "published": pub.value.isoformat() if pub else None,
            "published_estimated": int(bool(pub and pub.estimated)),
            "published_low": pub.low.isoformat() if pub else None,
            "published_high": pub.high.isoformat() if pub else None,
            "published_method": pub.method if pub else None,
            "published_precision": pub.precision if pub else None,
            "outlet": a.outlet,
            "language": a.language,
            "text": a.text,
            "text_sha256": a.text_sha256,
            "words": a.words,
            "minhash": a.minhash,
            "duplicate_of": a.duplicate_of,
            "similarity": a.similarity,
            "removed": json.dumps(a.removed, ensure_ascii=False),
            "warnings": json.dumps(a.warnings, ensure_ascii=False),
            "cleaner_version": a.cleaner_version,
        }
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        cur = self.conn.execute(
            f"INSERT INTO articles({columns}) VALUES ({marks})", tuple(fields.values())
        )
        article_id = int(cur.lastrowid or 0)
        self.conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands(band, key, article_id) VALUES (?, ?, ?)",
            [(band, key, article_id) for band, key in bands],
        )
        return article_id

    def original_of(self, article_id: int) -> int:
        """The first-seen original of an article: itself, or what it nearly repeats."""
        row = self.conn.execute(
            "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return int(row[0])

    def candidates(self, bands: Sequence[tuple[int, int]]) -> list[Candidate]:
        """Articles sharing at least one LSH band with the given keys, oldest first."""
        if not bands:
            return []
        # A join on a VALUES table uses the primary key; "(band, key) IN (VALUES ...)" scans.
        pairs = ",".join("(?, ?)" for _ in bands)
        rows = self.conn.execute(
            f"WITH q(band, key) AS (VALUES {pairs}) SELECT DISTINCT a.id, a.minhash FROM q"
            " JOIN lsh_bands l ON l.band = q.band AND l.key = q.key"
            " JOIN articles a ON a.id = l.article_id ORDER BY a.id",
            [value for pair in bands for value in pair],
        )
        return [Candidate(int(r[0]), bytes(r[1])) for r in rows if r[1] is not None]

    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute(_ARTICLE_SELECT + " WHERE a.id = ?", (article_id,)).fetchone()
        return None if row is None else _row_to_article(row)

    def articles(self, *, include_duplicates: bool = True, after: int = 0) -> Iterator[Article]:
        """The stored articles in id order; only those of id above ``after`` when given."""
        where = " WHERE a.id > ?" + ("" if include_duplicates else " AND a.duplicate_of IS NULL")
        for row in self.conn.execute(_ARTICLE_SELECT + where + " ORDER BY a.id", (after,)):
            yield _row_to_article(row)

    def article_extra(self, article_id: int) -> Provenance | None:
        """Provenance not in the export record: method of dating, removed boilerplate, hashes."""
        row = self.conn.execute(
            "SELECT a.published_method, a.removed, a.similarity, a.cleaner_version,"
            " a.created_at, s.kind, s.raw_sha256, s.raw_size, s.content_type, s.meta"
            " FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        extra = dict(row)
        extra["removed"] = json.loads(extra["removed"])
        extra["meta"] = json.loads(extra["meta"])
        return Provenance(**extra)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """FTS5 search ranked by BM25 with title hits weighted up; snippets mark hits with [ ]."""
        try:
            rows = self.conn.execute(
                "SELECT rowid, title, snippet(articles_fts, 1, '[', ']', ' … ', 16) AS snip,"
                " bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts"
                " WHERE articles_fts MATCH ? ORDER BY score LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError:
            # A query with FTS syntax errors is retried as a plain phrase search.
            quoted = '"' + query.replace('"', '""') + '"'
            return self.search(quoted, limit) if query != quoted else []
        return [SearchHit(int(r[0]), r[1], r[2], -float(r[3])) for r in rows]

    # -- reports ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        counts = {"ok": 0, "duplicate": 0, "failed": 0}
        for status, n in self.conn.execute("SELECT status, count(*) FROM sources GROUP BY status"):
            counts[str(status)] = int(n)
        row = self.conn.execute(
            "SELECT count(*), count(duplicate_of), coalesce(sum(published_estimated), 0)"
            ", coalesce(sum(warnings != '[]'), 0)"
            " FROM articles"
        ).fetchone()
        counts["articles"] = int(row[0])
        counts["near_duplicates"] = int(row[1])
        counts["dates_estimated"] = int(row[2])
        counts["articles_with_warnings"] = int(row[3])
        return counts

    def warnings(self) -> list[IngestWarning]:
        """Every warning of the ingest about a stored article, in article order."""
        rows = self.conn.execute(
            "SELECT a.id, s.locator, w.value FROM articles a JOIN sources s ON s.id = a.source_id,"
            " json_each(a.warnings) w WHERE a.warnings != '[]' ORDER BY a.id, w.key"
        )
        return [IngestWarning(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def failures(self) -> list[Failure]:
        rows = self.conn.execute(
            "SELECT id, locator, kind, error_code, error, attempts, updated_at FROM sources"
            " WHERE status = 'failed' ORDER BY id"
        )
        return [Failure(*r) for r in rows]


_ARTICLE_SELECT = (
    "SELECT a.id, s.locator AS source, a.url, a.title, a.authors, a.published,"
    " a.published_estimated, a.published_low, a.published_high, a.published_precision,"
    " a.outlet, a.language,"
    " a.text, a.duplicate_of, a.words FROM articles a JOIN sources s ON s.id = a.source_id"
)


def _row_to_article(row: sqlite3.Row) -> Article:
    low, high = row["published_low"], row["published_high"]
    return Article(
        id=row["id"],
        source=row["source"],
        url=row["url"],
        title=row["title"],
        authors=json.loads(row["authors"]),
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        published_estimated=bool(row["published_estimated"]),
        published_range=(date.fromisoformat(low), date.fromisoformat(high))
        if low and high
        else None,
        published_precision=row["published_precision"],
        outlet=row["outlet"],
        language=row["language"],
        text=row["text"],
        duplicate_of=row["duplicate_of"],
        words=row["words"],
    )
