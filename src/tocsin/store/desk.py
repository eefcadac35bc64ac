"""What the analyst's desk keeps in the store: every version of each case file, the audit
log of every analyst's actions, and the analysts' spelling overrides (migration 0009).

Each write is one short transaction, so that a desk serving many readers never holds the
write lock for long, and a decision made while ``ingest`` writes waits its turn (the
connection's busy timeout) instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.store.db import Store


@dataclass(frozen=True)
class CaseVersion:
    """One saved version of a case file."""

    case_id: str
    version: int
    text: str
    sha256: str
    origin: str
    analyst: str
    note: str
    saved_at: str


@dataclass(frozen=True)
class AuditEntry:
    """One action of one analyst, as the log keeps it."""

    id: int
    at: str
    analyst: str
    action: str
    case_id: str | None
    target: str
    detail: dict[str, Any]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version(row: sqlite3.Row) -> CaseVersion:
    return CaseVersion(
        row["case_id"], int(row["version"]), row["text"], row["sha256"], row["origin"],
        row["analyst"], row["note"], row["saved_at"],
    )  # fmt: skip


def save_case_file(
    store: Store,
    case_id: str,
    text: str,
    *,
    origin: str,
    analyst: str = "analyst",
    note: str = "",
    base: int | None = None,
) -> CaseVersion:
    """Keep ``text`` as the case's newest version, unless it is the newest already; return
    the newest version either way. Logged as 'case.save' when a version is added.

    ``base``: the version the text was edited from (0: none, a new case). When another
    version was saved since, nothing is saved and the newest version (whose text is not
    ``text``) is returned: the check and the write are one transaction, so two analysts
    saving at once cannot overwrite each other."""
    sha = _sha(text)
    with store.transaction() as db:
        last = db.execute(
            "SELECT * FROM case_files WHERE case_id = ? ORDER BY version DESC LIMIT 1", (case_id,)
        ).fetchone()
        if last is not None and last["sha256"] == sha:
            return _version(last)
        if base is not None and (0 if last is None else int(last["version"])) != base:
            return _version(last)
        version = 1 if last is None else int(last["version"]) + 1
        db.execute(
            "INSERT INTO case_files (case_id, version, text, sha256, origin, analyst, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, version, text, sha, origin, analyst, note),
        )
        write_log(
            db, analyst, "case.save", case_id, f"case:v{version}", {"origin": origin, "note": note}
        )
        row = db.execute(
            "SELECT * FROM case_files WHERE case_id = ? AND version = ?", (case_id, version)
        ).fetchone()
    return _version(row)


def case_versions(store: Store, case_id: str) -> list[CaseVersion]:
    """Every saved version of the case, newest first."""
    rows = store.conn.execute(
        "SELECT * FROM case_files WHERE case_id = ? ORDER BY version DESC", (case_id,)
    )
    return [_version(r) for r in rows]


def case_file(store: Store, case_id: str, version: int | None = None) -> CaseVersion | None:
    """The case's newest version, or the one asked for; None if there is none."""
    if version is None:
        row = store.conn.execute(
            "SELECT * FROM case_files WHERE case_id = ? ORDER BY version DESC LIMIT 1", (case_id,)
        ).fetchone()
    else:
        row = store.conn.execute(
            "SELECT * FROM case_files WHERE case_id = ? AND version = ?", (case_id, version)
        ).fetchone()
    return None if row is None else _version(row)


def case_ids(store: Store) -> list[str]:
    """Every case with a saved case file, by id."""
    rows = store.conn.execute("SELECT DISTINCT case_id FROM case_files ORDER BY case_id")
    return [r[0] for r in rows]


# -- the audit log ------------------------------------------------------------------------


def write_log(
    db: sqlite3.Connection,
    analyst: str,
    action: str,
    case_id: str | None,
    target: str,
    detail: Mapping[str, Any],
) -> None:
    db.execute(
        "INSERT INTO audit_log (analyst, action, case_id, target, detail) VALUES (?, ?, ?, ?, ?)",
        (analyst, action, case_id, target, json.dumps(dict(detail), ensure_ascii=False)),
    )


