"""Storage faults end in one line naming the file and an exit status, never a traceback,
and lose nothing: a full disk, a damaged store, a read-only mount or file, an immutable
file, a store locked by another writer. And no output can destroy the store.

The faults are real where the platform allows: SQLite's own SQLITE_FULL (``PRAGMA
max_page_count``), bytes overwritten in a real store, a read-only bind mount in a user
namespace, ``chattr +i``, a write lock held by a second connection. Where one cannot be
made (no user namespaces, no CAP_LINUX_IMMUTABLE), the test says how it stands in for it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import tocsin.store.db
import tocsin.store.faults
from tocsin.cli import main
from tocsin.errors import StoreFull
from tocsin.store.db import Store, migrations, store_errors

ARTICLES = 8
READ_COMMANDS = (
    ("status",),
    ("show", "1"),
    ("search", "border"),
    ("export",),
    ("entities",),
    ("quotes",),
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_articles(
    folder: Path, first: int, count: int, paragraphs: Callable[..., list[str]]
) -> Path:
    """``count`` small plain-text articles, numbered from ``first``, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        body = "\n\n".join(paragraphs(700 + n, n=6))
        (folder / f"story{n:03d}.txt").write_text(
            f"Story {n} about the border\n\n{body}\n", "utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, paragraphs: Callable[..., list[str]]
) -> Path:
    """A store holding ARTICLES ingested and extracted articles, closed cleanly."""
    base = tmp_path_factory.mktemp("template")
    corpus = write_articles(base / "corpus", 0, ARTICLES, paragraphs)
    db = base / "t.db"
    result = run("ingest", str(corpus), "--db", str(db), "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == ARTICLES
    assert not Path(f"{db}-wal").exists()  # the writer checkpointed and removed its WAL
    return db


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template store."""
    copy = tmp_path / "t.db"
    shutil.copyfile(template, copy)
    return copy


def one_line_error(result: Result, db: Path, status: int = 3) -> str:
    """The single ``error: …`` line a failed command printed; it names ``db``."""
    assert result.exit_code == status, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert str(db) in lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def table_count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def integrity(db: Path) -> list[tuple[str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def page_size(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()


def root_page(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        return int(row.fetchone()[0])
    finally:
        conn.close()


def overwrite(db: Path, offset: int, data: bytes) -> None:
    with open(db, "r+b") as fh:
        fh.seek(offset)
        fh.write(data)


# -- a full disk --------------------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Cap every writable connection the commands open at its size plus ``spare`` pages:
    SQLite then fails the next write past it with its own SQLITE_FULL."""

    def cap(spare: int) -> None:
        connect = tocsin.store.db.writable_connection

        def capped(path: Path, **options: bool) -> sqlite3.Connection:
            conn = connect(path, **options)
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + spare}")
            return conn

        monkeypatch.setattr(tocsin.store.db, "writable_connection", capped)

    return cap


