"""The alerts the store keeps (migration 0011), and where each has been delivered.

``record`` stores a cycle's alerts in one short transaction and returns those to send: an
alert whose key was stored before is a repeat and is dropped, and a rule that has fired
its rate's worth within the window (``rate: {max, hours}`` in the case file) is held back:
the alert is neither stored nor sent, and counted (``Recorded.held``; logged). Each channel
reports what it did with ``delivered``; ``undelivered`` lists, for a channel, the alerts it
has not sent, so that a watcher that stopped between storing and sending sends them on its
next cycle. Times are stored in UTC as ISO 8601 with microseconds, so that they compare as
text.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast

from tocsin.errors import NotFound
from tocsin.models.alerts import Alert, AlertEvidence, AlertKind
from tocsin.store.db import Store

log = logging.getLogger(__name__)

# A rule's rate when none is given: at most 5 alerts in 24 hours (as the case file's
# default, assess.alert_rules.DEFAULT_RATE_MAX and DEFAULT_RATE_HOURS).
DEFAULT_RATE: tuple[int, float] = (5, 24.0)
MAX_LISTED = 1000  # alerts one listing returns unless told otherwise
Rates = Mapping[tuple[str, str], tuple[int, float]]  # (case, rule) -> (max, hours)


@dataclass(frozen=True)
class StoredAlert(Alert):
    """An alert as the store keeps it, with its row id (for ``delivered``)."""

    id: int = 0


@dataclass(frozen=True)
class Recorded:
    """What ``record_all`` did with a cycle's alerts: those stored (to send), how many
    were repeats of a stored key, and how many each (case, rule) had held back by its
    rate."""

    new: list[StoredAlert]
    repeated: int = 0
    held: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def held_back(self) -> int:
        return sum(self.held.values())


def utc_text(when: datetime) -> str:
    """``when`` in UTC as stored (a naive time is taken to be UTC already)."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return aware.isoformat(timespec="microseconds")


def record(
    store: Store, alerts: Iterable[Alert], now: datetime, rates: Rates | None = None
) -> list[StoredAlert]:
    """Store the new ones among ``alerts`` and return them, the ones to send (see
    ``record_all``, which also says how many were dropped)."""
    return record_all(store, alerts, now, rates).new


def record_all(
    store: Store, alerts: Iterable[Alert], now: datetime, rates: Rates | None = None
) -> Recorded:
    """Store ``alerts`` in one transaction, in order: one whose key is stored (or came
    earlier in ``alerts``) is a repeat and is dropped; one whose rule has as many alerts
    as its rate allows within the window before ``now`` is held back (neither stored nor
    sent). ``rates`` gives (max, hours) by (case, rule); DEFAULT_RATE for the rest
    (``assess.alert_rules.rate_limits`` makes them from a case)."""
    new: list[StoredAlert] = []
    repeated = 0
    held: dict[tuple[str, str], int] = {}
    with store.transaction() as conn:
        for alert in alerts:
            if conn.execute("SELECT 1 FROM alerts WHERE key = ?", (alert.key,)).fetchone():
                repeated += 1
                continue
            rule = (alert.case_id, alert.rule_id)
            most, hours = (rates or {}).get(rule, DEFAULT_RATE)
            if _fired_within(conn, rule, now - timedelta(hours=hours)) >= most:
                held[rule] = held.get(rule, 0) + 1
                continue
            new.append(_insert(conn, alert))
    for (case_id, rule_id), count in held.items():
        log.info("alert rule %s of case %s: %d alert(s) held back by its rate", rule_id,
                 case_id, count)  # fmt: skip
    return Recorded(new, repeated, held)


def _fired_within(conn: sqlite3.Connection, rule: tuple[str, str], start: datetime) -> int:
    row = conn.execute(
        "SELECT count(*) FROM alerts WHERE case_id = ? AND rule_id = ? AND fired_at > ?",
        (*rule, utc_text(start)),
    ).fetchone()
    return int(row[0])


def _insert(conn: sqlite3.Connection, alert: Alert) -> StoredAlert:
    fired = utc_text(alert.fired_at)
    cursor = conn.execute(
        "INSERT INTO alerts(case_id, rule_id, kind, key, title, detail, as_of, fired_at,"
        " probabilities, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            alert.case_id,
            alert.rule_id,
            alert.kind,
            alert.key,
            alert.title,
            alert.detail,
            alert.as_of.isoformat() if alert.as_of else None,
            fired,
            json.dumps(dict(alert.probabilities)),
            json.dumps([e.as_json() for e in alert.evidence], ensure_ascii=False),
        ),
    )
    return _stored(cast(int, cursor.lastrowid), alert, datetime.fromisoformat(fired))


