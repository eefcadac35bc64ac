"""Queries of the assessment layer: evidence links, the analyst's decisions, resolutions
and recorded forecasts (migration 0003).

Links are recomputed per case; decisions are keyed by what a link points at (article,
span, indicator) so that they apply again to the recomputed links.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from tocsin.assess.link import Link
from tocsin.assess.track import Forecast
from tocsin.errors import ConfigError
from tocsin.store.db import Store

DECISIONS = ("accept", "reject", "relink")


# The columns of a link besides its key (case, article, start, end, indicator) and id.
_FIELDS = (
    "text", "polarity", "score", "method", "reason", "kind", "status", "source",
    "source_key", "reliability", "credibility", "published", "linker_version",
)  # fmt: skip
Key = tuple[int, int, int, str]  # article, start, end, indicator


def link_fields(link: Link, version: str) -> dict[str, Any]:
    published = link.unit.article.published
    return {
        "text": link.unit.text,
        "polarity": link.polarity,
        "score": link.score,
        "method": link.method,
        "reason": link.reason,
        "kind": link.unit.kind,
        "status": link.unit.status,
        "source": link.source,
        "source_key": link.source_key,
        "reliability": link.reliability,
        "credibility": link.credibility,
        "published": published.isoformat() if published else None,
        "linker_version": version,
    }


LinkState = tuple[str, str, str, int]  # case hash, linker version, embedder, last article


def save_links(
    store: Store,
    case_id: str,
    links: Sequence[Link],
    version: str,
    state: LinkState | None = None,
    kept: Mapping[Key, dict[str, Any]] | None = None,
) -> None:
    """Make ``links`` the stored links of ``case_id``, in one transaction.

    A link the linker makes again keeps its id; links it no longer makes are deleted,
    except the ``kept`` ones (fields by key: the analyst's, rebuilt by the caller). Ids are
    never reused (AUTOINCREMENT), so a stale id finds nothing. ``state`` is recorded in
    ``link_runs``.
    """
    wanted: dict[Key, dict[str, Any]] = {}
    for link in links:
        u = link.unit
        wanted[(u.article.article_id, u.start, u.end, link.indicator_id)] = link_fields(
            link, version
        )
    for key, fields in (kept or {}).items():
        wanted.setdefault(key, fields)
    with store.transaction() as db:
        existing = {
            (r[1], r[2], r[3], r[4]): r[0]
            for r in db.execute(
                """SELECT id, article_id, start, "end", indicator_id FROM evidence_links
                   WHERE case_id = ?""",
                (case_id,),
            )
        }
        gone = [(existing[k],) for k in existing.keys() - wanted.keys()]
        db.executemany("DELETE FROM evidence_links WHERE id = ?", gone)
        sets = ", ".join(f"{f} = ?" for f in _FIELDS)
        for key, fields in wanted.items():
            values = [fields[f] for f in _FIELDS]
            if key in existing:
                db.execute(
                    f"UPDATE evidence_links SET {sets} WHERE id = ?", [*values, existing[key]]
                )
            else:
                db.execute(
                    f"""INSERT INTO evidence_links (case_id, article_id, start, "end",
                          indicator_id, {", ".join(_FIELDS)})
                        VALUES (?, ?, ?, ?, ?, {", ".join("?" * len(_FIELDS))})""",
                    [case_id, *key, *values],
                )
        if state is not None:
            db.execute(
                """INSERT OR REPLACE INTO link_runs (case_id, case_hash, linker_version,
                     embedder, last_article) VALUES (?, ?, ?, ?, ?)""",
                (case_id, *state),
            )


def kept_decisions(store: Store, case_id: str) -> dict[Key, dict[str, Any]]:
    """The links the analyst accepted or relinked, as they were when decided (by key)."""
    out: dict[Key, dict[str, Any]] = {}
    for row in store.conn.execute(
        """SELECT article_id, start, "end", indicator_id, snapshot FROM link_decisions
           WHERE case_id = ? AND decision IN ('accept', 'relink')""",
        (case_id,),
    ):
        snapshot = json.loads(row["snapshot"] or "{}")
        if all(f in snapshot for f in _FIELDS):
            out[(row[0], row[1], row[2], row[3])] = {f: snapshot[f] for f in _FIELDS}
    return out


def link_state(store: Store, case_id: str) -> LinkState | None:
    """What the case's last linking run was made from (see ``save_links``), if any."""
    row = store.conn.execute(
        """SELECT case_hash, linker_version, embedder, last_article FROM link_runs
           WHERE case_id = ?""",
        (case_id,),
    ).fetchone()
    return (row[0], row[1], row[2], int(row[3])) if row else None


def last_article(store: Store) -> int:
    """The highest article id: links made before a later article arrived are stale."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])


def link_rows(store: Store, case_id: str) -> list[dict[str, Any]]:
    """The stored links of a case with the analyst's decision on each, in text order."""
    cursor = store.conn.execute(
        """SELECT l.*, d.decision, d.new_indicator, d.polarity AS decided_polarity,
                  d.analyst, d.note
           FROM evidence_links l LEFT JOIN link_decisions d
             ON d.case_id = l.case_id AND d.article_id = l.article_id AND d.start = l.start
            AND d."end" = l."end" AND d.indicator_id = l.indicator_id
           WHERE l.case_id = ? ORDER BY l.published, l.article_id, l.start, l.indicator_id""",
        (case_id,),
    )
    return [dict(row) for row in cursor.fetchall()]


def decide(
    store: Store,
    case_id: str,
    link_id: int,
    decision: str,
    *,
    new_indicator: str | None = None,
    polarity: str | None = None,
    analyst: str = "analyst",
    note: str = "",
) -> dict[str, Any]:
    """Record the analyst's decision on stored link ``link_id``; it outlives recomputation."""
    if decision not in DECISIONS:
        raise ConfigError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if decision == "relink" and not new_indicator:
        raise ConfigError("relink needs the indicator to link to")
    row = store.conn.execute(
        "SELECT * FROM evidence_links WHERE case_id = ? AND id = ?", (case_id, link_id)
    ).fetchone()
    if row is None:
        raise ConfigError(f"no link {link_id} in case {case_id!r} (see `tocsin evidence list`)")
    key = (row["article_id"], row["start"], row["end"], row["indicator_id"])
    snapshot = json.dumps({f: row[f] for f in _FIELDS}, ensure_ascii=False)
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO link_decisions (case_id, article_id, start, "end",
                 indicator_id, decision, new_indicator, polarity, analyst, note, snapshot)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (case_id, *key, decision, new_indicator, polarity, analyst, note, snapshot),
        )
    return {"link": link_id, "decision": decision, "indicator": new_indicator or key[3]}


