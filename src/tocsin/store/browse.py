"""The queries of the desk's reader, search and entity pages, and the writes that move an
entity's records under another (the analysts' merges and splits).

Each read costs a few index seeks, however large the store (migration 0010): a page never
counts over every article, and lists come a page at a time (``limit`` and ``offset``,
one row more than shown to tell whether a next page exists). The store decides nothing:
which spellings a merge or a split moves, and where to, is the evidence layer's decision
(``tocsin.extract.overrides``).
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


# -- entities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityLine:
    """A canonical entity as the entity list shows it."""

    id: int
    canonical: str
    label: str
    spellings: int
    mentions: int
    quotes: int


def entity_lines(
    store: Store,
    *,
    normal: str | None = None,
    label: str | None = None,
    limit: int,
    offset: int = 0,
) -> list[EntityLine]:
    """Entities by mentions, most first; only those of ``label``, and those with a spelling
    whose normal form holds ``normal``, when given."""
    where: list[str] = ["1 = 1"]
    args: dict[str, object] = {"limit": limit, "offset": offset}
    if label:
        where.append("e.label = :label")
        args["label"] = label
    if normal:
        where.append(
            "e.id IN (SELECT entity_id FROM entity_spellings WHERE normal LIKE :like ESCAPE '\\')"
        )
        escaped = normal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args["like"] = f"%{escaped}%"
    rows = store.conn.execute(
        f"""SELECT e.id, e.canonical, e.label,
                   (SELECT count(*) FROM entity_spellings s WHERE s.entity_id = e.id),
                   (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) AS n,
                   (SELECT count(*) FROM quotes q WHERE q.speaker_entity_id = e.id)
            FROM entities e WHERE {" AND ".join(where)}
            ORDER BY n DESC, e.canonical, e.id LIMIT :limit OFFSET :offset""",
        args,
    )
    return [EntityLine(*row) for row in rows.fetchall()]


def entity_labels(store: Store) -> list[str]:
    return [str(r[0]) for r in store.conn.execute("SELECT DISTINCT label FROM entities ORDER BY 1")]


def entity_ids_named(store: Store, normal: str, canonical: str) -> list[int]:
    """Entities with a spelling of this normal form, or with this canonical name (any case)."""
    rows = store.conn.execute(
        """SELECT entity_id FROM entity_spellings WHERE normal = ?
           UNION SELECT id FROM entities WHERE canonical = ? COLLATE NOCASE ORDER BY 1""",
        (normal, canonical),
    )
    return [int(r[0]) for r in rows.fetchall()]


@dataclass(frozen=True)
class SpellingCount:
    """One spelling of an entity: as stored, its normal form, and how many of the entity's
    counted mentions are written exactly so."""

    spelling: str
    normal: str
    mentions: int


# Spellings are counted over an entity's newest this many mentions, so that a page on
# an entity named a million times costs what one on an entity named 20,000 times does.
COUNTED_MENTIONS = 20_000


def spelling_counts(store: Store, entity_id: int) -> tuple[list[SpellingCount], int]:
    """The entity's spellings, most mentioned first, and how many mentions were counted."""
    written = dict(
        store.conn.execute(
            f"""SELECT text, count(*) FROM (SELECT text FROM mentions WHERE entity_id = ?
                ORDER BY article_id DESC LIMIT {COUNTED_MENTIONS}) GROUP BY text""",
            (entity_id,),
        ).fetchall()
    )
    rows = store.conn.execute(
        "SELECT spelling, normal FROM entity_spellings WHERE entity_id = ?", (entity_id,)
    ).fetchall()
    found = [SpellingCount(str(r[0]), str(r[1]), int(written.get(r[0], 0))) for r in rows]
    found.sort(key=lambda s: (-s.mentions, s.spelling))
    return found, sum(int(n) for n in written.values())


