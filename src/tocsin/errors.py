"""One exception tree for tocsin, each branch with the exit status the command line gives it.

    TocsinError
     ├── InputError        one input could not be ingested; carries a FailureCode
     ├── UsageError        a command was given options it cannot use             exit 2
     │    └── OverwriteRefused  an output would overwrite the store or another input
     ├── StoreError        the database is unusable                               exit 3
     │    ├── StoreFull        the disk is full (SQLITE_FULL); nothing committed is lost
     │    ├── StoreCorrupt     the file is damaged, as PRAGMA quick_check confirms
     │    ├── StoreReadOnly    it can be read but not written: read-only file system,
     │    │                    immutable flag, no write permission on it or its folder
     │    ├── StoreDenied      the operating system refuses even to let it be read
     │    └── StoreLocked      another connection holds the write lock past the busy timeout
     ├── NotFound          something named does not exist: an article, a link     exit 4
     ├── InvalidInput      a file or value given is not valid: a case file, an    exit 5
     │                     alias table, an actors CSV
     └── ConfigError       a setting has an invalid value, or the installation    exit 6
                           lacks a model it names

InputError never escapes a batch: the pipeline records it against the input and goes on.
The command line maps the others to their exit status in one place (``tocsin.cli``) and
prints each as one line, ``error: <message>``. A StoreError's message names the file and
says what to do (``tocsin.store.db.store_errors`` makes them from sqlite3's errors).
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
    NOT_LANGUAGE = "not_language"
    UNSUPPORTED = "unsupported"
    NOT_FOUND = "not_found"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    REDIRECT_LOOP = "redirect_loop"
    HTTP_STATUS = "http_status"
    CONTENT_TYPE = "content_type"
    FORBIDDEN_ADDRESS = "forbidden_address"
    ROBOTS = "robots"
    INTERNAL = "internal"


# Failures that depend on the network, not on the input's bytes: always retried.
TRANSIENT = frozenset(
    {
        FailureCode.UNREACHABLE,
        FailureCode.TIMEOUT,
        FailureCode.HTTP_STATUS,
        FailureCode.REDIRECT_LOOP,
        FailureCode.CONTENT_TYPE,
        FailureCode.ROBOTS,
        FailureCode.FORBIDDEN_ADDRESS,  # the allow-list or the host's address may change
    }
)


class TocsinError(Exception):
    """Base of every error tocsin raises on purpose."""

    exit_status = 1


class InputError(TocsinError):
    """An input that cannot become an article, with a machine code and a human reason."""

    def __init__(self, code: FailureCode, reason: str) -> None:
        super().__init__(f"{code.value}: {reason}")
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[FailureCode, str]]:
        # Workers send failures back to the parent by pickling them.
        return (type(self), (self.code, self.reason))


class UsageError(TocsinError):
    """Options that cannot be used together or as given."""

    exit_status = 2


class StoreError(TocsinError):
    """The store cannot be opened, migrated, read or written."""

    exit_status = 3


class NotFound(TocsinError):
    """Something the user named does not exist: an article, a link, a question."""

    exit_status = 4


class InvalidInput(TocsinError):
    """A file or value the user gave is not valid; the message names where and why."""

    exit_status = 5


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


class OverwriteRefused(UsageError):
    """An output file would overwrite the store, its -wal or -shm, or an input of the run."""


class ConfigError(TocsinError):
    """A setting has a value tocsin cannot use, or a model it names is not installed."""

    exit_status = 6
