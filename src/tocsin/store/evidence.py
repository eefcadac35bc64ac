"""Reading and writing the evidence tables (migration 0002) and the canonical entities.

The store decides nothing here: which entity a cluster of mentions joins, or which
entities a speaker's name refers to, is the evidence layer's decision
(``tocsin.extract.resolve``); these are the queries it asks and the writes it orders.
``write_evidence`` runs inside the caller's transaction, so that resolving an article's
entities and writing its evidence commit together.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from tocsin.models import ExtractionFailure
from tocsin.models.evidence import (
    ArticleText,
    EntityName,
    EntitySummary,
    EventRow,
    Evidence,
    ExtractionState,
    FigureRow,
    NotExtracted,
    QuoteRow,
    SpanFact,
    SpanRecord,
    Spelling,
)
from tocsin.store.db import Store
from tocsin.text import Sentence

# The model recorded for an article no pipeline read (extractions.model is never null).
NO_PIPELINE = "none"


def pending_articles(
    store: Store, *, redo: bool, only: Collection[int] | None = None
) -> Iterator[ArticleText]:
    """Articles to extract: those never tried (a failed one is skipped), or all; of
    ``only`` when given.

    Only the ids are read up front; each text is read when its turn comes, so a large
    store is not held in memory, and the writes of the run do not disturb an open query.
    """
    ids = unextracted(store, redo=redo)
    if only is not None:
        ids = [i for i in ids if i in only]
    for article_id in ids:
        text, published, language = store.conn.execute(
            "SELECT text, published, language FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        day = date.fromisoformat(published) if published else None
        yield ArticleText(article_id, text, day, language)


def unextracted(store: Store, *, redo: bool = False) -> list[int]:
    """The ids of the articles extraction never tried (all of them with ``redo``), in
    order."""
    where = "" if redo else "WHERE e.article_id IS NULL"
    return [
        int(row[0])
        for row in store.conn.execute(
            f"""SELECT a.id FROM articles a
                LEFT JOIN extractions e ON e.article_id = a.id {where} ORDER BY a.id"""
        )
    ]


def extracted_through(store: Store, after: int) -> int:
    """The highest article id, from ``after`` on, up to which every article was tried by
    extraction (``after`` itself when the next one was not)."""
    row = store.conn.execute(
        """SELECT min(a.id) FROM articles a LEFT JOIN extractions e ON e.article_id = a.id
           WHERE a.id > ? AND e.article_id IS NULL""",
        (after,),
    ).fetchone()
    if row[0] is not None:
        return int(row[0]) - 1
    newest = store.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    return max(after, int(newest or 0))


def _clear(store: Store, article_id: int) -> None:
    tables = ("mentions", "quotes", "claims", "quantities", "date_mentions", "events", "sentences")
    for table in tables:
        store.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))


def _mark(
    store: Store,
    article_id: int,
    version: str,
    model: str,
    error: str | None,
    skipped: str | None = None,
) -> None:
    store.conn.execute(
        """INSERT INTO extractions(article_id, extractor_version, model, error, skipped)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(article_id) DO UPDATE SET extractor_version = excluded.extractor_version,
             model = excluded.model, error = excluded.error, skipped = excluded.skipped,
             extracted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
        (article_id, version, model, error, skipped),
    )


def _write_sentences(store: Store, article_id: int, sentences: Iterable[Sentence]) -> None:
    store.conn.executemany(
        'INSERT INTO sentences(article_id, start, "end", paragraph) VALUES (?, ?, ?, ?)',
        [(article_id, s.start, s.end, s.paragraph) for s in sentences],
    )


def save_failure(store: Store, article_id: int, error: str, version: str, model: str) -> None:
    with store.transaction():
        _clear(store, article_id)
        _mark(store, article_id, version, model, error)


def save_not_extracted(store: Store, article_id: int, skipped: NotExtracted, version: str) -> None:
    """Mark an article no pipeline reads, with the reason, keeping only its sentences."""
    with store.transaction():
        _clear(store, article_id)
        _write_sentences(store, article_id, skipped.sentences)
        _mark(store, article_id, version, NO_PIPELINE, None, skipped.reason)


