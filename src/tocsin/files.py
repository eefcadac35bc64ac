"""Files tocsin writes: whole or not at all, and never over a file it reads.

``atomic_write`` writes to a temporary file beside the target (same folder, so the final
rename is atomic), fsyncs it and moves it into place with ``os.replace`` only once it is
complete; on any failure, a full disk included, the temporary file is removed and the old target is
left byte for byte as it was. ``refuse_overwrite`` refuses a target that is a protected
file (the store, its -wal, -shm or -journal, an input of the run) by any spelling of its
path: relative parts, symbolic links, hard links. It also refuses any SQLite database:
nothing tocsin writes is ever meant to replace one.

Only the standard library and ``tocsin.errors`` are imported here.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, TextIO

from tocsin.errors import InvalidInput, OverwriteRefused

SQLITE_HEADER = b"SQLite format 3\x00"


def database_files(db: Path) -> tuple[Path, ...]:
    """The store and the files SQLite keeps beside it."""
    return (db, *(Path(f"{db}{suffix}") for suffix in ("-wal", "-shm", "-journal")))


def _identity(target: Path | int) -> tuple[int, int] | None:
    """(device, inode) of an existing file or open descriptor; None if there is none."""
    try:
        st = os.stat(target)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _same_file(target: Path, other: Path) -> bool:
    """True when both name one file: same inode if both exist, else the same real path."""
    ids = _identity(target), _identity(other)
    if ids[0] is not None and ids[1] is not None:
        return ids[0] == ids[1]
    return os.path.realpath(target) == os.path.realpath(other)


def is_sqlite_database(path: Path) -> bool:
    """True when ``path`` is a regular file starting with SQLite's header."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # never open a pipe or a device just to look at it
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _stream_fd(stream: IO[Any]) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):  # a stream with no descriptor (a test's)
        return None


def refuse_overwrite(target: Path | IO[Any], protected: Iterable[Path]) -> None:
    """Raise OverwriteRefused if writing ``target`` would destroy one of ``protected`` or
    any SQLite database. ``target`` is a path, or an open stream such as standard output
    (compared by inode: ``tocsin export >> tocsin.db``)."""
    if not isinstance(target, Path):
        fd = _stream_fd(target)
        here = None if fd is None else _identity(fd)
        for path in protected:
            if here is not None and here == _identity(path):
                raise OverwriteRefused(
                    f"refusing to write to standard output: it is {path}, which this command reads"
                )
        return
    for path in protected:
        if _same_file(target, path):
            raise OverwriteRefused(
                f"refusing to write {target}: it is {path}, which this command reads"
            )
    if is_sqlite_database(target):
        raise OverwriteRefused(f"refusing to write {target}: it is a SQLite database")


def _mode_for(final: Path) -> int | None:
    """The permission bits to keep: the old file's, if there is one."""
    try:
        return stat.S_IMODE(os.stat(final).st_mode)
    except FileNotFoundError:
        return None


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; some file systems cannot open a folder: the rename stands."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_write(target: Path, protected: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A UTF-8 text file to write ``target`` through, put in place only if the block ends
    without an exception. A symbolic link is written through (the file it names is
    replaced). A target that is not a regular file (``/dev/null``, a pipe) is written
    directly: there is nothing there to keep. The file gets the old file's permissions, or
    the umask's for a new one (not a ``mkstemp`` file's 0600)."""
    refuse_overwrite(target, tuple(protected))
    final = Path(os.path.realpath(target))
    if final.exists() and not final.is_file():
        with open(final, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        return
    mode = _mode_for(final)
    temp = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(final.parent)


def write_text_atomic(target: Path, text: str, protected: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``target`` with ``atomic_write``."""
    with atomic_write(target, protected) as fh:
        fh.write(text)


def read_small_text(path: Path, what: str, limit: int, too_large: str, hint: str = "") -> str:
    """The UTF-8 text of the ``what`` file at ``path`` (a case file, a sources file), at
    most ``limit`` bytes read so that a device or a pipe cannot fill the memory;
    InvalidInput when it cannot be read, is larger (``too_large`` says so), or is not
    UTF-8 (``hint`` added)."""
    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if len(raw) > limit:
        raise InvalidInput(f"{path}: {too_large}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start}){hint}") from exc
