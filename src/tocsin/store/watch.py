"""Tables of the watcher (migrations 0012, 0013): each source's polling state, and each cycle.

A source's row is keyed by its name in the sources file: renaming a source starts it
afresh. Every write here is one short transaction, so a watcher killed at any point leaves
either the old row or the new one. Times are timezone-aware datetimes in UTC, stored as ISO
8601 text.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tocsin.store.db import Store

INTERRUPTED = "interrupted"  # the error of a cycle found 'running' when the next one starts


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of one source between cycles."""

    name: str
    kind: str
    locator: str
    last_polled: datetime | None = None
    next_due: datetime | None = None
    last_ok: datetime | None = None
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen_until: str | None = None


@dataclass(frozen=True)
class CycleRow:
    """One cycle as recorded."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    new_articles: int
    extracted: int
    cases_assessed: int
    error: str | None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _text(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _source(row: sqlite3.Row) -> SourceState:
    return SourceState(
        row["name"], row["kind"], row["locator"], _when(row["last_polled"]),
        _when(row["next_due"]), _when(row["last_ok"]), row["last_error"], row["etag"],
        row["last_modified"], row["seen_until"],
    )  # fmt: skip


def source_states(store: Store) -> dict[str, SourceState]:
    """Every source the store has seen, by name."""
    rows = store.conn.execute("SELECT * FROM watch_sources ORDER BY name")
    return {r["name"]: _source(r) for r in rows}


def source_state(store: Store, name: str) -> SourceState | None:
    """The stored state of the source ``name``, or None if it was never polled."""
    row = store.conn.execute("SELECT * FROM watch_sources WHERE name = ?", (name,)).fetchone()
    return None if row is None else _source(row)


def save_poll(store: Store, state: SourceState) -> None:
    """Keep a source's state after a poll (insert or replace its row)."""
    with store.transaction() as db:
        db.execute(
            "INSERT INTO watch_sources (name, kind, locator, last_polled, next_due, last_ok,"
            " last_error, etag, last_modified, seen_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, locator = excluded.locator,"
            " last_polled = excluded.last_polled, next_due = excluded.next_due,"
            " last_ok = excluded.last_ok, last_error = excluded.last_error,"
            " etag = excluded.etag, last_modified = excluded.last_modified,"
            " seen_until = excluded.seen_until",
            (
                state.name, state.kind, state.locator, _text(state.last_polled),
                _text(state.next_due), _text(state.last_ok), state.last_error, state.etag,
                state.last_modified, state.seen_until,
            ),
        )  # fmt: skip


def fail_interrupted(store: Store, now: datetime) -> int:
    """Mark every cycle still 'running' as failed ("interrupted"): no other watcher runs on
    this store while this one starts (see ``start_cycle``), so such a cycle was killed.
    Returns how many there were."""
    with store.transaction() as db:
        cursor = db.execute(
            "UPDATE watch_cycles SET status = 'failed', error = ?, finished_at = ?"
            " WHERE status = 'running'",
            (INTERRUPTED, _text(now)),
        )
        return cursor.rowcount


def start_cycle(store: Store, now: datetime) -> int:
    """Record a new cycle as 'running', with the newest article it finds; returns its id."""
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO watch_cycles (started_at, status, articles_before)"
            " VALUES (?, 'running', (SELECT coalesce(max(id), 0) FROM articles))",
            (_text(now),),
        )
        return int(cursor.lastrowid or 0)


def unfinished_since(store: Store) -> int | None:
    """The newest article when the first cycle after the last one 'done' started: the
    articles above it came in cycles that did not finish (or in the running one). None when
    that cycle predates the record (migration 0013)."""
    row = store.conn.execute(
        "SELECT articles_before FROM watch_cycles WHERE id > coalesce("
        "(SELECT max(id) FROM watch_cycles WHERE status = 'done'), 0) ORDER BY id LIMIT 1"
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def finish_cycle(
    store: Store,
    cycle_id: int,
    now: datetime,
    *,
    new_articles: int,
    extracted: int,
    cases_assessed: int,
    error: str | None = None,
) -> None:
    """Record the end of a cycle: 'done', or 'failed' with its ``error``."""
    status = "failed" if error else "done"
    with store.transaction() as db:
        db.execute(
            "UPDATE watch_cycles SET status = ?, finished_at = ?, new_articles = ?,"
            " extracted = ?, cases_assessed = ?, error = ? WHERE id = ?",
            (status, _text(now), new_articles, extracted, cases_assessed, error, cycle_id),
        )


def _cycle(r: sqlite3.Row) -> CycleRow:
    return CycleRow(
        int(r["id"]), datetime.fromisoformat(r["started_at"]), _when(r["finished_at"]),
        r["status"], int(r["new_articles"]), int(r["extracted"]), int(r["cases_assessed"]),
        r["error"],
    )  # fmt: skip


def cycles(store: Store, limit: int = 100) -> list[CycleRow]:
    """The last ``limit`` cycles, newest first."""
    rows = store.conn.execute("SELECT * FROM watch_cycles ORDER BY id DESC LIMIT ?", (limit,))
    return [_cycle(r) for r in rows]