def test_a_full_disk_during_ingest_is_one_line_and_loses_nothing(
    db: Path,
    tmp_path: Path,
    paragraphs: Callable[..., list[str]],
    full_disk: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    more = write_articles(tmp_path / "more", 100, 30, paragraphs)
    full_disk(3)
    result = run("ingest", str(more), "--db", str(db), "--workers", "1", "--no-extract")
    line = one_line_error(result, db)
    assert line == (
        f"error: no space left on the disk for {db}: nothing stored before is lost; free"
        " some space, then run the command again to finish"
    )
    assert integrity(db) == [("ok",)]
    assert table_count(db, "articles") == ARTICLES  # the batch was undone whole
    monkeypatch.undo()  # room again: the rerun completes
    again = run("ingest", str(more), "--db", str(db), "--workers", "1", "--no-extract", "--json")
    assert again.exit_code == 0, again.output
    assert table_count(db, "articles") == ARTICLES + 30


def test_a_full_disk_during_extraction_is_one_line_and_a_rerun_completes(
    db: Path,
    tmp_path: Path,
    paragraphs: Callable[..., list[str]],
    full_disk: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    more = write_articles(tmp_path / "more", 200, 12, paragraphs)
    added = run("ingest", str(more), "--db", str(db), "--workers", "1", "--no-extract")
    assert added.exit_code == 0, added.output
    full_disk(0)
    result = run("extract", "--db", str(db), "--workers", "1", "--quiet")
    assert "no space left on the disk" in one_line_error(result, db)
    assert integrity(db) == [("ok",)]
    done_before = table_count(db, "extractions")
    assert done_before < ARTICLES + 12
    monkeypatch.undo()
    again = run("extract", "--db", str(db), "--workers", "1", "--quiet", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["processed"] == ARTICLES + 12 - done_before
    status = json.loads(run("status", "--db", str(db), "--json").stdout)
    assert status["extraction"]["pending"] == 0


def _fill_then_roll_back(store: Store) -> None:
    """What the ingest writer does: a savepoint per item, rolled back if the item fails."""
    with store_errors(store.path):
        store.conn.execute("BEGIN IMMEDIATE")
        store.conn.execute("SAVEPOINT item")
        try:
            store.put_blob("x", 1, os.urandom(100_000))
        except sqlite3.Error:
            store.conn.execute("ROLLBACK TO item")


def test_a_fault_hidden_by_a_failed_rollback_is_still_found(tmp_path: Path) -> None:
    """SQLITE_FULL undoes the whole transaction, so the ROLLBACK TO that follows fails with
    'no such savepoint'; the translation looks through to the full disk."""
    with Store.open(tmp_path / "t.db") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreFull, match="no space left") as caught:
            _fill_then_roll_back(store)
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert "no such savepoint" in str(caught.value.__cause__)


# -- a damaged store ----------------------------------------------------------------------

EVERY_COMMAND = (
    *READ_COMMANDS,
    ("ingest", "NEW", "--workers", "1"),
    ("extract", "--workers", "1"),
    ("assess", "belarus-2022", "--no-embeddings"),
)


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c[0])
def test_damage_in_the_middle_of_the_file_stops_every_command(
    db: Path, tmp_path: Path, command: tuple[str, ...], paragraphs: Callable[..., list[str]]
) -> None:
    size = db.stat().st_size
    overwrite(db, size // 3, b"\xde\xad\xbe\xef" * (size // 12))  # the middle third
    damaged = db.read_bytes()
    new = write_articles(tmp_path / "new", 300, 1, paragraphs)
    args = [str(new) if arg == "NEW" else arg for arg in command]
    result = run(*args, "--db", str(db))
    line = one_line_error(result, db)
    assert f"error: {db} is damaged (PRAGMA quick_check" in line
    assert (
        f"restore it from a backup, or salvage what is readable with `sqlite3 {db} .recover" in line
    )
    assert result.stdout == ""  # nothing printed as if it were a result
    assert db.read_bytes() == damaged  # and nothing written into it


def test_an_empty_answer_from_a_damaged_store_is_an_error_not_no_results(db: Path) -> None:
    """The raw-bytes table is damaged: queries that never read it still answer what they
    find, but an empty answer (no match, no such article, no quotes of a speaker) is
    checked first, and so are `status` and `export`, which vouch for the whole store."""
    size = page_size(db)
    overwrite(db, (root_page(db, "blobs") - 1) * size, b"\xde\xad\xbe\xef" * (size // 4))
    assert run("show", "1", "--db", str(db)).stdout.startswith("#1 Story 0 about the border")
    assert "border" in run("search", "border", "--db", str(db)).stdout
    for command in (
        ("search", "zeppelin"),
        ("show", "999"),
        ("quotes", "--speaker", "Nobody Atall"),
        ("status",),
        ("export",),
    ):
        result = run(*command, "--db", str(db))
        assert "PRAGMA quick_check: " in one_line_error(result, db), command
        assert result.stdout == ""


def test_damage_met_in_the_middle_of_a_query_is_confirmed(db: Path) -> None:
    """The articles table's root page is garbage: the store opens, and the query that
    reads it meets SQLite's SQLITE_CORRUPT, which quick_check confirms."""
    size = page_size(db)
    overwrite(db, (root_page(db, "articles") - 1) * size, b"\xde\xad\xbe\xef" * (size // 4))
    for command in (("show", "1"), ("search", "border")):
        result = run(*command, "--db", str(db))
        assert "is damaged (PRAGMA quick_check: " in one_line_error(result, db), command
        assert result.stdout == ""


def test_rows_lost_without_an_error_are_caught(db: Path) -> None:
    """Zeroing a page's cell pointers makes SQLite read its rows as absent, without an
    error: `show` used to say 'no article' (and `export` wrote nothing) and exit 0 or 4."""
    size = page_size(db)
    overwrite(db, (root_page(db, "sources") - 1) * size + 8, bytes(size - 8))
    for command in (("show", "1"), ("export",), ("status",)):
        result = run(*command, "--db", str(db))
        assert "Offset 0 out of range" in one_line_error(result, db), command


def test_damage_quick_check_cannot_see_is_still_an_error(db: Path) -> None:
    """Garbage inside the full-text index's blocks leaves every b-tree page sound, so
    quick_check passes; FTS5 reports the corruption and the message says both."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE articles_fts_data SET block = randomblob(length(block)) WHERE id > 10")
    conn.close()
    result = run("search", "border", "--db", str(db))
    line = one_line_error(result, db)
    assert "though PRAGMA quick_check passes" in line
    assert result.stdout == ""


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes\n" * 500, "utf-8")
    for command in READ_COMMANDS:
        line = one_line_error(run(*command, "--db", str(notes)), notes)
        assert "file is not a database" in line, command
    assert notes.read_text("utf-8") == "these are my notes\n" * 500


# -- read-only stores ---------------------------------------------------------------------


def _ro_mount_prefix(folder: Path) -> list[str] | None:
    """A command prefix running what follows with ``folder`` bind-mounted read-only in a
    private user and mount namespace, if this machine allows it (no root needed)."""
    unshare = shutil.which("unshare")
    if unshare is None or sys.platform != "linux":
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = [unshare, "-rm", "sh", "-c", script, str(folder)]
    probe = subprocess.run([*prefix, "touch", str(folder / "probe")], capture_output=True)
    if probe.returncode == 0 or b"Read-only file system" not in probe.stderr:
        (folder / "probe").unlink(missing_ok=True)
        return None
    return prefix


DRIVER = """
import json, sys
from click.testing import CliRunner
from tocsin.cli import main
db, commands = sys.argv[1], json.loads(sys.argv[2])
results = []
for command in commands:
    r = CliRunner().invoke(main, [*command, "--db", db])
    results.append({"status": r.exit_code, "stdout": r.stdout, "stderr": r.stderr})
print(json.dumps(results))
"""


def _commands_on_read_only(
    db: Path, commands: list[list[str]], stand_in: str = "-wal"
) -> tuple[str, list[dict[str, str]]]:
    """Run ``commands`` on ``db`` with its folder read-only: a real read-only mount where
    user namespaces allow it; else, for a user other than root, real permissions (folder
    0555, file 0444); else (root, whom permissions do not stop) a directory where SQLite
    must create the WAL's ``stand_in`` file, so that SQLite fails to create it exactly as
    in a read-only folder (SQLITE_CANTOPEN) and tocsin takes the same paths. Returns how
    it was done and each command's outcome."""
    folder = db.parent
    prefix = _ro_mount_prefix(folder)
    argv = [sys.executable, "-c", DRIVER, str(db), json.dumps(commands)]
    if prefix is not None:
        how = "read-only mount"
    elif os.geteuid() != 0:
        how = "permissions"
        db.chmod(0o444)
        folder.chmod(0o555)
        prefix = []
    else:
        how = f"{stand_in} is a directory"
        Path(f"{db}{stand_in}").mkdir()
        prefix = []
    try:
        done = subprocess.run([*prefix, *argv], capture_output=True, text=True, check=True)
    finally:
        folder.chmod(0o755)
    return how, json.loads(done.stdout)


def test_a_read_only_store_serves_every_read_command_and_refuses_writes(
    db: Path, tmp_path: Path, paragraphs: Callable[..., list[str]]
) -> None:
    before = db.read_bytes()
    new = write_articles(tmp_path / "elsewhere" / "new", 400, 1, paragraphs)
    commands = [list(c) for c in READ_COMMANDS] + [["ingest", str(new)], ["extract", "--redo"]]
    how, results = _commands_on_read_only(db, commands)
    for command, result in zip(commands, results, strict=True):
        if command[0] in ("ingest", "extract"):
            assert result["status"] == 3, (how, command, result)
            line = result["stderr"].strip()
            assert line.startswith(f"error: cannot write {db}: "), (how, line)
            assert "the commands that only read" in line
            assert len(line.splitlines()) == 1
        else:
            assert result["status"] == 0, (how, command, result)
            assert result["stdout"].strip(), (how, command)
    export = results[3]["stdout"].splitlines()
    assert len(export) == ARTICLES
    if how == "read-only mount":
        assert "read-only file system" in results[-1]["stderr"]
    assert db.read_bytes() == before


def test_a_read_only_store_never_reads_stale_past_its_wal(db: Path, tmp_path: Path) -> None:
    """A copy of a store taken while a writer's WAL held a change, on a read-only folder.
    SQLite cannot share the WAL there, and ``immutable=1`` would read the file as it was
    before the change: tocsin refuses, and says how to get out. (Where the read-only
    folder has to be simulated, by a directory in the -shm file's place, SQLite can keep
    the WAL's index in memory instead, and reads the change: also never stale.)"""
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE articles SET title = 'changed' WHERE id = 1")
    copy = tmp_path / "copy" / "t.db"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    shutil.copyfile(f"{db}-wal", f"{copy}-wal")
    writer.close()
    how, (result,) = _commands_on_read_only(copy, [["show", "1", "--json"]], "-shm")
    if how == "-shm is a directory":
        assert result["status"] == 0, result
        assert json.loads(result["stdout"])["title"] == "changed"
        return
    assert result["status"] == 3, (how, result)
    assert result["stderr"].strip() == (
        f"error: cannot read {copy} here: {copy}-wal holds changes not yet copied into it,"
        " which SQLite cannot apply where it cannot write; run any tocsin command that"
        " writes where the folder is writable, then try again"
    )


def test_reading_never_writes_tocsin_tables_into_another_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes(text TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    line = one_line_error(run("status", "--db", str(other)), other)
    assert "holds no tocsin database" in line
    assert other.read_bytes() == before
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "holds no tocsin database" in one_line_error(
        run("search", "x", "--db", str(empty)), empty
    )
    assert empty.stat().st_size == 0


def test_a_read_only_opening_of_an_older_store_upgrades_it_first(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in migrations()[:-1]:
        conn.executescript(migration.sql)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT '')"
    )
    for migration in migrations()[:-1]:
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, '')", (migration.version, "x"))
    conn.close()
    with Store.open(path, read_only=True) as store:
        assert store.schema_version() == migrations()[-1].version
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.conn.execute("DELETE FROM articles")


# -- an immutable file --------------------------------------------------------------------


@pytest.fixture
def immutable(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``db`` made immutable with ``chattr +i`` where that works (root, or
    CAP_LINUX_IMMUTABLE, on a file system with the flag), and checked to be so. Elsewhere
    the kernel's answers for an immutable file are given instead: access(W_OK) false and
    EPERM when it is opened for writing, for this file only; tocsin's code path is the same."""
    chattr = shutil.which("chattr")
    made = chattr is not None and subprocess.run([chattr, "+i", str(db)]).returncode == 0
    try:
        if made:
            with pytest.raises(PermissionError):
                open(db, "r+b").close()
            yield "chattr +i"
        else:
            real_open, real_access = os.open, os.access

            def fake_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
                if Path(path) == db and flags & (os.O_RDWR | os.O_WRONLY):
                    raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
                return real_open(path, flags, *args)

            def fake_access(path: str | os.PathLike[str], mode: int) -> bool:
                return False if Path(path) == db and mode & os.W_OK else real_access(path, mode)

            monkeypatch.setattr(tocsin.store.faults.os, "open", fake_open)
            monkeypatch.setattr(tocsin.store.faults.os, "access", fake_access)
            yield "simulated"
    finally:
        if made:
            subprocess.run([str(chattr), "-i", str(db)], check=True)


def test_an_immutable_store_is_read_but_not_written(
    db: Path, immutable: str, tmp_path: Path, paragraphs: Callable[..., list[str]]
) -> None:
    before = db.read_bytes()
    new = write_articles(tmp_path / "new", 500, 1, paragraphs)
    line = one_line_error(run("ingest", str(new), "--db", str(db)), db)
    assert line == (
        f"error: cannot write {db}: it is marked immutable or append-only (lsattr shows it;"
        " chattr -i or -a, as root, lifts it); the commands that only read (status, show,"
        " search, export, entities, quotes) still work on it"
    ), immutable
    assert one_line_error(run("extract", "--db", str(db)), db) == line
    for command in READ_COMMANDS:
        assert run(*command, "--db", str(db)).exit_code == 0, (immutable, command)
    assert db.read_bytes() == before


# -- a locked store -----------------------------------------------------------------------


def test_a_store_locked_by_another_writer(
    db: Path, tmp_path: Path, paragraphs: Callable[..., list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tocsin.store.faults, "BUSY_TIMEOUT", 0.1)
    new = write_articles(tmp_path / "new", 600, 2, paragraphs)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE articles SET title = title WHERE id = 1")
    try:
        result = run("ingest", str(new), "--db", str(db), "--no-extract")
        assert one_line_error(result, db) == (
            f"error: {db} is locked: another tocsin (or another program) is writing to it;"
            " wait for it to finish, then run the command again"
        )
        status = run("status", "--db", str(db), "--json")  # readers do not wait for writers
        assert status.exit_code == 0
        assert json.loads(status.stdout)["counts"]["articles"] == ARTICLES
    finally:
        other.execute("ROLLBACK")
        other.close()
    again = run("ingest", str(new), "--db", str(db), "--no-extract", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["added"] == 2


# -- no output over the store -------------------------------------------------------------


def _spellings(db: Path) -> Iterator[tuple[str, Path]]:
    (db.parent / "sub").mkdir()
    yield "the same path", db
    yield "sub/../t.db", db.parent / "sub" / ".." / db.name
    (db.parent / "link.jsonl").symlink_to(db)
    yield "a symbolic link", db.parent / "link.jsonl"
    os.link(db, db.parent / "hard.jsonl")
    yield "a hard link", db.parent / "hard.jsonl"
    yield "its -wal file", Path(f"{db}-wal")


def test_export_onto_the_store_is_refused_by_any_spelling(db: Path) -> None:
    before = db.read_bytes()
    for how, target in _spellings(db):
        result = run("export", "--db", str(db), "-o", str(target))
        assert result.exit_code == 2, (how, result.output)
        assert "refusing to write" in result.stderr, how
        assert db.read_bytes() == before, how
    assert table_count(db, "articles") == ARTICLES


def test_export_to_standard_output_appended_to_the_store_is_refused(db: Path) -> None:
    before = db.read_bytes()
    with open(db, "ab") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "tocsin.cli", "export", "--db", str(db)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: refusing to write to standard output: it is {db}")
    assert db.read_bytes() == before


def test_case_new_never_overwrites_a_database(db: Path) -> None:
    before = db.read_bytes()
    result = run("case", "new", str(db), "--force")
    assert result.exit_code == 2
    assert f"refusing to write {db}: it is a SQLite database" in result.stderr
    assert db.read_bytes() == before


# -- an export over an old file on a disk that fills up -----------------------------------


def test_an_export_that_runs_out_of_room_leaves_the_old_file_whole(
    db: Path, tmp_path: Path
) -> None:
    """A real write failure in the middle of the file: the process may write no more than
    40 kB into any file (RLIMIT_FSIZE: the kernel fails the write with EFBIG, as it fails
    one with ENOSPC on a full disk); the export is larger."""
    old = tmp_path / "out.jsonl"
    old.write_bytes(b'{"old": true}\n' * 100)
    before = old.read_bytes()
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (40960, 40960));"
        " from tocsin.cli import main; sys.argv[0] = 'tocsin'; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "export", "--db", str(db), "-o", str(old)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert f"cannot write {old}: File too large (it is left as it was)" in done.stderr
    assert "Traceback" not in done.stderr
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "out.jsonl" in p.name) == ["out.jsonl"]
    full = run("export", "--db", str(db), "-o", str(old))  # no limit: the export is larger
    assert full.exit_code == 0
    assert old.stat().st_size > 40960


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/full is Linux's")
def test_an_export_to_a_full_device_is_one_error(db: Path) -> None:
    result = run("export", "--db", str(db), "-o", "/dev/full")
    assert result.exit_code == 2
    assert "cannot write /dev/full: No space left on device" in result.output
    assert run("export", "--db", str(db), "-o", "/dev/null").exit_code == 0
    assert Path("/dev/null").is_char_device()
