"""The queries of the desk's reader and search pages (the entity pages' are in
``tocsin.store.entities``).

Each read costs a few index seeks, however large the store (migration 0010): a page never
counts over every article, and lists come a page at a time (``limit`` and ``offset``,
one row more than shown to tell whether a next page exists).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.errors import InvalidInput
from tocsin.store.db import Store

# -- the reader ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RawSource:
    """Where an article's raw bytes came from, and their hash in the blob store."""

    locator: str
    kind: str
    sha256: str | None
    size: int | None
    content_type: str | None


def raw_source(store: Store, article_id: int) -> RawSource | None:
    """The source row of an article (None: no such article)."""
    row = store.conn.execute(
        """SELECT s.locator, s.kind, s.raw_sha256, s.raw_size, s.content_type
           FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?""",
        (article_id,),
    ).fetchone()
    return None if row is None else RawSource(*row)


@dataclass(frozen=True)
class ArticleLink:
    """A stretch of an article linked to an indicator of a case, with the analyst's
    decision on it (None: undecided); ``id`` None for a decision whose link the linker no
    longer makes (kept by the decision)."""

    id: int | None
    case_id: str
    indicator: str
    polarity: str
    start: int
    end: int
    kind: str
    decision: str | None
    new_indicator: str | None


def article_links(store: Store, article_id: int) -> list[ArticleLink]:
    """Every case's links into the article, and the accepted or relinked spans the linker
    dropped, in text order."""
    rows = store.conn.execute(
        """SELECT l.id, l.case_id, l.indicator_id, coalesce(d.polarity, l.polarity), l.start,
                  l."end", l.kind, d.decision, d.new_indicator
           FROM evidence_links l LEFT JOIN link_decisions d
             ON d.case_id = l.case_id AND d.article_id = l.article_id AND d.start = l.start
            AND d."end" = l."end" AND d.indicator_id = l.indicator_id
           WHERE l.article_id = :a
           UNION ALL
           SELECT NULL, d.case_id, d.indicator_id, coalesce(d.polarity, 'seen'), d.start,
                  d."end", 'kept', d.decision, d.new_indicator
           FROM link_decisions d
           WHERE d.article_id = :a AND d.decision IN ('accept', 'relink') AND NOT EXISTS (
             SELECT 1 FROM evidence_links l WHERE l.case_id = d.case_id
               AND l.article_id = d.article_id AND l.start = d.start AND l."end" = d."end"
               AND l.indicator_id = d.indicator_id)
           ORDER BY 5, 6, 2, 3""",
        {"a": article_id},
    ).fetchall()
    return [ArticleLink(*row) for row in rows]


@dataclass(frozen=True)
class ArticleLine:
    """An article as a list shows it."""

    id: int
    title: str | None
    outlet: str | None
    published: str | None
    language: str | None
    similarity: float | None = None


_LINE = "a.id, a.title, a.outlet, a.published, a.language"


def article_lines(store: Store, ids: Sequence[int]) -> dict[int, ArticleLine]:
    """The listed articles that exist, by id."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = store.conn.execute(f"SELECT {_LINE} FROM articles a WHERE a.id IN ({marks})", ids)
    return {int(r[0]): ArticleLine(*r) for r in rows.fetchall()}


def duplicate_group(store: Store, article_id: int) -> list[ArticleLine]:
    """The other articles of the article's near-duplicate group: its first-seen original
    and every article that nearly repeats that original, with the MinHash similarity the
    ingest measured to the original."""
    row = store.conn.execute(
        "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return []
    # Two seeks (the original by id, its copies by duplicate_of), not an OR that scans.
    rows = store.conn.execute(
        f"""SELECT {_LINE}, a.similarity FROM articles a WHERE a.id = :o AND a.id != :a
            UNION ALL
            SELECT {_LINE}, a.similarity FROM articles a WHERE a.duplicate_of = :o
              AND a.id != :a
            ORDER BY 1""",
        {"o": row[0], "a": article_id},
    )
    return [ArticleLine(*r) for r in rows.fetchall()]


def same_text_sources(store: Store, article_id: int, limit: int = 50) -> list[str]:
    """Other inputs whose text was this article's word for word (stored once, as this)."""
    rows = store.conn.execute(
        """SELECT s.locator FROM sources s WHERE s.article_id = ? AND s.status = 'duplicate'
           ORDER BY s.id LIMIT ?""",
        (article_id, limit),
    )
    return [str(r[0]) for r in rows.fetchall()]


def minhash(store: Store, article_id: int) -> bytes | None:
    row = store.conn.execute("SELECT minhash FROM articles WHERE id = ?", (article_id,)).fetchone()
    return None if row is None or row[0] is None else bytes(row[0])


def containing_phrase(store: Store, phrase: str, exclude: int, limit: int) -> list[int]:
    """Articles other than ``exclude`` whose text holds ``phrase`` (words in order, as the
    full-text index tokenises them), oldest first."""
    quoted = '"' + phrase.replace('"', '""') + '"'
    try:
        rows = store.conn.execute(
            """SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid != ?
               ORDER BY rowid LIMIT ?""",
            (f"text : {quoted}", exclude, limit),
        ).fetchall()
    except sqlite3.OperationalError:  # a phrase of no words at all
        return []
    return [int(r[0]) for r in rows]


# -- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: FTS5 query words ('' for none) and filters (None: any)."""

    words: str = ""
    outlet: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    language: str | None = None
    entities: tuple[int, ...] | None = None  # articles mentioning one of these
    speakers: tuple[int, ...] | None = None  # articles quoting one of these


