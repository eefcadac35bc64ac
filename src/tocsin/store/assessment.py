"""Queries of the assessment layer: evidence links, the analyst's decisions, resolutions
and recorded forecasts (migration 0003).

Links are recomputed as a whole per case; decisions are keyed by what a link points at
(article, span, indicator) so that they apply again to the recomputed links.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tocsin.assess.link import DecisionKey, Link
from tocsin.errors import ConfigError
from tocsin.store.db import Store

DECISIONS = ("accept", "reject", "relink")


def save_links(store: Store, case_id: str, links: Sequence[Link], version: str) -> None:
    """Replace the stored links of ``case_id`` with ``links`` in one transaction."""
    rows = [
        (
            case_id,
            link.unit.article.article_id,
            link.unit.start,
            link.unit.end,
            link.unit.text,
            link.indicator_id,
            link.polarity,
            link.score,
            link.method,
            link.reason,
            link.unit.kind,
            link.unit.status,
            link.source,
            link.source_key,
            link.reliability,
            link.credibility,
            link.unit.article.published.isoformat() if link.unit.article.published else None,
            version,
        )
        for link in links
    ]
    with store.transaction() as db:
        db.execute("DELETE FROM evidence_links WHERE case_id = ?", (case_id,))
        db.executemany(
            """INSERT OR IGNORE INTO evidence_links (case_id, article_id, start, "end", text,
                 indicator_id, polarity, score, method, reason, kind, status, source,
                 source_key, reliability, credibility, published, linker_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


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


def decisions(store: Store, case_id: str) -> dict[DecisionKey, dict[str, Any]]:
    rows = store.conn.execute(
        """SELECT article_id, start, "end", indicator_id, decision, new_indicator, polarity
           FROM link_decisions WHERE case_id = ?""",
        (case_id,),
    ).fetchall()
    return {(r[0], r[1], r[2], r[3]): dict(r) for r in rows}


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
        """SELECT article_id, start, "end", indicator_id FROM evidence_links
           WHERE case_id = ? AND id = ?""",
        (case_id, link_id),
    ).fetchone()
    if row is None:
        raise ConfigError(f"no link {link_id} in case {case_id!r} (see `tocsin evidence list`)")
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO link_decisions (case_id, article_id, start, "end",
                 indicator_id, decision, new_indicator, polarity, analyst, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (case_id, *tuple(row), decision, new_indicator, polarity, analyst, note),
        )
    return {"link": link_id, "decision": decision, "indicator": new_indicator or row[3]}


def record_resolution(
    store: Store, case_id: str, question_id: str, outcome: str, resolved_on: date, note: str = ""
) -> None:
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO resolutions (case_id, question_id, outcome, resolved_on,
                 note) VALUES (?, ?, ?, ?, ?)""",
            (case_id, question_id, outcome, resolved_on.isoformat(), note),
        )


def resolutions(store: Store, case_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM resolutions" + (" WHERE case_id = ?" if case_id else "")
    rows = store.conn.execute(sql + " ORDER BY case_id, question_id", (case_id,) if case_id else ())
    return [dict(r) for r in rows.fetchall()]


def record_forecasts(
    store: Store, rows: Sequence[tuple[str, str, date, str, dict[str, float]]]
) -> None:
    """Keep forecasts (case, question, as of, method, probabilities); the same key replaces."""
    with store.transaction() as db:
        db.executemany(
            """INSERT OR REPLACE INTO forecasts (case_id, question_id, as_of, method,
                 probabilities) VALUES (?, ?, ?, ?, ?)""",
            [(c, q, d.isoformat(), m, json.dumps(p, sort_keys=True)) for c, q, d, m, p in rows],
        )


def forecasts(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT * FROM forecasts ORDER BY case_id, question_id, as_of, method"
    ).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["probabilities"] = json.loads(item["probabilities"])
        out.append(item)
    return out
