"""SQLite connections for the store, and its storage faults as one-line StoreErrors.

``store_errors(path)`` is the one place where sqlite3's errors become tocsin's: the command
line wraps it around every command (``tocsin.commands.common.open_store``). It looks
through the exception and those it was raised from or while handling (a failed
``ROLLBACK TO`` hides the SQLITE_FULL that undid the transaction) for a storage fault:

    SQLITE_FULL                          StoreFull      free space, run again; nothing lost
    SQLITE_CORRUPT, SQLITE_NOTADB        StoreCorrupt   confirmed by PRAGMA quick_check
    SQLITE_READONLY                      StoreReadOnly  why: read-only file system,
                                                        immutable flag, permissions
    SQLITE_CANTOPEN, SQLITE_PERM         StoreDenied, StoreReadOnly or StoreError, by why
    SQLITE_BUSY, SQLITE_LOCKED,          StoreLocked    another tocsin is writing: wait
    SQLITE_PROTOCOL
    SQLITE_IOERR                         StoreError     check the disk

Other sqlite3 errors (bad SQL, misuse) are bugs and pass through unchanged.

Read-only connections use SQLite's ``mode=ro``. A WAL database can only be read that way
if its -shm file exists or can be created; on a read-only folder or mount it cannot, and
the connection falls back to ``immutable=1``, which reads the file without locks or the
WAL. That is sound only while nothing writes the file, which a read-only mount ensures;
it is refused when a -wal file holds changes not yet copied into the database, since
``immutable`` would not see them.
"""

from __future__ import annotations

import errno
import os
import shlex
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tocsin.errors import (
    StoreCorrupt,
    StoreDenied,
    StoreError,
    StoreFull,
    StoreLocked,
    StoreReadOnly,
)

BUSY_TIMEOUT = 30.0  # seconds a connection waits for another's write lock (SQLITE_BUSY)
READ_COMMANDS = "status, show, search, export, entities, quotes"