def spellings(store: Store, entity_id: int) -> list[tuple[str, str]]:
    """The entity's spellings as (spelling, normal form)."""
    rows = store.conn.execute(
        "SELECT spelling, normal FROM entity_spellings WHERE entity_id = ? ORDER BY spelling",
        (entity_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows.fetchall()]


def mention_count(store: Store, entity_id: int) -> tuple[int, int]:
    """How many mentions name the entity, and how many quotes it is the speaker of."""
    row = store.conn.execute(
        """SELECT (SELECT count(*) FROM mentions WHERE entity_id = :e),
                  (SELECT count(*) FROM quotes WHERE speaker_entity_id = :e)""",
        {"e": entity_id},
    ).fetchone()
    return int(row[0]), int(row[1])


def merge_candidates(store: Store, entity_id: int, limit: int = 20) -> list[EntityLine]:
    """Other entities with a spelling that shares a surname key with one of this one's:
    where a merge is most often wanted."""
    rows = store.conn.execute(
        """SELECT e.id, e.canonical, e.label,
                  (SELECT count(*) FROM entity_spellings t WHERE t.entity_id = e.id), 0, 0
           FROM entities e WHERE e.id != :e AND e.id IN (
             SELECT s.entity_id FROM entity_spellings s WHERE s.surname_key IN (
               SELECT surname_key FROM entity_spellings WHERE entity_id = :e
                 AND surname_key != ''))
           ORDER BY e.id LIMIT :limit""",
        {"e": entity_id, "limit": limit},
    )
    return [EntityLine(*row) for row in rows.fetchall()]


@dataclass(frozen=True)
class EntityMention:
    """A mention of an entity, or a quote by it, in its article: the article's title, the
    span and the sentence around it (offsets into the article's text)."""

    article_id: int
    title: str | None
    published: str | None
    start: int
    end: int
    text: str
    sentence: str  # the stored sentence holding the span, or the span alone
    sentence_start: int


def _sentence_rows(store: Store, sql: str, args: tuple[object, ...]) -> list[EntityMention]:
    rows = store.conn.execute(
        f"""WITH hit AS ({sql})
            SELECT hit.article_id, a.title, a.published, hit.start, hit."end", hit.text,
                   coalesce(substr(a.text, s.start + 1, s."end" - s.start), hit.text),
                   coalesce(s.start, hit.start)
            FROM hit JOIN articles a ON a.id = hit.article_id
            LEFT JOIN sentences s ON s.article_id = hit.article_id AND s.start = (
              SELECT max(t.start) FROM sentences t
              WHERE t.article_id = hit.article_id AND t.start <= hit.start)
            ORDER BY hit.article_id DESC, hit.start, hit.k""",
        args,
    )
    return [EntityMention(*row) for row in rows.fetchall()]


def entity_mentions(
    store: Store, entity_id: int, *, limit: int, offset: int = 0
) -> list[EntityMention]:
    """The entity's mentions, the most recently stored article first, each in its sentence."""
    return _sentence_rows(
        store,
        """SELECT m.id AS k, m.article_id, m.start, m."end", m.text FROM mentions m
           WHERE m.entity_id = ? ORDER BY m.article_id DESC, m.start LIMIT ? OFFSET ?""",
        (entity_id, limit, offset),
    )


def speaker_quotes(
    store: Store, entity_id: int, *, limit: int, offset: int = 0
) -> list[EntityMention]:
    """The quotes given to the entity as speaker, the most recently stored article first,
    each in its sentence."""
    return _sentence_rows(
        store,
        """SELECT q.id AS k, q.article_id, q.start, q."end", q.text FROM quotes q
           WHERE q.speaker_entity_id = ? ORDER BY q.article_id DESC, q.start
           LIMIT ? OFFSET ?""",
        (entity_id, limit, offset),
    )


# -- moving an entity's records (merges and splits) ---------------------------------------

# Where each kind of record names an entity, and the text it was written as.
_HOLDERS = (
    ("mentions", "entity_id", "text"),
    ("quotes", "speaker_entity_id", "speaker_text"),
    ("claims", "source_entity_id", "source_text"),
    ("events", "actor_entity_id", "actor"),
)


def entity_texts(store: Store, entity_id: int) -> set[str]:
    """Every text the entity's records are written as: mentions, speakers, sources, actors."""
    found: set[str] = set()
    for table, column, text in _HOLDERS:
        rows = store.conn.execute(
            f"SELECT DISTINCT {text} FROM {table} WHERE {column} = ? AND {text} IS NOT NULL",
            (entity_id,),
        )
        found.update(str(r[0]) for r in rows.fetchall())
    return found


def move_records(store: Store, source: int, target: int, texts: Sequence[str] | None) -> None:
    """Give ``target`` the records of ``source`` written as one of ``texts`` (all of its
    records when None), inside the caller's transaction."""
    if not store.conn.in_transaction:
        raise RuntimeError("move_records runs inside a transaction")
    for table, column, text in _HOLDERS:
        if texts is None:
            store.conn.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target, source)
            )
            continue
        for chunk in _chunks(texts):
            store.conn.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?"
                f" AND {text} IN ({','.join('?' * len(chunk))})",
                (target, source, *chunk),
            )


def move_spellings(store: Store, source: int, target: int, normals: Sequence[str] | None) -> None:
    """Give ``target`` the spellings of ``source`` of these normal forms (all when None)."""
    chosen = "" if normals is None else f" AND normal IN ({','.join('?' * len(normals))})"
    args = (source,) if normals is None else (source, *normals)
    store.conn.execute(
        f"""INSERT OR IGNORE INTO entity_spellings (entity_id, spelling, normal, surname_key)
            SELECT ?, spelling, normal, surname_key FROM entity_spellings
            WHERE entity_id = ?{chosen}""",
        (target, *args),
    )
    store.conn.execute(f"DELETE FROM entity_spellings WHERE entity_id = ?{chosen}", args)


def holders(store: Store, normal: str, labels: Sequence[str]) -> list[int]:
    """Entities of one of ``labels`` with a spelling of this normal form."""
    rows = store.conn.execute(
        f"""SELECT DISTINCT s.entity_id FROM entity_spellings s
            JOIN entities e ON e.id = s.entity_id
            WHERE s.normal = ? AND e.label IN ({",".join("?" * len(labels))}) ORDER BY 1""",
        (normal, *labels),
    )
    return [int(r[0]) for r in rows.fetchall()]


def drop_if_unused(store: Store, entity_id: int) -> bool:
    """Delete the entity if nothing names it any more (no record, no spelling)."""
    used = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = :e)" for table, column, _ in _HOLDERS
    )
    spelled = "EXISTS (SELECT 1 FROM entity_spellings WHERE entity_id = :e)"
    cur = store.conn.execute(
        f"DELETE FROM entities WHERE id = :e AND NOT ({used} OR {spelled})", {"e": entity_id}
    )
    return cur.rowcount > 0


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[k : k + size] for k in range(0, len(values), size)]