def record_resolution(
    store: Store,
    case_id: str,
    question_id: str,
    outcome: str,
    resolved_on: date,
    note: str = "",
    origin: str = "resolve",
) -> None:
    """What happened; ``origin`` 'case' marks an outcome copied from the case file."""
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO resolutions (case_id, question_id, outcome, resolved_on,
                 note, origin) VALUES (?, ?, ?, ?, ?, ?)""",
            (case_id, question_id, outcome, resolved_on.isoformat(), note, origin),
        )


def forget_case_outcomes(store: Store, case_id: str, keep: set[str]) -> None:
    """Drop outcomes copied from the case file for questions it no longer resolves."""
    with store.transaction() as db:
        for (question_id,) in db.execute(
            "SELECT question_id FROM resolutions WHERE case_id = ? AND origin = 'case'",
            (case_id,),
        ).fetchall():
            if question_id not in keep:
                db.execute(
                    "DELETE FROM resolutions WHERE case_id = ? AND question_id = ?",
                    (case_id, question_id),
                )


def resolutions(store: Store, case_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM resolutions" + (" WHERE case_id = ?" if case_id else "")
    rows = store.conn.execute(sql + " ORDER BY case_id, question_id", (case_id,) if case_id else ())
    return [dict(r) for r in rows.fetchall()]


def record_forecasts(store: Store, case_id: str, rows: Sequence[Forecast]) -> None:
    """Make ``rows`` (case, question, as of, method, probabilities, deadline) the case's
    forecasts: those of an earlier assessment of the case are replaced as a set."""
    with store.transaction() as db:
        db.execute("DELETE FROM forecasts WHERE case_id = ?", (case_id,))
        db.executemany(
            """INSERT OR REPLACE INTO forecasts (case_id, question_id, as_of, method,
                 probabilities, deadline) VALUES (?, ?, ?, ?, ?, ?)""",
            [
                (c, q, d.isoformat(), m, json.dumps(p, sort_keys=True), end.isoformat())
                for c, q, d, m, p, end in rows
            ],
        )


def forecasts(store: Store) -> list[Forecast]:
    """Every recorded forecast, as (case, question, as of, method, probabilities, deadline)."""
    rows = store.conn.execute(
        "SELECT * FROM forecasts ORDER BY case_id, question_id, as_of, method"
    ).fetchall()
    return [
        (
            r["case_id"],
            r["question_id"],
            date.fromisoformat(r["as_of"]),
            r["method"],
            json.loads(r["probabilities"]),
            date.fromisoformat(r["deadline"]),
        )
        for r in rows
    ]


def cached_vectors(
    store: Store, keys: Sequence[tuple[int, int, int]], model: str
) -> dict[tuple[int, int, int], np.ndarray]:
    """The stored float32 vectors of those (article, start, end) keys that have one."""
    found: dict[tuple[int, int, int], np.ndarray] = {}
    wanted = set(keys)
    for article_id in sorted({k[0] for k in wanted}):
        rows = store.conn.execute(
            """SELECT start, "end", vector FROM sentence_embeddings
               WHERE article_id = ? AND model = ?""",
            (article_id, model),
        )
        for start, end, blob in rows:
            key = (article_id, start, end)
            if key in wanted:
                found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    return found


def store_vectors(
    store: Store, vectors: Mapping[tuple[int, int, int], np.ndarray], model: str
) -> None:
    """Keep sentence vectors (as float16) for the next linking run."""
    with store.transaction() as db:
        db.executemany(
            """INSERT OR REPLACE INTO sentence_embeddings (article_id, start, "end", model,
                 vector) VALUES (?, ?, ?, ?, ?)""",
            [(*key, model, v.astype(np.float16).tobytes()) for key, v in vectors.items()],
        )
