"""Tables of the assessment layer (migration 0003): evidence links, the analyst's decisions,
resolutions, recorded forecasts and cached sentence vectors.

Links are recomputed per case; decisions are keyed by what a link points at (article,
span, indicator) so that they apply again to the recomputed links.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from tocsin.errors import InvalidInput, NotFound
from tocsin.models import Article
from tocsin.models.assessment import (
    DECISIONS,
    Forecast,
    LinkFields,
    LinkKey,
    LinkRow,
    LinkState,
    Resolution,
)
from tocsin.store.db import Store
from tocsin.store.desk import write_log as audit

_FIELDS = tuple(f.name for f in fields(LinkFields))


def save_links(
    store: Store,
    case_id: str,
    wanted: Mapping[LinkKey, LinkFields],
    state: LinkState | None = None,
) -> None:
    """Make ``wanted`` the stored links of ``case_id``, in one transaction.

    A link made again keeps its id; links no longer wanted are deleted. Ids are never
    reused (AUTOINCREMENT), so a stale id finds nothing. ``state`` is recorded in
    ``link_runs``.
    """
    with store.transaction() as db:
        existing = {
            LinkKey(r[1], r[2], r[3], r[4]): r[0]
            for r in db.execute(
                """SELECT id, article_id, start, "end", indicator_id FROM evidence_links
                   WHERE case_id = ?""",
                (case_id,),
            )
        }
        gone = [(existing[k],) for k in existing.keys() - wanted.keys()]
        db.executemany("DELETE FROM evidence_links WHERE id = ?", gone)
        sets = ", ".join(f"{f} = ?" for f in _FIELDS)
        for key, link in wanted.items():
            values = [getattr(link, f) for f in _FIELDS]
            if key in existing:
                db.execute(
                    f"UPDATE evidence_links SET {sets} WHERE id = ?", [*values, existing[key]]
                )
                continue
            db.execute(
                f"""INSERT INTO evidence_links (case_id, article_id, start, "end",
                      indicator_id, {", ".join(_FIELDS)})
                    VALUES (?, ?, ?, ?, ?, {", ".join("?" * len(_FIELDS))})""",
                [case_id, key.article_id, key.start, key.end, key.indicator_id, *values],
            )
        if state is not None:
            _record_state(db, case_id, state)


def _record_state(db: sqlite3.Connection, case_id: str, state: LinkState) -> None:
    db.execute(
        """INSERT OR REPLACE INTO link_runs (case_id, case_hash, linker_version, embedder,
             last_article) VALUES (?, ?, ?, ?, ?)""",
        (case_id, state.case_hash, state.linker_version, state.embedder, state.last_article),
    )


def kept_decisions(store: Store, case_id: str) -> dict[LinkKey, LinkFields]:
    """The links the analyst accepted or relinked, as they were when decided."""
    out: dict[LinkKey, LinkFields] = {}
    for row in store.conn.execute(
        """SELECT article_id, start, "end", indicator_id, snapshot FROM link_decisions
           WHERE case_id = ? AND decision IN ('accept', 'relink')""",
        (case_id,),
    ):
        kept = LinkFields.from_mapping(json.loads(row["snapshot"] or "{}"))
        if kept is not None:
            out[LinkKey(row[0], row[1], row[2], row[3])] = kept
    return out


def decided_texts(
    store: Store, case_id: str, until: str | None = None
) -> list[tuple[str, str, str | None, str]]:
    """Every decision of the case on a link, as (decision, indicator, new indicator, the
    sentence's text when decided): what the linker learns from (link.Lessons). ``until``
    (a time as the store writes them): only the decisions standing then, as far as the
    store still knows them (a decision taken again replaces the earlier one)."""
    out = []
    for row in store.conn.execute(
        """SELECT decision, indicator_id, new_indicator, snapshot FROM link_decisions
           WHERE case_id = ? AND (? IS NULL OR decided_at <= ?) ORDER BY rowid""",
        (case_id, until, until),
    ):
        kept = LinkFields.from_mapping(json.loads(row["snapshot"] or "{}"))
        if kept is not None and kept.text:
            out.append((row["decision"], row["indicator_id"], row["new_indicator"], kept.text))
    return out


def link_state(store: Store, case_id: str) -> LinkState | None:
    """What the case's last linking run was made from (see ``save_links``), if any."""
    row = store.conn.execute(
        """SELECT case_hash, linker_version, embedder, last_article FROM link_runs
           WHERE case_id = ?""",
        (case_id,),
    ).fetchone()
    return LinkState(row[0], row[1], row[2], int(row[3])) if row else None


@dataclass(frozen=True)
class Marks:
    """What a case's assessment is scored from, as far as the store says it moved
    (``marks``): two reads with equal marks read the same links, decisions, other cases'
    forecasts and outcomes (and, with equal ``articles``, the same articles)."""

    articles: tuple[object, ...]  # the newest article and the count of extracted ones
    run: tuple[object, ...]  # when the case's links were last made, and how many there are
    decisions: object  # the analysts' latest decision on its links
    others: tuple[object, ...]  # the other cases' latest forecasts, the latest outcome


def marks(store: Store, case_id: str) -> Marks:
    """The ``Marks`` of ``case_id`` as the store holds it now."""
    row = store.conn.execute(
        """SELECT (SELECT max(id) FROM articles),
                  (SELECT count(*) FROM extractions),
                  (SELECT linked_at FROM link_runs WHERE case_id = :case),
                  (SELECT count(*) FROM evidence_links WHERE case_id = :case),
                  (SELECT max(id) FROM audit_log WHERE case_id = :case
                     AND action LIKE 'link.%'),
                  (SELECT max(made_at) FROM forecasts WHERE case_id != :case),
                  (SELECT max(recorded_at) FROM resolutions)""",
        {"case": case_id},
    ).fetchone()
    return Marks((row[0], row[1]), (row[2], row[3]), row[4], (row[5], row[6]))


def article_heads(store: Store) -> list[Article]:
    """Every article that is no near-duplicate, in id order: its id, title, date, outlet
    and URL, without its text (''): what an assessment reads of the articles whose words it
    does not show. Built unvalidated, for speed (100,000 in a second)."""
    rows = store.conn.execute(
        """SELECT id, title, published, outlet, url FROM articles WHERE duplicate_of IS NULL
           ORDER BY id"""
    )
    return [
        Article.model_construct(
            id=row[0],
            title=row[1],
            outlet=row[3],
            url=row[4],
            text="",
            duplicate_of=None,
            published=date.fromisoformat(row[2]) if row[2] else None,
        )
        for row in rows.fetchall()
    ]


def last_article(store: Store) -> int:
    """The highest article id: links made before a later article arrived are stale."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])


_LINK_SELECT = """SELECT l.*, d.decision, d.new_indicator, d.polarity AS decided_polarity,
                         d.analyst, d.note
                  FROM evidence_links l LEFT JOIN link_decisions d
                    ON d.case_id = l.case_id AND d.article_id = l.article_id
                   AND d.start = l.start AND d."end" = l."end"
                   AND d.indicator_id = l.indicator_id"""


def link_rows(store: Store, case_id: str) -> list[LinkRow]:
    """The stored links of a case with the analyst's decision on each, in text order."""
    cursor = store.conn.execute(
        _LINK_SELECT + " WHERE l.case_id = ?"
        " ORDER BY l.published, l.article_id, l.start, l.indicator_id",
        (case_id,),
    )
    return [_link_row(row) for row in cursor.fetchall()]


def link_row(store: Store, case_id: str, link_id: int) -> LinkRow | None:
    row = store.conn.execute(
        _LINK_SELECT + " WHERE l.case_id = ? AND l.id = ?", (case_id, link_id)
    ).fetchone()
    return None if row is None else _link_row(row)


def _link_row(row: sqlite3.Row) -> LinkRow:
    return LinkRow(
        id=int(row["id"]),
        case_id=row["case_id"],
        key=LinkKey(row["article_id"], row["start"], row["end"], row["indicator_id"]),
        fields=LinkFields(**{f: row[f] for f in _FIELDS}),
        decision=row["decision"],
        new_indicator=row["new_indicator"],
        decided_polarity=row["decided_polarity"],
        analyst=row["analyst"],
        note=row["note"],
    )


def link_target(key: LinkKey) -> str:
    """How the audit log names a link: by what it points at, which outlives relinking."""
    return f"link:{key.article_id}:{key.start}:{key.end}:{key.indicator_id}"


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
) -> LinkRow:
    """Record the analyst's decision on stored link ``link_id``; it outlives recomputation.
    Returns the link as it now stands."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if decision == "relink" and not new_indicator:
        raise InvalidInput("relink needs the indicator to link to")
    found = link_row(store, case_id, link_id)
    if found is None:
        raise NotFound(f"no link L{link_id} in case {case_id!r} (see `tocsin evidence list`)")
    key = found.key
    snapshot = json.dumps(found.fields.as_dict(), ensure_ascii=False)
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO link_decisions (case_id, article_id, start, "end",
                 indicator_id, decision, new_indicator, polarity, analyst, note, snapshot)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (case_id, key.article_id, key.start, key.end, key.indicator_id, decision,
             new_indicator, polarity, analyst, note, snapshot),
        )  # fmt: skip
        detail = {"link": link_id, "new_indicator": new_indicator, "polarity": polarity,
                  "note": note}  # fmt: skip
        audit(db, analyst, f"link.{decision}", case_id, link_target(key), detail)
    decided = link_row(store, case_id, link_id)
    assert decided is not None
    return decided


def add_links(
    store: Store, case_id: str, new: Mapping[LinkKey, LinkFields], state: LinkState | None
) -> None:
    """Add ``new`` links to the case's stored ones (a link already stored is left as it
    is) and record ``state`` (None: the state is kept), in one transaction: the links of
    articles stored since the case's links were made (``assess.relink.link_new``)."""
    with store.transaction() as db:
        for key, link in new.items():
            db.execute(
                f"""INSERT OR IGNORE INTO evidence_links (case_id, article_id, start, "end",
                      indicator_id, {", ".join(_FIELDS)})
                    VALUES (?, ?, ?, ?, ?, {", ".join("?" * len(_FIELDS))})""",
                [case_id, key.article_id, key.start, key.end, key.indicator_id,
                 *(getattr(link, f) for f in _FIELDS)],
            )  # fmt: skip
        if state is not None:
            _record_state(db, case_id, state)