def log(
    store: Store,
    analyst: str,
    action: str,
    *,
    case_id: str | None = None,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one action to the audit log, in its own transaction unless one is open."""
    if store.conn.in_transaction:
        write_log(store.conn, analyst, action, case_id, target, detail or {})
        return
    with store.transaction() as db:
        write_log(db, analyst, action, case_id, target, detail or {})


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        int(row["id"]), row["at"], row["analyst"], row["action"], row["case_id"], row["target"],
        json.loads(row["detail"] or "{}"),
    )  # fmt: skip


def audit_entries(
    store: Store,
    *,
    case_id: str | None = None,
    analyst: str | None = None,
    since: str | None = None,
    limit: int = 200,
    before_id: int | None = None,
    action: str | None = None,
    until: str | None = None,
) -> list[AuditEntry]:
    """The log, newest first, filtered by case, analyst, action (a prefix: 'link.' or
    'case.save') and time (ISO prefixes: ``since`` <= at < ``until``)."""
    where: list[str] = ["1 = 1"]
    args: list[object] = []
    prefix = None if action is None else _like_prefix(action)
    for clause, value in (
        ("case_id = ?", case_id),
        ("analyst = ?", analyst),
        ("at >= ?", since),
        ("at < ?", until),
        ("id < ?", before_id),
        ("action LIKE ? ESCAPE '\\'", prefix),
    ):
        if value is not None:
            where.append(clause)
            args.append(value)
    rows = store.conn.execute(
        f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
        (*args, limit),
    )
    return [_entry(r) for r in rows]


def _like_prefix(text: str) -> str:
    """A LIKE pattern for what starts with ``text`` (its own % and _ taken literally)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def audit_actions(store: Store) -> list[str]:
    """Every action the log holds, by name ('case.save', 'link.accept', ...)."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1")]


def linked_at(store: Store, case_id: str) -> str | None:
    """When the case's links were last made (``link_runs``), if ever."""
    row = store.conn.execute(
        "SELECT linked_at FROM link_runs WHERE case_id = ?", (case_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def analysts(store: Store) -> list[str]:
    """Everyone who has acted, by name."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT analyst FROM audit_log ORDER BY 1")]


def latest_by_analyst(
    store: Store, case_id: str, action_prefix: str, targets: Sequence[str] | None = None
) -> dict[str, dict[str, AuditEntry]]:
    """target -> analyst -> that analyst's latest entry whose action starts with
    ``action_prefix``: where two analysts' latest entries differ, they disagree."""
    rows = store.conn.execute(
        "SELECT * FROM audit_log WHERE case_id = ? AND action LIKE ? ORDER BY id",
        (case_id, action_prefix.replace("%", "") + "%"),
    )
    wanted = set(targets) if targets is not None else None
    found: dict[str, dict[str, AuditEntry]] = {}
    for row in rows:
        if wanted is not None and row["target"] not in wanted:
            continue
        found.setdefault(row["target"], {})[row["analyst"]] = _entry(row)
    return found


# -- spelling overrides -------------------------------------------------------------------


@dataclass(frozen=True)
class SpellingOverride:
    spelling: str
    label: str
    canonical: str
    kind: str
    analyst: str
    at: str


def override_spelling(
    store: Store, spelling: str, label: str, canonical: str, kind: str, analyst: str
) -> None:
    """Put ``spelling`` (normalised) of ``label`` under ``canonical`` from now on: a merge
    of two entities, or a spelling split off into an entity of its own. Logged. Written in
    the caller's transaction when one is open (the desk moves the stored records in it)."""
    if kind not in ("merge", "split"):
        raise ValueError(f"kind must be 'merge' or 'split', not {kind!r}")
    if store.conn.in_transaction:
        _write_override(store.conn, spelling, label, canonical, kind, analyst)
        return
    with store.transaction() as db:
        _write_override(db, spelling, label, canonical, kind, analyst)


def _write_override(
    db: sqlite3.Connection, spelling: str, label: str, canonical: str, kind: str, analyst: str
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO spelling_overrides (spelling, label, canonical, kind, analyst)"
        " VALUES (?, ?, ?, ?, ?)",
        (spelling, label, canonical, kind, analyst),
    )
    detail = {"spelling": spelling, "label": label, "canonical": canonical}
    write_log(db, analyst, f"entity.{kind}", None, f"spelling:{label}:{spelling}", detail)


def spelling_overrides(store: Store) -> list[SpellingOverride]:
    rows = store.conn.execute("SELECT * FROM spelling_overrides ORDER BY canonical, spelling")
    return [
        SpellingOverride(
            r["spelling"], r["label"], r["canonical"], r["kind"], r["analyst"], r["at"]
        )
        for r in rows
    ]