def _connect(target: str, *, uri: bool = False, any_thread: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target, uri=uri, isolation_level=None, timeout=BUSY_TIMEOUT,
        check_same_thread=not any_thread,
    )  # fmt: skip
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={round(BUSY_TIMEOUT * 1000)}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def writable_connection(path: Path, *, any_thread: bool = False) -> sqlite3.Connection:
    """A read-write connection in WAL mode; refused at once if the OS will not let the
    file be written (an immutable file, a read-only mount), before any work is done.
    ``any_thread``: the connection may be closed by another thread than the one that opened
    it (the desk's, which keeps one per worker thread and closes them all at the end)."""
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreReadOnly(_cannot_write(path))
    conn = _connect(str(path), any_thread=any_thread)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _uri(path: Path, query: str) -> str:
    return f"{path.absolute().as_uri()}?{query}"


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, or ``immutable=1`` where the WAL cannot
    be shared (see the module's docstring); ``query_only`` on both."""
    if not path.exists():
        raise missing(path)
    conn = _connect(_uri(path, "mode=ro"), uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if primary_code(exc) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            raise
        _refuse_unsaved_wal(path)
        conn = _connect(_uri(path, "mode=ro&immutable=1"), uri=True)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _refuse_unsaved_wal(path: Path) -> None:
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        raise StoreReadOnly(
            f"cannot read {path} here: {wal} holds changes not yet copied into it, which"
            " SQLite cannot apply where it cannot write; run any tocsin command that writes"
            " where the folder is writable, then try again"
        )


# -- faults ---------------------------------------------------------------------------------


@contextmanager
def store_errors(path: Path) -> Iterator[None]:
    """Re-raise a storage fault SQLite reports inside the block as a StoreError naming
    ``path``; other sqlite3 errors (bugs) pass through unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        fault = store_fault(exc, path)
        if fault is None:
            raise
        raise fault from exc


def as_store_error(exc: sqlite3.Error, path: Path, context: str) -> StoreError:
    """The StoreError for ``exc``: its storage fault, else ``context: exc``."""
    return store_fault(exc, path) or StoreError(f"{context}: {exc}")


def primary_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of an error (extended codes folded), if it has one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def store_fault(exc: BaseException, path: Path) -> StoreError | None:
    """The StoreError for the first storage fault in ``exc``'s chain, or None."""
    for error in _chain(exc):
        if not isinstance(error, sqlite3.Error):
            continue
        make = _FAULTS.get(primary_code(error) or 0)
        if make is None and "malformed" in str(error):
            make = _corrupt
        if make is not None:
            return make(path, error)
    return None


def _full(path: Path, error: sqlite3.Error) -> StoreError:
    return StoreFull(
        f"no space left on the disk for {path}: nothing stored before is lost; free some"
        " space, then run the command again to finish"
    )


def _locked(path: Path, error: sqlite3.Error) -> StoreError:
    return StoreLocked(
        f"{path} is locked: another tocsin (or another program) is writing to it; wait for"
        " it to finish, then run the command again"
    )


def _io(path: Path, error: sqlite3.Error) -> StoreError:
    return StoreError(
        f"disk I/O error on {path} ({error.sqlite_errorname}): check the disk and its file"
        " system (dmesg), then run the command again"
    )


def _corrupt(path: Path, error: sqlite3.Error) -> StoreError:
    finding = quick_check(path)
    if finding is None:
        finding = f"SQLite reported '{error}', though PRAGMA quick_check passes"
    what = "is not a SQLite database or its header is damaged"
    if primary_code(error) != sqlite3.SQLITE_NOTADB:
        what = "is damaged"
    return StoreCorrupt(_damaged(path, finding, what))


def _damaged(path: Path, finding: str, what: str = "is damaged") -> str:
    quoted = shlex.quote(str(path))
    return (
        f"{path} {what} ({finding}): restore it from a backup, or salvage what is"
        f" readable with `sqlite3 {quoted} .recover | sqlite3 recovered.db`"
    )


def ensure_intact(conn: sqlite3.Connection, path: Path) -> None:
    """Raise StoreCorrupt unless ``PRAGMA quick_check`` on ``conn`` passes."""
    with store_errors(path):
        finding = _first_finding(conn.execute("PRAGMA quick_check(1)").fetchall())
    if finding is not None:
        raise StoreCorrupt(_damaged(path, finding))


def quick_check(path: Path) -> str | None:
    """``PRAGMA quick_check`` of ``path`` on a fresh read-only connection: None if it
    passes, else its first finding, or why it could not run."""
    try:
        conn = read_only_connection(path)
        try:
            return _first_finding(conn.execute("PRAGMA quick_check(1)").fetchall())
        finally:
            conn.close()
    except (sqlite3.Error, StoreError) as exc:
        return f"PRAGMA quick_check cannot run: {exc}"


def _first_finding(rows: list[sqlite3.Row] | list[tuple[str]]) -> str | None:
    """None if quick_check reports 'ok', else its first line naming a fault."""
    lines = [line for row in rows for line in str(row[0]).splitlines()]
    if lines == ["ok"]:
        return None
    found = [line for line in lines if line and not line.startswith("***")]
    return f"PRAGMA quick_check: {(found or lines or ['no report'])[0][:160]}"


def _read_only(path: Path, error: sqlite3.Error) -> StoreError:
    return StoreReadOnly(_cannot_write(path, error))


def missing(path: Path) -> StoreError:
    """The error for a store that does not exist, for commands that do not create one."""
    return StoreError(f"no database at {path} (ingest something first, or use --db)")


def _cannot_write(path: Path, error: sqlite3.Error | None = None) -> str:
    return (
        f"cannot write {path}: {_write_refusal(path, error)}; the commands that only read"
        f" ({READ_COMMANDS}) still work on it"
    )


_WRITE_REFUSALS = {
    errno.EROFS: "it is on a read-only file system (remount it read-write, or copy it to a"
    " writable disk)",
    errno.EPERM: "it is marked immutable or append-only (lsattr shows it; chattr -i or -a,"
    " as root, lifts it)",
    errno.EACCES: "you have no permission to write it (see ls -l)",
}


def _write_refusal(path: Path, error: sqlite3.Error | None) -> str:
    """Why the operating system will not let ``path`` (or its folder) be written."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        return _WRITE_REFUSALS.get(exc.errno or 0, f"opening it to write fails ({exc.strerror})")
    folder = path.absolute().parent
    if not os.access(folder, os.W_OK):
        return (
            f"its folder {folder} cannot be written, and SQLite needs to create"
            f" {path.name}-wal and {path.name}-shm there"
        )
    return f"SQLite cannot write it ({error or 'opened read-only'})"


def _cannot_open(path: Path, error: sqlite3.Error) -> StoreError:
    folder = path.absolute().parent
    try:
        os.close(os.open(path, os.O_RDONLY))
    except FileNotFoundError:
        if not os.access(folder, os.W_OK):
            return StoreReadOnly(f"cannot create {path}: its folder {folder} cannot be written")
        return missing(path)
    except OSError as exc:
        return StoreDenied(
            f"cannot open {path}: {exc.strerror}; check its owner and mode (ls -l) and that"
            " every folder above it can be entered"
        )
    return StoreReadOnly(_cannot_write(path, error))


_FAULTS: dict[int, Callable[[Path, sqlite3.Error], StoreError]] = {
    sqlite3.SQLITE_FULL: _full,
    sqlite3.SQLITE_CORRUPT: _corrupt,
    sqlite3.SQLITE_NOTADB: _corrupt,
    sqlite3.SQLITE_READONLY: _read_only,
    sqlite3.SQLITE_CANTOPEN: _cannot_open,
    sqlite3.SQLITE_PERM: _cannot_open,
    sqlite3.SQLITE_BUSY: _locked,
    sqlite3.SQLITE_LOCKED: _locked,
    sqlite3.SQLITE_PROTOCOL: _locked,
    sqlite3.SQLITE_IOERR: _io,
}
