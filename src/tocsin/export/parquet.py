"""Parquet export: every table of the store, one file each, with the schemas of ``tables``.

``export_parquet(store, folder)`` writes ``<table>.parquet`` for each declared table into
``folder``: rows are read with one SQL cursor and written ``BATCH_ROWS`` at a time (one
row group each, zstd-compressed), so memory does not grow with the store. All tables are
read inside one read transaction: the files agree with one another even while a writer
(the watcher) goes on. Each file is written under a temporary name in the folder and
renamed into place only once it is complete, so a crash leaves either the old file or the
new one, never half of one. Existing files are refused unless ``force``; a table the store
does not have (an older store; alerts before migration 0011) is written with zero rows and
its schema, and the summary says so. A value the store holds that its column's type cannot
take (a date that is no date) is written as null and listed in the summary with its row,
instead of failing the whole export.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # no stubs or py.typed
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tocsin.errors import OverwriteRefused, UsageError
from tocsin.export.tables import BOOL, DATE, FLOAT, INT, NAMES, TABLES, TEXT, TIME, Column, Table
from tocsin.files import refuse_overwrite
from tocsin.store.db import Store

BATCH_ROWS = 10_000  # rows per record batch and row group, at most
# ... and at most about this much text and bytes: 10,000 articles of 4 KB would be 40 MB,
# held several times over (Python's strings, Arrow's copy, the encoder's pages). At 8 MB the
# articles add some 95 MB to the peak, at 16 MB 135 MB (bench/export_speed.py, 10,000
# synthetic articles); the other tables stay well under it at 10,000 rows.
BATCH_BYTES = 8 * 2**20
FETCH_ROWS = 100  # rows per fetch from SQLite, gathered into batches (the overshoot of a cap)
COMPRESSION = "zstd"
MAX_PROBLEMS = 100  # problems listed one by one; the rest are counted


@dataclass(frozen=True)
class TableExport:
    """One file written: how many rows, and whether the store had the table at all."""

    name: str
    path: Path
    rows: int
    missing: bool = False


@dataclass
class ParquetSummary:
    """What ``export_parquet`` wrote, and what it could not carry over as stored."""

    directory: Path
    tables: list[TableExport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # tables or columns the store lacks
    problems: list[str] = field(default_factory=list)  # values written as null, the first 100
    problem_count: int = 0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def missing(self) -> list[str]:
        return [t.name for t in self.tables if t.missing]

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "parquet",
            "output": str(self.directory),
            "rows": self.rows,
            "tables": {
                t.name: {"file": str(t.path), "rows": t.rows, "missing": t.missing}
                for t in self.tables
            },
            "notes": self.notes,
            "problems": self.problems,
            "problem_count": self.problem_count,
        }


def export_parquet(
    store: Store,
    directory: Path,
    *,
    include_duplicates: bool = True,
    force: bool = False,
    batch_rows: int = BATCH_ROWS,
    protected: Iterable[Path] = (),
    tables: Sequence[Table] = TABLES,
) -> ParquetSummary:
    """Write each of ``tables`` to ``directory/<name>.parquet`` (the folder is created).
    Refuses, before writing anything, a file that exists (unless ``force``), one of
    ``protected`` or any SQLite database. ``include_duplicates=False`` leaves out
    near-duplicate articles and the rows of their evidence and links."""
    if batch_rows < 1:
        raise UsageError(f"batch_rows must be at least 1, not {batch_rows}")
    targets = _targets(directory, tables, force, tuple(protected))
    summary = ParquetSummary(directory)
    conn = store.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")  # one snapshot for every file
    try:
        present = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            )
        }
        for table, target in zip(tables, targets, strict=True):
            summary.tables.append(
                _export_table(
                    store, table, target, present, summary, include_duplicates, batch_rows
                )
            )
    finally:
        if began:
            conn.rollback()
    return summary


def _targets(
    directory: Path, tables: Sequence[Table], force: bool, protected: tuple[Path, ...]
) -> list[Path]:
    """The files to write, checked and refused before any is written."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"cannot export to {directory}: it is a file, not a folder")
    targets = [directory / f"{table.name}.parquet" for table in tables]
    for target in targets:
        refuse_overwrite(target, protected)
    existing = [t.name for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise OverwriteRefused(
            f"refusing to overwrite {', '.join(existing)} in {directory}: they exist"
            " (--force replaces them)"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create folder {directory}: {exc.strerror or exc}") from exc
    return targets


def _export_table(
    store: Store,
    table: Table,
    target: Path,
    present: set[str],
    summary: ParquetSummary,
    include_duplicates: bool,
    batch_rows: int,
) -> TableExport:
    """Write one table (empty, with its schema, when the store lacks it) and rename it in."""
    lacking = [name for name in table.required if name not in present]
    if lacking:
        summary.notes.append(
            f"{table.name}: the store has no {', '.join(lacking)} table;"
            " written with no rows and its schema"
        )
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    rows = 0
    try:
        with pq.ParquetWriter(temp, table.schema, compression=COMPRESSION) as writer:
            if not lacking:
                query = _query(store, table, summary, include_duplicates)
                wide = [i for i, c in enumerate(table.columns) if c.name in table.wide]
                for batch in _batches(store.conn.execute(query), batch_rows, wide):
                    writer.write_batch(_record_batch(table, batch, summary))
                    rows += len(batch)
        _fsync(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync(target.parent)
    return TableExport(table.name, target, rows, missing=bool(lacking))


def _batches(cursor: sqlite3.Cursor, batch_rows: int, wide: list[int]) -> Iterator[list[Any]]:
    """The cursor's rows in lists of ``batch_rows``, or fewer when the ``wide`` columns
    (whole documents) hold more than ``BATCH_BYTES``: memory is bounded by wide rows too."""
    pending: list[Any] = []
    size = 0
    while rows := cursor.fetchmany(min(FETCH_ROWS, batch_rows - len(pending))):
        pending.extend(rows)
        for i in wide:
            size += sum(len(row[i]) for row in rows if isinstance(row[i], (str, bytes)))
        if len(pending) >= batch_rows or size >= BATCH_BYTES:
            yield pending
            pending, size = [], 0
    if pending:
        yield pending


def _query(store: Store, table: Table, summary: ParquetSummary, include_duplicates: bool) -> str:
    """The table's query, with NULL for a plain column the stored table lacks."""
    stored = {row[1] for row in store.conn.execute(f'PRAGMA table_info("{table.store_table}")')}
    absent = [c.name for c in table.columns if not c.sql and c.name not in stored]
    if not absent:
        return table.query(include_duplicates=include_duplicates)
    summary.notes.append(
        f"{table.name}: the store's {table.store_table} table has no {', '.join(absent)};"
        " written as null"
    )
    columns = tuple(replace(c, sql="NULL") if c.name in absent else c for c in table.columns)
    return replace(table, columns=columns).query(include_duplicates=include_duplicates)


def _fsync(path: Path) -> None:
    """Make a file's bytes (or a folder's rename) durable; some file systems cannot."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _record_batch(table: Table, rows: list[Any], summary: ParquetSummary) -> pa.RecordBatch:
    """Rows of the table's query as one record batch of its schema."""
    values = list(zip(*rows, strict=True))
    keys = values[0]  # named in a problem: the row's id, or its case
    arrays = [
        _array(column, list(column_values), keys, table, summary)
        for column, column_values in zip(table.columns, values, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=table.schema)


def _array(
    column: Column, values: list[Any], keys: Sequence[Any], table: Table, summary: ParquetSummary
) -> pa.Array:
    """One column's values as an Arrow array of its type; values it cannot take are null,
    each recorded in the summary with its row."""
    if column.type == NAMES:
        return _convert(column, values, keys, table, summary)
    if column.type == BOOL:
        values = [None if v is None else bool(v) for v in values]
    source_type = TEXT if column.type in (DATE, TIME) else column.type
    try:
        array = pa.array(values, type=source_type)
        return array if source_type == column.type else array.cast(column.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _convert(column, values, keys, table, summary)


def _convert(
    column: Column, values: list[Any], keys: Sequence[Any], table: Table, summary: ParquetSummary
) -> pa.Array:
    """The slow path, value by value: what cannot be read becomes null, and is reported."""
    reader = READERS[column.type]
    out = []
    for value, key in zip(values, keys, strict=True):
        try:
            out.append(None if value is None else reader(value))
        except (ValueError, TypeError, OverflowError) as exc:
            shown = repr(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            where = f"{table.name} {table.columns[0].name} {key}"
            summary.problem(f"{where}: {column.name} {shown} written as null ({exc})")
            out.append(None)
    return pa.array(out, type=column.type)


def _read_int(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    raise ValueError(f"not a 64-bit integer: {type(value).__name__}")


def _read_float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"not a number: {type(value).__name__}")


def _read_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"not text: {type(value).__name__}")


def _read_bool(value: Any) -> bool:
    return bool(value)


def _read_date(value: Any) -> date:
    return date.fromisoformat(_read_text(value))


def _read_time(value: Any) -> datetime:
    """An ISO time; one without a zone is read as UTC, as the store writes them."""
    moment = datetime.fromisoformat(_read_text(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _read_names(value: Any) -> list[str]:
    """A JSON array of strings."""
    names = json.loads(_read_text(value))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("not a JSON array of strings")
    return names


READERS: dict[pa.DataType, Callable[[Any], Any]] = {
    INT: _read_int,
    FLOAT: _read_float,
    TEXT: _read_text,
    BOOL: _read_bool,
    DATE: _read_date,
    TIME: _read_time,
    NAMES: _read_names,
}
