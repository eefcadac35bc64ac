"""Files tocsin writes: whole or not at all, and never over the store or another input."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO, cast

import pytest

import tocsin.files
from tocsin.errors import OverwriteRefused
from tocsin.files import atomic_write, database_files, refuse_overwrite, write_text_atomic
from tocsin.report.write import write_report

OLD = "the old contents, which must survive\n" * 50
NEW = "new line\n" * 2000


class FillingFile:
    """A text file on a disk with ``room`` characters left: the write that crosses it
    puts what fits on disk, then fails with ENOSPC as the kernel does."""

    def __init__(self, real: TextIO, room: int) -> None:
        self.real, self.room, self.written = real, room, 0

    def write(self, text: str) -> int:
        if self.written + len(text) > self.room:
            self.real.write(text[: self.room - self.written])
            self.real.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.written += len(text)
        return self.real.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __enter__(self) -> FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The next new file atomic_write creates fills the disk after 1,000 characters;
    returns the list the temporary file's path is added to."""
    made: list[Path] = []

    def fake_open(file: Any, mode: str = "r", **kwargs: Any) -> Any:
        real = open(file, mode, **kwargs)  # noqa: SIM115 (closed by FillingFile)
        if mode != "x":
            return real
        made.append(Path(file))
        return FillingFile(real, 1000)

    monkeypatch.setattr(tocsin.files, "open", fake_open, raising=False)
    return made


def leftovers(folder: Path, target: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != target.name)


def test_a_full_disk_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, disk_fills_up: list[Path]
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text(OLD, "utf-8")
    with pytest.raises(OSError, match="No space left") as caught:
        write_text_atomic(target, NEW)
    assert caught.value.errno == errno.ENOSPC
    assert len(disk_fills_up) == 1  # the failure was in the temporary file, beside it
    assert disk_fills_up[0].parent == tmp_path
    assert target.read_text("utf-8") == OLD
    assert leftovers(tmp_path, target) == []


def test_a_failing_fsync_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Delayed allocation: writes land in memory and the full disk shows at fsync."""

    def no_room(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    target = tmp_path / "brief.md"
    target.write_text(OLD, "utf-8")
    monkeypatch.setattr(tocsin.files.os, "fsync", no_room)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(target, NEW)
    assert target.read_text("utf-8") == OLD
    assert leftovers(tmp_path, target) == []


def _interrupted_write(target: Path) -> None:
    with atomic_write(target) as fh:
        fh.write(NEW)
        raise KeyboardInterrupt


def test_an_exception_while_writing_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text(OLD, "utf-8")
    with pytest.raises(KeyboardInterrupt):
        _interrupted_write(target)
    assert target.read_text("utf-8") == OLD
    assert leftovers(tmp_path, target) == []


def test_a_complete_write_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.jsonl"
    target.write_text(OLD, "utf-8")
    target.chmod(0o600)
    write_text_atomic(target, NEW)
    assert target.read_text("utf-8") == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    mask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "fresh.md", NEW)
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "fresh.md").stat().st_mode) == 0o644
    assert leftovers(tmp_path, target) == ["fresh.md"]


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text(OLD, "utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    write_text_atomic(link, NEW)
    assert link.is_symlink()
    assert real.read_text("utf-8") == NEW


def test_a_device_is_written_in_place(tmp_path: Path) -> None:
    write_text_atomic(Path(os.devnull), NEW)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    db = tmp_path / "x.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    return db


def test_the_store_is_refused_by_any_spelling(store_file: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(store_file)
    os.link(store_file, tmp_path / "hard")
    protected = database_files(store_file)
    for target in (
        store_file,
        tmp_path / "sub" / ".." / "x.db",
        tmp_path / "link",
        tmp_path / "hard",
        Path(f"{store_file}-wal"),  # not there yet: it would be SQLite's once it is
        tmp_path / "sub" / ".." / "x.db-shm",
    ):
        with pytest.raises(OverwriteRefused, match="which this command reads"):
            refuse_overwrite(target, protected)
    refuse_overwrite(tmp_path / "x.jsonl", protected)  # anything else is fine


def test_any_sqlite_database_is_refused(store_file: Path) -> None:
    with pytest.raises(OverwriteRefused, match="it is a SQLite database"):
        refuse_overwrite(store_file, ())


def test_a_stream_onto_the_store_is_refused(store_file: Path, tmp_path: Path) -> None:
    with open(store_file, "ab") as fh, pytest.raises(OverwriteRefused, match="standard output"):
        refuse_overwrite(fh, database_files(store_file))
    with open(tmp_path / "other", "wb") as fh:
        refuse_overwrite(fh, database_files(store_file))


def test_a_report_over_the_store_is_refused_before_either_file_is_written(
    store_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "case-x.md").symlink_to(store_file)
    before = store_file.read_bytes()
    assessment = cast(Any, SimpleNamespace(case=SimpleNamespace(id="case-x")))
    with pytest.raises(OverwriteRefused):
        write_report(assessment, out, protected=database_files(store_file))
    assert sorted(p.name for p in out.iterdir()) == ["case-x.md"]  # no HTML either
    assert store_file.read_bytes() == before


def test_an_export_over_an_old_file_on_a_disk_that_fills_up(
    tmp_path: Path, disk_fills_up: list[Path], good_article: Any
) -> None:
    from click.testing import CliRunner

    from tocsin.cli import main

    (tmp_path / "in").mkdir()
    for n in range(3):
        (tmp_path / "in" / f"{n}.html").write_text(good_article(n, f"Story {n}"), "utf-8")
    db, target = tmp_path / "t.db", tmp_path / "out" / "export.jsonl"
    args = ["--db", str(db)]
    assert (
        CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), *args, "--no-extract"]).exit_code
        == 0
    )
    target.parent.mkdir()
    target.write_text(OLD, "utf-8")
    result = CliRunner().invoke(main, ["export", *args, "-o", str(target)])
    assert result.exit_code == 2
    assert f"cannot write {target}: No space left on device (it is left as it was)" in result.stderr
    assert target.read_text("utf-8") == OLD
    assert leftovers(target.parent, target) == []
