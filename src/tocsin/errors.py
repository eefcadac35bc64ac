"""One exception tree for tocsin.

    TocsinError
     ├── InputError        one input could not be ingested; carries a FailureCode
     ├── StoreError        the database is unusable (bad path, failed migration); exit 3
     │    ├── StoreFull        the disk is full (SQLITE_FULL); nothing committed is lost
     │    ├── StoreCorrupt     the file is damaged, as PRAGMA quick_check confirms
     │    ├── StoreReadOnly    it can be read but not written: read-only file system,
     │    │                    immutable flag, no write permission on it or its folder
     │    ├── StoreDenied      the operating system refuses even to let it be read
     │    └── StoreLocked      another connection holds the write lock past the busy timeout
     ├── OverwriteRefused  an output would overwrite the store or another input; exit 2
     └── ConfigError       a setting has an invalid value

InputError never escapes a batch: the pipeline records it against the input and goes on.
A StoreError's message is one line that names the file and says what to do; the command
line prints it as ``error: <message>`` (``tocsin.store.db.store_errors`` makes them from
sqlite3's errors).
"""

from __future__ import annotations

from enum import StrEnum


class FailureCode(StrEnum):
    """Why an input failed; stored in ``sources.error_code`` and documented in docs/cli.md."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    UNSAFE_XML = "unsafe_xml"
    BAD_FEED = "bad_feed"
    BAD_JSON = "bad_json"
    NO_TEXT = "no_text"
    UNSUPPORTED = "unsupported"
    NOT_FOUND = "not_found"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    REDIRECT_LOOP = "redirect_loop"
    HTTP_STATUS = "http_status"
    CONTENT_TYPE = "content_type"
    INTERNAL = "internal"


# Failures that depend on the network, not on the input's bytes: always retried.
TRANSIENT = frozenset(
    {
        FailureCode.UNREACHABLE,
        FailureCode.TIMEOUT,
        FailureCode.HTTP_STATUS,
        FailureCode.REDIRECT_LOOP,
        FailureCode.CONTENT_TYPE,
    }
)


class TocsinError(Exception):
    """Base of every error tocsin raises on purpose."""


class InputError(TocsinError):
    """An input that cannot become an article, with a machine code and a human reason."""

    def __init__(self, code: FailureCode, reason: str) -> None:
        super().__init__(f"{code.value}: {reason}")
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[FailureCode, str]]:
        # Workers send failures back to the parent by pickling them.
        return (type(self), (self.code, self.reason))


class StoreError(TocsinError):
    """The store cannot be opened, migrated, read or written."""


class StoreFull(StoreError):
    """No space is left on the disk holding the store (SQLITE_FULL)."""


class StoreCorrupt(StoreError):
    """The store is damaged: SQLite reported corruption and PRAGMA quick_check was run."""


class StoreReadOnly(StoreError):
    """The store can be read but not written (read-only mount, immutable, permissions)."""


class StoreDenied(StoreError):
    """The operating system refuses to let tocsin open the store at all."""


class StoreLocked(StoreError):
    """Another connection holds the store's write lock for longer than the busy timeout."""


class OverwriteRefused(TocsinError):
    """An output file would overwrite the store, its -wal or -shm, or an input of the run."""


class ConfigError(TocsinError):
    """A setting has a value tocsin cannot use."""