def withdraw(store: Store, case_id: str, link_id: int, *, analyst: str = "analyst") -> LinkRow:
    """Withdraw the decision on stored link ``link_id``: the link is pending again, as the
    linker made it (the desk's undo of a decision on a link that had none). Logged as
    'link.withdraw' with the decision withdrawn. Returns the link as it now stands."""
    found = link_row(store, case_id, link_id)
    if found is None:
        raise NotFound(f"no link L{link_id} in case {case_id!r} (see `tocsin evidence list`)")
    if found.decision is None:
        raise InvalidInput(f"link L{link_id} has no decision to withdraw")
    key = found.key
    with store.transaction() as db:
        db.execute(
            """DELETE FROM link_decisions WHERE case_id = ? AND article_id = ? AND start = ?
                 AND "end" = ? AND indicator_id = ?""",
            (case_id, key.article_id, key.start, key.end, key.indicator_id),
        )
        detail = {"link": link_id, "withdrawn": found.decision, "new_indicator":
                  found.new_indicator, "polarity": found.decided_polarity}  # fmt: skip
        audit(db, analyst, "link.withdraw", case_id, link_target(key), detail)
    now = link_row(store, case_id, link_id)
    assert now is not None
    return now


def add_link(
    store: Store,
    case_id: str,
    key: LinkKey,
    link: LinkFields,
    *,
    polarity: str,
    analyst: str = "analyst",
    note: str = "",
) -> LinkRow:
    """Keep a sentence the linker missed as evidence the analyst accepted, in one
    transaction: the link ``key`` (unless the linker made it already: that one is kept) and
    an 'accept' decision carrying its snapshot, so that relinking brings it back however
    the linker reads the sentence then. Logged as 'link.add'. Returns the link as it now
    stands."""
    if polarity not in ("seen", "negated"):
        raise InvalidInput(f"polarity must be 'seen' or 'negated', not {polarity!r}")
    with store.transaction() as db:
        found = db.execute(
            _LINK_SELECT
            + """ WHERE l.case_id = ? AND l.article_id = ? AND l.start = ?
                               AND l."end" = ? AND l.indicator_id = ?""",
            (case_id, key.article_id, key.start, key.end, key.indicator_id),
        ).fetchone()
        if found is None:
            cursor = db.execute(
                f"""INSERT INTO evidence_links (case_id, article_id, start, "end",
                      indicator_id, {", ".join(_FIELDS)})
                    VALUES (?, ?, ?, ?, ?, {", ".join("?" * len(_FIELDS))})""",
                [case_id, key.article_id, key.start, key.end, key.indicator_id,
                 *(getattr(link, f) for f in _FIELDS)],
            )  # fmt: skip
            link_id, kept = int(cursor.lastrowid or 0), link
        else:
            link_id, kept = int(found["id"]), _link_row(found).fields
        db.execute(
            """INSERT OR REPLACE INTO link_decisions (case_id, article_id, start, "end",
                 indicator_id, decision, new_indicator, polarity, analyst, note, snapshot)
               VALUES (?, ?, ?, ?, ?, 'accept', NULL, ?, ?, ?, ?)""",
            (case_id, key.article_id, key.start, key.end, key.indicator_id, polarity,
             analyst, note, json.dumps(kept.as_dict(), ensure_ascii=False)),
        )  # fmt: skip
        detail = {"link": link_id, "polarity": polarity, "note": note, "new": found is None}
        audit(db, analyst, "link.add", case_id, link_target(key), detail)
    added = link_row(store, case_id, link_id)
    assert added is not None
    return added


