"""The queries of the desk's entity pages, and the writes that move an entity's records
under another (the analysts' merges and splits).

Lists come a page at a time, and an entity named a million times costs a page what one
named 20,000 times does (``COUNTED_MENTIONS``). The store decides nothing: which spellings
a merge or a split moves, and where to, is the evidence layer's decision
(``tocsin.extract.overrides``); these are the reads it asks and the writes it orders,
inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.store.db import Store


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
