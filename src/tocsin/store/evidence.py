"""Reading and writing the evidence tables (migration 0002), and shared canonical entities.

An article's evidence is replaced as a whole inside one savepoint. Its mention clusters are
resolved to canonical entities shared across articles: a cluster joins an entity of a
compatible label when one of the entity's spellings has the same normal form, or when the
names refer to the same referent (``names.same_referent``) among the entities whose
spellings share the cluster's surname key. The canonical name is the alias table's, else the
fullest spelling seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from tocsin.extract.names import name_key, normalise, same_referent
from tocsin.extract.records import Evidence, Mention
from tocsin.store.db import Store

_PLACES = ("GPE", "LOC")


def pending_articles(store: Store, *, redo: bool) -> Iterator[tuple[int, str, date | None]]:
    """(id, text, anchor date) of articles to extract: not yet extracted, or all.

    Only the ids are read up front; each text is read when its turn comes, so a large
    store is not held in memory, and the writes of the run do not disturb an open query.
    """
    where = "" if redo else "WHERE e.article_id IS NULL"
    ids = [
        int(row[0])
        for row in store.conn.execute(
            f"""SELECT a.id FROM articles a
                LEFT JOIN extractions e ON e.article_id = a.id {where} ORDER BY a.id"""
        )
    ]
    for article_id in ids:
        text, published = store.conn.execute(
            "SELECT text, published FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        yield article_id, text, date.fromisoformat(published) if published else None


def _clear(store: Store, article_id: int) -> None:
    for table in ("mentions", "quotes", "claims", "quantities", "date_mentions", "events"):
        store.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))


def _mark(store: Store, article_id: int, version: str, model: str, error: str | None) -> None:
    store.conn.execute(
        """INSERT INTO extractions(article_id, extractor_version, model, error)
           VALUES (?, ?, ?, ?)
           ON CONFLICT(article_id) DO UPDATE SET extractor_version = excluded.extractor_version,
             model = excluded.model, error = excluded.error,
             extracted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
        (article_id, version, model, error),
    )


def save_failure(store: Store, article_id: int, error: str, version: str, model: str) -> None:
    with store.transaction():
        _clear(store, article_id)
        _mark(store, article_id, version, model, error)


def save_evidence(
    store: Store, article_id: int, ev: Evidence, version: str, model: str
) -> dict[str, int]:
    """Replace the article's evidence with ``ev``; returns how many rows of each kind."""
    with store.transaction():
        _clear(store, article_id)
        ids = _resolve_clusters(store, ev.mentions)
        db = store.conn
        db.executemany(
            """INSERT INTO mentions(article_id, start, "end", text, label, entity_id)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(article_id, m.start, m.end, m.text, m.label, ids[m.key]) for m in ev.mentions],
        )
        db.executemany(
            """INSERT INTO quotes(article_id, start, "end", text, kind, cue, speaker_text,
                 speaker_start, speaker_end, speaker_entity_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (article_id, q.start, q.end, q.text, q.kind, q.cue, q.speaker_text,
                 q.speaker_start, q.speaker_end, ids.get(q.speaker_key or ""))
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
                 q.qualifier, q.measure, _group(store, q))
                for q in ev.quantities
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
                 target, category, date_start, date_end)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (article_id, e.start, e.end, e.text, e.actor, ids.get(e.actor_key or ""),
                 e.action, e.target, e.category,
                 e.date_start.isoformat() if e.date_start else None,
                 e.date_end.isoformat() if e.date_end else None)
                for e in ev.events
            ],
        )  # fmt: skip
        _mark(store, article_id, version, model, None)
    return {
        "mentions": len(ev.mentions),
        "entities": len(set(ids.values())),
        "quotes": len(ev.quotes),
        "claims": len(ev.claims),
        "quantities": len(ev.quantities),
        "dates": len(ev.dates),
        "events": len(ev.events),
    }


def _group(store: Store, q: Any) -> int | None:
    # measure_key lives with the spaCy-based figure reader: imported when evidence is
    # written, so that commands that only read the store do not load spaCy.
    from tocsin.extract.quantities import measure_key

    key = measure_key(q)
    if key is None:
        return None
    store.conn.execute("INSERT OR IGNORE INTO measure_groups(key) VALUES (?)", (key,))
    row = store.conn.execute("SELECT id FROM measure_groups WHERE key = ?", (key,)).fetchone()
    return int(row[0])


def surname_key(name: str) -> str:
    words = normalise(name).split()
    return name_key(words[-1]) if words else ""