def write_evidence(
    store: Store,
    article_id: int,
    ev: Evidence,
    entity_ids: Mapping[str, int],
    groups: Sequence[str | None],
    version: str,
    model: str,
) -> None:
    """Replace the article's evidence with ``ev``, inside the caller's transaction.

    ``entity_ids`` gives the canonical entity of each mention cluster key; ``groups`` the
    measure group key of each of ``ev.quantities`` (None: in no group).
    """
    if not store.conn.in_transaction:
        raise RuntimeError("write_evidence runs inside a transaction")
    _clear(store, article_id)
    ids = entity_ids
    db = store.conn
    group_ids = [_group(store, key) for key in groups]
    db.executemany(
        """INSERT INTO mentions(article_id, start, "end", text, label, entity_id)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(article_id, m.start, m.end, m.text, m.label, ids[m.key]) for m in ev.mentions],
    )
    db.executemany(
        """INSERT INTO quotes(article_id, start, "end", text, kind, cue, speaker_text,
             speaker_start, speaker_end, speaker_entity_id, reports, source_kind)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (article_id, q.start, q.end, q.text, q.kind, q.cue, q.speaker_text,
             q.speaker_start, q.speaker_end, ids.get(q.speaker_key or ""), q.reports,
             q.source_kind)
            for q in ev.quotes
        ],
    )  # fmt: skip
    db.executemany(
        """INSERT INTO claims(article_id, start, "end", text, status, source_entity_id,
             source_text, source_chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (article_id, c.start, c.end, c.text, c.status, ids.get(c.source_key or ""),
             c.source_text, json.dumps(list(c.source_chain), ensure_ascii=False))
            for c in ev.claims
        ],
    )  # fmt: skip
    db.executemany(
        """INSERT INTO quantities(article_id, start, "end", text, value, low, high, unit,
             qualifier, measure, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (article_id, q.start, q.end, q.text, q.value, q.low, q.high, q.unit,
             q.qualifier, q.measure, group)
            for q, group in zip(ev.quantities, group_ids, strict=True)
        ],
    )  # fmt: skip
    db.executemany(
        """INSERT INTO date_mentions(article_id, start, "end", text, date_start, date_end)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [
            (article_id, d.start, d.end, d.text, d.date_start.isoformat(),
             d.date_end.isoformat())
            for d in ev.dates
        ],
    )  # fmt: skip
    db.executemany(
        """INSERT INTO events(article_id, start, "end", text, actor, actor_entity_id, action,
             target, category, date_start, date_end, mode, action_category)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (article_id, e.start, e.end, e.text, e.actor, ids.get(e.actor_key or ""),
             e.action, e.target, e.category,
             e.date_start.isoformat() if e.date_start else None,
             e.date_end.isoformat() if e.date_end else None, e.mode, e.action_category)
            for e in ev.events
        ],
    )  # fmt: skip
    _write_sentences(store, article_id, ev.sentences)
    _mark(store, article_id, version, model, None)


def sentences(store: Store, article_id: int) -> list[Sentence]:
    """The article's sentences as extraction found them (none before it is extracted)."""
    rows = store.conn.execute(
        'SELECT start, "end", paragraph FROM sentences WHERE article_id = ? ORDER BY start',
        (article_id,),
    )
    return [Sentence(*row) for row in rows.fetchall()]


def _group(store: Store, key: str | None) -> int | None:
    if key is None:
        return None
    store.conn.execute("INSERT OR IGNORE INTO measure_groups(key) VALUES (?)", (key,))
    row = store.conn.execute("SELECT id FROM measure_groups WHERE key = ?", (key,)).fetchone()
    return int(row[0])


# -- canonical entities -------------------------------------------------------------------


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def entity_by_spelling(store: Store, labels: Sequence[str], normals: Sequence[str]) -> int | None:
    """The first entity of one of ``labels`` with a spelling of one of these normal forms."""
    if not labels or not normals:
        return None
    row = store.conn.execute(
        f"""SELECT s.entity_id FROM entity_spellings s JOIN entities e ON e.id = s.entity_id
            WHERE e.label IN ({_marks(labels)}) AND s.normal IN ({_marks(normals)})
            ORDER BY s.entity_id LIMIT 1""",
        (*labels, *normals),
    ).fetchone()
    return None if row is None else int(row[0])