def record_resolution(store: Store, resolution: Resolution) -> None:
    """What happened; ``origin`` 'case' marks an outcome copied from the case file."""
    r = resolution
    with store.transaction() as db:
        db.execute(
            """INSERT OR REPLACE INTO resolutions (case_id, question_id, outcome, resolved_on,
                 note, origin) VALUES (?, ?, ?, ?, ?, ?)""",
            (r.case_id, r.question_id, r.outcome, r.resolved_on.isoformat(), r.note, r.origin),
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


def resolutions(store: Store, case_id: str | None = None) -> list[Resolution]:
    sql = "SELECT * FROM resolutions" + (" WHERE case_id = ?" if case_id else "")
    rows = store.conn.execute(sql + " ORDER BY case_id, question_id", (case_id,) if case_id else ())
    return [
        Resolution(
            r["case_id"],
            r["question_id"],
            r["outcome"],
            date.fromisoformat(r["resolved_on"]),
            r["note"],
            r["origin"],
        )
        for r in rows.fetchall()
    ]


def record_forecasts(store: Store, case_id: str, rows: Sequence[Forecast]) -> None:
    """Make ``rows`` the case's forecasts: those of an earlier assessment of the case are
    replaced as a set."""
    with store.transaction() as db:
        db.execute("DELETE FROM forecasts WHERE case_id = ?", (case_id,))
        db.executemany(
            """INSERT OR REPLACE INTO forecasts (case_id, question_id, as_of, method,
                 probabilities, deadline) VALUES (?, ?, ?, ?, ?, ?)""",
            [
                (f.case_id, f.question_id, f.as_of.isoformat(), f.method,
                 json.dumps(f.probabilities, sort_keys=True), f.deadline.isoformat())
                for f in rows
            ],
        )  # fmt: skip


def forecasts(store: Store) -> list[Forecast]:
    """Every recorded forecast, in case, question, date and method order."""
    rows = store.conn.execute(
        "SELECT * FROM forecasts ORDER BY case_id, question_id, as_of, method"
    ).fetchall()
    return [_forecast(r) for r in rows]


def latest_forecasts(store: Store, question_id: str, method: str) -> list[Forecast]:
    """Each case's latest forecast of ``question_id`` by ``method``, in case order: what
    the cases page shows, without reading the thousands of a trajectory's forecasts."""
    rows = store.conn.execute(
        """SELECT * FROM forecasts f WHERE question_id = :q AND method = :m
             AND as_of = (SELECT max(as_of) FROM forecasts g WHERE g.case_id = f.case_id
                          AND g.question_id = :q AND g.method = :m)
           ORDER BY case_id""",
        {"q": question_id, "m": method},
    ).fetchall()
    return [_forecast(r) for r in rows]


def _forecast(r: sqlite3.Row) -> Forecast:
    return Forecast(
        r["case_id"],
        r["question_id"],
        date.fromisoformat(r["as_of"]),
        r["method"],
        json.loads(r["probabilities"]),
        date.fromisoformat(r["deadline"]),
    )


VectorKey = tuple[int, int, int]  # article, start, end of a sentence


def cached_vectors(
    store: Store, keys: Sequence[VectorKey], model: str
) -> dict[VectorKey, np.ndarray]:
    """The stored float32 vectors of those (article, start, end) keys that have one."""
    found: dict[VectorKey, np.ndarray] = {}
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


def store_vectors(store: Store, vectors: Mapping[VectorKey, np.ndarray], model: str) -> None:
    """Keep sentence vectors (as float16) for the next linking run."""
    with store.transaction() as db:
        db.executemany(
            """INSERT OR REPLACE INTO sentence_embeddings (article_id, start, "end", model,
                 vector) VALUES (?, ?, ?, ?, ?)""",
            [(*key, model, v.astype(np.float16).tobytes()) for key, v in vectors.items()],
        )
