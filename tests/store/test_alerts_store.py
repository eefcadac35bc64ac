"""The alerts the store keeps: the tables of migration 0011, repeats dropped, rates held,
and every alert due on a channel until the channel has sent it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tocsin.errors import NotFound
from tocsin.models.alerts import Alert, AlertEvidence
from tocsin.store.alerts import (
    DEFAULT_RATE,
    alerts,
    delivered,
    deliveries,
    record,
    record_all,
    undelivered,
)
from tocsin.store.db import Store

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
EVIDENCE = (
    AlertEvidence(
        "L12",
        "Belarus announced a check of mobilisation readiness.",
        source="Ministry of Defence",
        outlet="Wire",
        url="https://wire.example/1",
        published=date(2022, 10, 13),
        reliability="C",
    ),
    AlertEvidence("M1", "Entered by hand: a note with “quotes” and ünïcode."),
)


def _alert(n: int, rule: str = "mob", case: str = "belarus", at: datetime = NOW) -> Alert:
    return Alert(
        case_id=case,
        rule_id=rule,
        kind="indicator",
        title=f"Mobilisation reported ({n})",
        detail=f"{n} new reports of mobilisation.",
        key=f"{case}|{rule}|L{n}",
        as_of=date(2022, 10, 13),
        fired_at=at,
        probabilities={"H1": 0.25, "H2": 0.75},
        evidence=EVIDENCE,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "alerts.db") as opened:
        yield opened


def _columns(store: Store, table: str) -> list[tuple[str, str, int, int]]:
    rows = store.conn.execute(f"PRAGMA table_info({table})").fetchall()
    return [(r["name"], r["type"], r["notnull"], r["pk"]) for r in rows]


def test_the_tables_are_as_the_parquet_export_reads_them(store: Store) -> None:
    assert _columns(store, "alerts") == [
        ("id", "INTEGER", 0, 1),
        ("case_id", "TEXT", 1, 0),
        ("rule_id", "TEXT", 1, 0),
        ("kind", "TEXT", 1, 0),
        ("key", "TEXT", 1, 0),
        ("title", "TEXT", 1, 0),
        ("detail", "TEXT", 1, 0),
        ("as_of", "TEXT", 0, 0),
        ("fired_at", "TEXT", 1, 0),
        ("probabilities", "TEXT", 1, 0),
        ("evidence", "TEXT", 1, 0),
    ]
    assert _columns(store, "alert_deliveries") == [
        ("alert_id", "INTEGER", 1, 1),
        ("channel", "TEXT", 1, 2),
        ("status", "TEXT", 1, 0),
        ("attempts", "INTEGER", 1, 0),
        ("error", "TEXT", 0, 0),
        ("at", "TEXT", 1, 0),
    ]
    index = store.conn.execute("PRAGMA index_info(alerts_case_rule_fired)").fetchall()
    assert [r["name"] for r in index] == ["case_id", "rule_id", "fired_at"]
    assert store.schema_version() >= 11
    record(store, [_alert(1)], NOW)
    with pytest.raises(sqlite3.IntegrityError):  # one row per key, whoever writes it
        store.conn.execute(
            "INSERT INTO alerts(case_id, rule_id, kind, key, title, detail, fired_at,"
            " probabilities, evidence) VALUES ('c', 'r', 'leader', 'belarus|mob|L1', 't',"
            " 'd', 'now', '{}', '[]')"
        )


def test_an_alert_comes_back_as_it_went_in(store: Store) -> None:
    (stored,) = record(store, [_alert(1)], NOW)
    assert stored.id > 0
    (listed,) = alerts(store)
    assert listed == stored
    assert listed.as_json() == _alert(1).as_json()
    assert listed.evidence == EVIDENCE


def test_a_key_stored_before_is_not_sent_again(store: Store) -> None:
    first = record_all(store, [_alert(1), _alert(2), _alert(1)], NOW)
    assert [a.key for a in first.new] == ["belarus|mob|L1", "belarus|mob|L2"]
    assert first.repeated == 1  # the repeat within the batch
    later = NOW + timedelta(days=3)
    again = record_all(store, [_alert(2, at=later), _alert(3, at=later)], later)
    assert [a.key for a in again.new] == ["belarus|mob|L3"]
    assert again.repeated == 1
    assert len(alerts(store)) == 3


def test_a_rule_over_its_rate_is_held_back_and_counted(store: Store) -> None:
    rates = {("belarus", "mob"): (2, 24.0)}
    batch = [_alert(n) for n in range(1, 5)] + [_alert(9, rule="other")]
    result = record_all(store, batch, NOW, rates)
    assert [a.key for a in result.new] == ["belarus|mob|L1", "belarus|mob|L2", "belarus|other|L9"]
    assert result.held == {("belarus", "mob"): 2}
    assert result.held_back == 2
    # Within the window the rule stays quiet; once it has passed, it speaks again. Held
    # alerts were not stored: their keys are free.
    soon = NOW + timedelta(hours=23)
    assert record(store, [_alert(3, at=soon)], soon, rates) == []
    day_on = NOW + timedelta(hours=24, seconds=1)
    assert [a.key for a in record(store, [_alert(3, at=day_on)], day_on, rates)] == [
        "belarus|mob|L3"
    ]


def test_the_default_rate_applies_to_rules_not_given(store: Store) -> None:
    most, _hours = DEFAULT_RATE
    result = record_all(store, [_alert(n, rule="busy") for n in range(most + 3)], NOW)
    assert len(result.new) == most
    assert result.held == {("belarus", "busy"): 3}


def test_listing_is_newest_first_by_case_and_since(store: Store) -> None:
    record(store, [_alert(1, at=NOW - timedelta(days=2))], NOW)
    record(store, [_alert(2, case="other", at=NOW - timedelta(days=1))], NOW)
    record(store, [_alert(3, at=NOW)], NOW)
    assert [a.key for a in alerts(store)] == ["belarus|mob|L3", "other|mob|L2", "belarus|mob|L1"]
    assert [a.key for a in alerts(store, case_id="belarus")] == ["belarus|mob|L3", "belarus|mob|L1"]
    assert [a.key for a in alerts(store, since=NOW - timedelta(days=1))] == [
        "belarus|mob|L3",
        "other|mob|L2",
    ]
    assert [a.key for a in alerts(store, limit=1)] == ["belarus|mob|L3"]


def test_times_are_kept_in_utc(store: Store) -> None:
    naive = datetime(2026, 12, 7, 5, 0)  # taken to be UTC
    kyiv = datetime(2026, 12, 7, 8, 0, tzinfo=timezone(timedelta(hours=2)))  # 06:00 UTC
    record(store, [replace(_alert(1), fired_at=naive)], NOW)
    record(store, [replace(_alert(2), fired_at=kyiv)], NOW)
    assert [a.fired_at for a in alerts(store)] == [kyiv, naive.replace(tzinfo=UTC)]
    assert alerts(store)[0].fired_at.utcoffset() == timedelta(0)
    text = store.conn.execute("SELECT fired_at FROM alerts ORDER BY id").fetchall()
    assert [r[0] for r in text] == [
        "2026-12-07T05:00:00.000000+00:00",
        "2026-12-07T06:00:00.000000+00:00",
    ]


def test_an_alert_stays_due_on_a_channel_until_sent_there(store: Store) -> None:
    one, two = record(store, [_alert(1), _alert(2)], NOW)
    assert [a.id for a in undelivered(store, "atom")] == [one.id, two.id]
    delivered(store, one.id, "atom", "failed", 3, "connection refused", NOW)
    assert [a.id for a in undelivered(store, "atom")] == [one.id, two.id]  # failed: still due
    delivered(store, one.id, "atom", "sent", 4, None, NOW)
    delivered(store, two.id, "email", "sent", 1, None, NOW)
    assert [a.id for a in undelivered(store, "atom")] == [two.id]
    assert [a.id for a in undelivered(store, "email")] == [one.id]
    # A later failure does not undo a send; the record says what happened last that counts.
    delivered(store, one.id, "atom", "failed", 1, "timeout", NOW + timedelta(hours=1))
    assert [a.id for a in undelivered(store, "atom")] == [two.id]
    (atom,) = [d for d in deliveries(store, one.id) if d.channel == "atom"]
    assert (atom.status, atom.attempts, atom.error) == ("sent", 4, None)
    assert undelivered(store, "atom", since=NOW + timedelta(seconds=1)) == []


def test_a_crash_between_storing_and_sending_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    with Store.open(db) as first:
        (stored,) = record(first, [_alert(1)], NOW)
    # The process stopped here; the next cycle opens the store and finds it due.
    with Store.open(db) as second:
        assert [a.key for a in undelivered(second, "jsonl")] == [stored.key]
        assert record(second, [_alert(1)], NOW) == []  # made again: not stored twice
        delivered(second, stored.id, "jsonl", "sent", 1, None, NOW)
        assert undelivered(second, "jsonl") == []


def test_bad_deliveries_are_refused(store: Store) -> None:
    (stored,) = record(store, [_alert(1)], NOW)
    with pytest.raises(NotFound, match="no alert 999"):
        delivered(store, 999, "atom", "sent", 1, None, NOW)
    with pytest.raises(ValueError, match="'sent' or 'failed'"):
        delivered(store, stored.id, "atom", "lost", 1, None, NOW)  # type: ignore[arg-type]
    assert deliveries(store, stored.id) == []