@dataclass(frozen=True)
class SearchRow:
    """One hit: the title and the snippet carry the caller's hit markers, unescaped."""

    id: int
    title: str | None
    outlet: str | None
    published: str | None
    language: str | None
    snippet: str | None


SNIPPET_WORDS = 24  # tokens of text around the best hit
PREVIEW_CHARS = 240  # of text shown for an article listed without query words
# Ranking costs a BM25 score per matching article (about 7 µs each), so a query matching
# more articles than this is ranked among the most recently stored that many (by id) that
# pass the filters: 5,000 keep a page under about 100 ms on 100,000 articles.
RANK_WINDOW = 5000


def _filters(q: SearchQuery, article: str) -> tuple[list[str], dict[str, object]]:
    """SQL conditions for the filters of ``q``; ``article`` is the article id expression."""
    where: list[str] = []
    args: dict[str, object] = {}
    for clause, name, value in (
        ("a.outlet = :outlet", "outlet", q.outlet),
        ("a.published >= :since", "since", q.since),
        ("a.published <= :until", "until", q.until),
        ("a.language = :language", "language", q.language),
    ):
        if value is not None:
            where.append(clause)
            args[name] = value
    for table, column, ids in (
        ("mentions", "entity_id", q.entities),
        ("quotes", "speaker_entity_id", q.speakers),
    ):
        if ids is None:
            continue
        names = [f"{column}{k}" for k in range(len(ids))]
        args.update(zip(names, ids, strict=True))
        within = ",".join(f":{n}" for n in names) or "NULL"
        # One seek in (entity, article) per candidate article (migration 0010).
        where.append(
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.{column} IN ({within})"
            f" AND x.article_id = {article})"
        )
    return where, args


def _by_article(q: SearchQuery) -> bool:
    """Whether a filter reads the article's own columns."""
    return any(v is not None for v in (q.outlet, q.since, q.until, q.language))


@dataclass(frozen=True)
class SearchPage:
    """One page of hits; ``capped`` when the query matched more than ``RANK_WINDOW``
    articles and was ranked among the newest of them."""

    rows: list[SearchRow]
    capped: bool = False


def search(
    store: Store, q: SearchQuery, *, limit: int, offset: int = 0, marks: tuple[str, str]
) -> SearchPage:
    """Articles matching ``q``, best first (BM25 with title hits weighted up), or newest
    first without query words. Hits in titles and snippets are wrapped in ``marks``; an
    FTS5 query that does not parse is InvalidInput saying why."""
    try:
        if not q.words.strip():
            return SearchPage(_newest(store, q, limit, offset))
        return _ranked(store, q, limit, offset, marks)
    except sqlite3.OperationalError as exc:
        if not str(exc).startswith(_QUERY_ERRORS):
            raise
        raise InvalidInput(_fts_problem(q.words, exc)) from exc


def _newest(store: Store, q: SearchQuery, limit: int, offset: int) -> list[SearchRow]:
    where, args = _filters(q, "a.id")
    rows = store.conn.execute(
        f"""SELECT {_LINE}, substr(a.text, 1, {PREVIEW_CHARS}) FROM articles a
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY a.published DESC, a.id DESC LIMIT :limit OFFSET :offset""",
        {**args, "limit": limit, "offset": offset},
    )
    return [SearchRow(*row) for row in rows.fetchall()]


def _ranked(
    store: Store, q: SearchQuery, limit: int, offset: int, marks: tuple[str, str]
) -> SearchPage:
    """The matching articles that pass the filters are read newest first (the full-text
    index's own order, so the scan stops at ``RANK_WINDOW``), each with its score; the
    page is cut from them in score order, and only its rows get a snippet."""
    where, args = _filters(q, "articles_fts.rowid")
    # The article's filter columns come from a covering index (0010), not its long row.
    joined = (
        " CROSS JOIN articles a INDEXED BY articles_facets ON a.id = articles_fts.rowid"
        if _by_article(q)
        else ""
    )
    scored = store.conn.execute(
        f"""SELECT articles_fts.rowid, bm25(articles_fts, 4.0, 1.0) FROM articles_fts{joined}
            WHERE {" AND ".join(["articles_fts MATCH :words", *where])}
            ORDER BY articles_fts.rowid DESC LIMIT {RANK_WINDOW}""",
        {**args, "words": q.words},
    ).fetchall()
    best = sorted(scored, key=lambda r: (float(r[1]), -int(r[0])))[offset : offset + limit]
    lines = article_lines(store, [int(r[0]) for r in best])
    rows = []
    for article_id, _ in best:
        title, snippet = store.conn.execute(
            f"""SELECT highlight(articles_fts, 0, :open, :close),
                       snippet(articles_fts, 1, :open, :close, ' … ', {SNIPPET_WORDS})
                FROM articles_fts WHERE articles_fts MATCH :words AND rowid = :id""",
            {"open": marks[0], "close": marks[1], "words": q.words, "id": article_id},
        ).fetchone()
        line = lines[int(article_id)]
        rows.append(SearchRow(line.id, title, line.outlet, line.published, line.language, snippet))
    return SearchPage(rows, capped=len(scored) >= RANK_WINDOW)


# How SQLite says that an FTS5 query does not parse (as opposed to a store that fails).
_QUERY_ERRORS = ("fts5:", "no such column", "unknown special query", "unterminated string")


def _fts_problem(words: str, exc: sqlite3.OperationalError) -> str:
    detail = str(exc).removeprefix("fts5: ")
    return (
        f'cannot search for {words!r}: {detail}. Words, "a phrase", OR, NOT, NEAR(...) and'
        " prefix* are understood; put anything else in double quotes"
    )