def _stored(row_id: int, alert: Alert, fired_at: datetime) -> StoredAlert:
    return StoredAlert(
        case_id=alert.case_id, rule_id=alert.rule_id, kind=alert.kind, title=alert.title,
        detail=alert.detail, key=alert.key, as_of=alert.as_of, fired_at=fired_at,
        probabilities=dict(alert.probabilities), evidence=alert.evidence, id=row_id,
    )  # fmt: skip


_COLUMNS = (
    "a.id, a.case_id, a.rule_id, a.kind, a.key, a.title, a.detail, a.as_of, a.fired_at,"
    " a.probabilities, a.evidence"
)


def alerts(
    store: Store,
    case_id: str | None = None,
    since: datetime | None = None,
    limit: int = MAX_LISTED,
    after_id: int | None = None,
) -> list[StoredAlert]:
    """The stored alerts, newest first: of one case, fired at or after ``since``, stored
    after alert ``after_id`` (what a page that shows up to it has not shown)."""
    where, args = _filters(case_id, since)
    if after_id is not None:
        where += (" AND" if where else " WHERE") + " a.id > ?"
        args.append(after_id)
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM alerts a{where} ORDER BY a.fired_at DESC, a.id DESC LIMIT ?",
        (*args, max(0, limit)),
    ).fetchall()
    return [_alert(row) for row in rows]


def undelivered(
    store: Store, channel: str, since: datetime | None = None, limit: int = MAX_LISTED
) -> list[StoredAlert]:
    """The alerts not sent on ``channel`` (never tried, or failed), oldest first, so that
    they go out in the order they fired; from ``since`` when given (a channel added to a
    watcher later need not receive every alert ever stored)."""
    where, args = _filters(None, since)
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM alerts a{where}{' AND' if where else ' WHERE'} NOT EXISTS"
        " (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.channel = ?"
        " AND d.status = 'sent') ORDER BY a.fired_at, a.id LIMIT ?",
        (*args, channel, max(0, limit)),
    ).fetchall()
    return [_alert(row) for row in rows]


def latest_id(store: Store) -> int:
    """The newest alert's id, 0 when there is none."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM alerts").fetchone()[0])


def _filters(case_id: str | None, since: datetime | None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if case_id is not None:
        clauses.append("a.case_id = ?")
        args.append(case_id)
    if since is not None:
        clauses.append("a.fired_at >= ?")
        args.append(utc_text(since))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def delivered(
    store: Store,
    alert_id: int,
    channel: str,
    status: Literal["sent", "failed"],
    attempts: int,
    error: str | None,
    at: datetime,
) -> None:
    """Record what ``channel`` did with alert ``alert_id``: 'sent', or 'failed' after
    ``attempts`` tries with ``error``. A later report replaces an earlier one, except that
    an alert sent stays sent (a failed resend does not make it due again)."""
    if status not in ("sent", "failed"):
        raise ValueError(f"a delivery is 'sent' or 'failed', not {status!r}")
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
            raise NotFound(f"no alert {alert_id} in {store.path}")
        conn.execute(
            "INSERT INTO alert_deliveries(alert_id, channel, status, attempts, error, at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(alert_id, channel) DO UPDATE SET"
            " status = excluded.status, attempts = excluded.attempts, error = excluded.error,"
            " at = excluded.at WHERE alert_deliveries.status != 'sent'",
            (alert_id, channel, status, attempts, error, utc_text(at)),
        )


@dataclass(frozen=True)
class Delivery:
    """One channel's last word on one alert."""

    alert_id: int
    channel: str
    status: str
    attempts: int
    error: str | None
    at: str


def deliveries(store: Store, alert_id: int) -> list[Delivery]:
    """What each channel did with alert ``alert_id``, by channel name."""
    rows = store.conn.execute(
        "SELECT alert_id, channel, status, attempts, error, at FROM alert_deliveries"
        " WHERE alert_id = ? ORDER BY channel",
        (alert_id,),
    ).fetchall()
    return [Delivery(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5]) for r in rows]


def _alert(row: sqlite3.Row) -> StoredAlert:
    evidence = tuple(_evidence(item) for item in json.loads(row["evidence"]))
    return StoredAlert(
        case_id=row["case_id"],
        rule_id=row["rule_id"],
        kind=cast(AlertKind, row["kind"]),
        title=row["title"],
        detail=row["detail"],
        key=row["key"],
        as_of=date.fromisoformat(row["as_of"]) if row["as_of"] else None,
        fired_at=datetime.fromisoformat(row["fired_at"]),
        probabilities={str(k): float(v) for k, v in json.loads(row["probabilities"]).items()},
        evidence=evidence,
        id=int(row["id"]),
    )


def _evidence(item: dict[str, Any]) -> AlertEvidence:
    published = item.get("published")
    return AlertEvidence(
        id=str(item["id"]),
        text=str(item["text"]),
        source=item.get("source"),
        outlet=item.get("outlet"),
        url=item.get("url"),
        published=date.fromisoformat(published) if published else None,
        reliability=item.get("reliability"),
    )