def entity_by_canonical(store: Store, canonical: str, labels: Sequence[str]) -> int | None:
    """The entity named ``canonical``: of one of ``labels`` if there is one, else of any."""
    row = store.conn.execute(
        f"""SELECT id FROM entities WHERE canonical = ?
            ORDER BY label IN ({_marks(labels)}) DESC, id LIMIT 1""",
        (canonical, *labels),
    ).fetchone()
    return None if row is None else int(row[0])


def entities_by_surname(
    store: Store, labels: Sequence[str], keys: Sequence[str]
) -> list[EntityName]:
    """Entities of one of ``labels`` with a spelling whose surname key is one of ``keys``."""
    if not labels or not keys:
        return []
    rows = store.conn.execute(
        f"""SELECT DISTINCT e.id, e.canonical, e.label FROM entity_spellings s
            JOIN entities e ON e.id = s.entity_id
            WHERE e.label IN ({_marks(labels)}) AND s.surname_key IN ({_marks(keys)})
            ORDER BY e.id""",
        (*labels, *keys),
    ).fetchall()
    return [EntityName(int(r[0]), r[1], r[2]) for r in rows]


def add_entity(store: Store, canonical: str, label: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO entities(canonical, label) VALUES (?, ?)", (canonical, label)
    )
    return int(cur.lastrowid or 0)