def _resolve_clusters(store: Store, mentions: list[Mention]) -> dict[str, int]:
    """Cluster key -> canonical entity id, creating entities and spellings as needed."""
    clusters: dict[str, tuple[str, set[str]]] = {}
    for m in mentions:
        label, spellings = clusters.setdefault(m.key, (m.label, set()))
        spellings.add(m.text)
    ids = {}
    for key, (label, spellings) in clusters.items():
        entity_id = _find_entity(store, key, label, spellings)
        if entity_id is None:
            entity_id = int(
                store.conn.execute(
                    "INSERT INTO entities(canonical, label) VALUES (?, ?)", (key, label)
                ).lastrowid
                or 0
            )
        elif len(key.split()) > len(_canonical(store, entity_id).split()):
            store.conn.execute("UPDATE entities SET canonical = ? WHERE id = ?", (key, entity_id))
        store.conn.executemany(
            """INSERT OR IGNORE INTO entity_spellings(entity_id, spelling, normal, surname_key)
               VALUES (?, ?, ?, ?)""",
            [(entity_id, s, normalise(s), surname_key(s)) for s in {key, *spellings}],
        )
        ids[key] = entity_id
    return ids


def _canonical(store: Store, entity_id: int) -> str:
    row = store.conn.execute("SELECT canonical FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return str(row[0])


def _labels(label: str) -> tuple[str, ...]:
    return _PLACES if label in _PLACES else (label,)


def _find_entity(store: Store, key: str, label: str, spellings: set[str]) -> int | None:
    labels = _labels(label)
    marks = ",".join("?" * len(labels))
    normals = sorted({normalise(s) for s in {key, *spellings}})
    row = store.conn.execute(
        f"""SELECT s.entity_id FROM entity_spellings s JOIN entities e ON e.id = s.entity_id
            WHERE e.label IN ({marks}) AND s.normal IN ({",".join("?" * len(normals))})
            ORDER BY s.entity_id LIMIT 1""",
        (*labels, *normals),
    ).fetchone()
    if row is not None:
        return int(row[0])
    keys = sorted({surname_key(s) for s in {key, *spellings}} - {""})
    if not keys:
        return None
    candidates = store.conn.execute(
        f"""SELECT DISTINCT e.id, e.canonical FROM entity_spellings s
            JOIN entities e ON e.id = s.entity_id
            WHERE e.label IN ({marks}) AND s.surname_key IN ({",".join("?" * len(keys))})
            ORDER BY e.id""",
        (*labels, *keys),
    ).fetchall()
    for entity_id, canonical in candidates:
        if same_referent(canonical, key):
            return int(entity_id)
    return None


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
        """SELECT q.text, q.start, q."end", q.kind, q.cue, q.speaker_text, q.speaker_start,
                  q.speaker_end, e.canonical AS speaker, q.speaker_entity_id
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
        """SELECT text, start, "end", actor, action, target, category, date_start, date_end
           FROM events WHERE article_id = ? ORDER BY start"""
    )
    return {
        "entities": entities,
        "quotes": quotes,
        "claims": claims,
        "quantities": quantities,
        "dates": dates,
        "events": events,
    }


def entity_table(store: Store, limit: int | None = None) -> list[dict[str, Any]]:
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
        out.append(
            {
                "id": entity_id,
                "canonical": canonical,
                "label": label,
                "mentions": mentions,
                "articles": articles,
                "spellings": {str(s): int(n) for s, n in spellings},
            }
        )
    return out


def quote_table(store: Store, speaker: str | None = None) -> list[dict[str, Any]]:
    """Quotes with their speakers, optionally of one speaker (any spelling of the name)."""
    sql = """SELECT q.article_id, q.text, q.kind, q.cue, q.speaker_text, e.canonical, q.start
             FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id"""
    params: tuple[Any, ...] = ()
    if speaker:
        ids = [
            r[0]
            for r in store.conn.execute("SELECT id, canonical FROM entities").fetchall()
            if same_referent(r[1], speaker)
        ]
        ids += [
            r[0]
            for r in store.conn.execute(
                "SELECT DISTINCT entity_id FROM entity_spellings WHERE normal = ?",
                (normalise(speaker),),
            )
        ]
        params = tuple(sorted(set(ids)))
        sql += f" WHERE q.speaker_entity_id IN ({','.join('?' * len(params)) or 'NULL'})"
    sql += " ORDER BY q.article_id, q.start"
    return [
        {
            "article_id": a,
            "text": t,
            "kind": k,
            "cue": c,
            "speaker_text": st,
            "speaker": sp,
        }
        for a, t, k, c, st, sp, _ in store.conn.execute(sql, params).fetchall()
    ]


def extraction_counts(store: Store, version: str) -> dict[str, int]:
    """Articles extracted with this version, with an older one, failed, and not yet."""
    row = store.conn.execute(
        """SELECT
             sum(e.article_id IS NOT NULL AND e.error IS NULL AND e.extractor_version = ?),
             sum(e.article_id IS NOT NULL AND e.error IS NULL AND e.extractor_version != ?),
             sum(e.error IS NOT NULL),
             sum(e.article_id IS NULL)
           FROM articles a LEFT JOIN extractions e ON e.article_id = a.id""",
        (version, version),
    ).fetchone()
    return {
        "extracted": row[0] or 0,
        "stale": row[1] or 0,
        "failed": row[2] or 0,
        "pending": row[3] or 0,
    }