def entity(store: Store, entity_id: int) -> EntityName | None:
    row = store.conn.execute(
        "SELECT id, canonical, label FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    return None if row is None else EntityName(int(row[0]), row[1], row[2])


def rename_entity(store: Store, entity_id: int, canonical: str) -> None:
    store.conn.execute("UPDATE entities SET canonical = ? WHERE id = ?", (canonical, entity_id))


def add_spellings(store: Store, entity_id: int, spellings: Iterable[Spelling]) -> None:
    store.conn.executemany(
        """INSERT OR IGNORE INTO entity_spellings(entity_id, spelling, normal, surname_key)
           VALUES (?, ?, ?, ?)""",
        [(entity_id, s.text, s.normal, s.surname_key) for s in spellings],
    )


def entity_names(store: Store) -> list[EntityName]:
    rows = store.conn.execute("SELECT id, canonical, label FROM entities ORDER BY id")
    return [EntityName(int(r[0]), r[1], r[2]) for r in rows.fetchall()]


def entities_with_normal(store: Store, normal: str) -> list[int]:
    rows = store.conn.execute(
        "SELECT DISTINCT entity_id FROM entity_spellings WHERE normal = ?", (normal,)
    )
    return [int(r[0]) for r in rows.fetchall()]


def article_evidence(store: Store, article_id: int) -> dict[str, list[dict[str, Any]]]:
    """The export's evidence fields for one article (docs/formats.md)."""
    db = store.conn

    def rows(sql: str) -> list[dict[str, Any]]:
        cursor = db.execute(sql, (article_id,))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    entities = rows(
        """SELECT m.text, m.label, m.start, m."end", m.entity_id, e.canonical
           FROM mentions m JOIN entities e ON e.id = m.entity_id
           WHERE m.article_id = ? ORDER BY m.start"""
    )
    quotes = rows(
        """SELECT q.text, q.start, q."end", q.kind, q.reports, q.source_kind, q.cue,
                  q.speaker_text, q.speaker_start, q.speaker_end, e.canonical AS speaker,
                  q.speaker_entity_id
           FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id
           WHERE q.article_id = ? ORDER BY q.start"""
    )
    claims = rows(
        """SELECT c.text, c.start, c."end", c.status, e.canonical AS source, c.source_text,
                  c.source_chain
           FROM claims c LEFT JOIN entities e ON e.id = c.source_entity_id
           WHERE c.article_id = ? ORDER BY c.start"""
    )
    for claim in claims:
        claim["source_chain"] = json.loads(claim["source_chain"])
        if claim["source"] is None:
            claim["source"] = claim["source_text"]
        del claim["source_text"]
    quantities = rows(
        """SELECT text, start, "end", value, low, high, unit, qualifier, measure, group_id
           FROM quantities WHERE article_id = ? ORDER BY start"""
    )
    dates = rows(
        """SELECT text, start, "end", date_start, date_end FROM date_mentions
           WHERE article_id = ? ORDER BY start"""
    )
    events = rows(
        """SELECT text, start, "end", actor, action, target, category, mode, action_category,
                  date_start, date_end FROM events WHERE article_id = ? ORDER BY start"""
    )
    return {
        "entities": entities,
        "quotes": quotes,
        "claims": claims,
        "quantities": quantities,
        "dates": dates,
        "events": events,
    }


def entity_table(store: Store, limit: int | None = None) -> list[EntitySummary]:
    """Canonical entities by mention count, with their spellings and article counts."""
    rows = store.conn.execute(
        f"""SELECT e.id, e.canonical, e.label, count(m.id) AS mentions,
                  count(DISTINCT m.article_id) AS articles
           FROM entities e JOIN mentions m ON m.entity_id = e.id
           GROUP BY e.id ORDER BY mentions DESC, e.canonical
           {"LIMIT ?" if limit else ""}""",
        (limit,) if limit else (),
    ).fetchall()
    out = []
    for entity_id, canonical, label, mentions, articles in rows:
        spellings = store.conn.execute(
            """SELECT text, count(*) FROM mentions WHERE entity_id = ?
               GROUP BY text ORDER BY count(*) DESC, text""",
            (entity_id,),
        ).fetchall()
        found = {str(s): int(n) for s, n in spellings}
        out.append(EntitySummary(entity_id, canonical, label, mentions, articles, found))
    return out


def quote_table(store: Store, speakers: Sequence[int] | None = None) -> list[QuoteRow]:
    """Quotes with their speakers, by article; only those of the ``speakers`` entity ids
    when given."""
    sql = """SELECT q.article_id, q.text, q.kind, q.cue, q.speaker_text, e.canonical
             FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id"""
    params: tuple[int, ...] = ()
    if speakers is not None:
        params = tuple(sorted(set(speakers)))
        sql += f" WHERE q.speaker_entity_id IN ({_marks(params) or 'NULL'})"
    sql += " ORDER BY q.article_id, q.start"
    return [QuoteRow(*row) for row in store.conn.execute(sql, params).fetchall()]


def grouped_figures(store: Store) -> list[FigureRow]:
    """Every figure that belongs to a measure group, by group, article and place."""
    rows = store.conn.execute(
        """SELECT q.article_id, q.start, q."end", q.text, q.value, q.low, q.high, q.unit,
                  q.qualifier, q.measure, g.key
           FROM quantities q JOIN measure_groups g ON g.id = q.group_id
           ORDER BY g.key, q.article_id, q.start"""
    ).fetchall()
    return [FigureRow(*row) for row in rows]


def dated_events(store: Store) -> list[EventRow]:
    """Every event with a date, in date order."""
    rows = store.conn.execute(
        """SELECT article_id, start, "end", text, actor, action, target, category, date_start,
                  date_end, mode, action_category FROM events WHERE date_start IS NOT NULL
           ORDER BY date_start, article_id, start"""
    ).fetchall()
    return [
        EventRow(
            row["article_id"], row["start"], row["end"], row["text"], row["actor"],
            row["action"], row["target"], row["category"], date.fromisoformat(row["date_start"]),
            _day(row["date_end"]), row["mode"], row["action_category"],
        )
        for row in rows
    ]  # fmt: skip


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def span_records(store: Store, article_id: int) -> list[SpanRecord]:
    """The article's quotes (with speakers), claims (with status and source chain) and
    events (with their modes), as spans of its text."""
    db = store.conn
    out: list[SpanRecord] = []
    for row in db.execute(
        """SELECT q.start, q."end", e.canonical AS speaker, q.speaker_text FROM quotes q
           LEFT JOIN entities e ON e.id = q.speaker_entity_id WHERE q.article_id = ?""",
        (article_id,),
    ):
        source = row["speaker"] or row["speaker_text"]
        out.append(SpanRecord("quote", row[0], row[1], None, source, (source,) if source else ()))
    for row in db.execute(
        """SELECT c.start, c."end", c.status, c.source_chain, e.canonical, c.source_text
           FROM claims c LEFT JOIN entities e ON e.id = c.source_entity_id
           WHERE c.article_id = ?""",
        (article_id,),
    ):
        chain = tuple(_json_list(row["source_chain"])) or tuple(
            n for n in (row["canonical"] or row["source_text"],) if n
        )
        source = chain[-1] if chain else None
        out.append(SpanRecord("claim", row[0], row[1], row["status"], source, chain))
    for row in db.execute(
        'SELECT start, "end", mode FROM events WHERE article_id = ?', (article_id,)
    ):
        out.append(SpanRecord("event", row[0], row[1], mode=row["mode"]))
    return out


# Figures below this are too common ("two people", "three times") to tell events apart.
MIN_TELLING_FIGURE = 10


def span_facts(store: Store, articles: Iterable[int] | None = None) -> list[SpanFact]:
    """What tells one event from another, in every article (or in ``articles`` only):
    entity mentions by canonical name, figures of at least ``MIN_TELLING_FIGURE`` (value
    and unit), and the single days the text names; by article and place."""
    db = store.conn
    # One JSON array parameter names the articles, however many (json_each is a table).
    within = ""
    chosen: tuple[str, ...] = ()
    if articles is not None:
        within = " AND {} IN (SELECT value FROM json_each(?))"
        chosen = (json.dumps(sorted(set(articles))),)
    out = [
        SpanFact(row[0], row[1], row[2], "entity", row[3])
        for row in db.execute(
            """SELECT m.article_id, m.start, m."end", e.canonical FROM mentions m
               JOIN entities e ON e.id = m.entity_id WHERE 1"""
            + within.format("m.article_id"),
            chosen,
        )
    ]
    for article_id, start, end, value, unit in db.execute(
        """SELECT article_id, start, "end", value, unit FROM quantities
           WHERE value IS NOT NULL AND abs(value) >= ?"""
        + within.format("article_id"),
        (MIN_TELLING_FIGURE, *chosen),
    ):
        amount = f"{float(value):g}"
        out.append(
            SpanFact(article_id, start, end, "figure", f"{amount} {unit}" if unit else amount)
        )
    out += [
        SpanFact(row[0], row[1], row[2], "day", row[3])
        for row in db.execute(
            """SELECT article_id, start, "end", date_start FROM date_mentions
               WHERE date_start = date_end"""
            + within.format("article_id"),
            chosen,
        )
    ]
    out.sort(key=lambda f: (f.article_id, f.start, f.end, f.kind, f.value))
    return out


def _json_list(value: str | None) -> list[str]:
    loaded = json.loads(value or "[]")
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def extraction_failures(store: Store) -> list[ExtractionFailure]:
    """Articles whose extraction failed, with the reason, in article order."""
    rows = store.conn.execute(
        """SELECT e.article_id, a.title, e.error, e.extracted_at FROM extractions e
           JOIN articles a ON a.id = e.article_id WHERE e.error IS NOT NULL
           ORDER BY e.article_id"""
    )
    return [ExtractionFailure(*row) for row in rows.fetchall()]


def extraction_counts(store: Store, version: str) -> dict[str, int]:
    """Articles extracted with this version, with an older one, failed, not extracted (no
    pipeline for their language), and not tried yet."""
    row = store.conn.execute(
        """SELECT
             sum(e.error IS NULL AND e.skipped IS NULL AND e.extractor_version = ?),
             sum(e.error IS NULL AND e.skipped IS NULL AND e.extractor_version != ?),
             sum(e.error IS NOT NULL),
             sum(e.skipped IS NOT NULL),
             sum(e.article_id IS NULL)
           FROM articles a LEFT JOIN extractions e ON e.article_id = a.id""",
        (version, version),
    ).fetchone()
    return {
        "extracted": row[0] or 0,
        "stale": row[1] or 0,
        "failed": row[2] or 0,
        "not_extracted": row[3] or 0,
        "pending": row[4] or 0,
    }


def not_extracted_counts(store: Store) -> dict[str, int]:
    """How many articles are not extracted, by reason ('language hr': 3), most first."""
    rows = store.conn.execute(
        """SELECT skipped, count(*) FROM extractions WHERE skipped IS NOT NULL
           GROUP BY skipped ORDER BY count(*) DESC, skipped"""
    )
    return {str(reason): int(n) for reason, n in rows.fetchall()}


def extraction_state(store: Store, article_id: int) -> ExtractionState:
    """Where one article stands with the evidence layer."""
    row = store.conn.execute(
        "SELECT extractor_version, model, error, skipped FROM extractions WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return ExtractionState("pending")
    version, model, error, skipped = row
    if error is not None:
        return ExtractionState("failed", model, error, version)
    if skipped is not None:
        return ExtractionState("not extracted", None, skipped, version)
    return ExtractionState("extracted", model, None, version)
