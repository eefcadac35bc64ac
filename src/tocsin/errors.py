"""One exception tree for tocsin, each branch with the exit status the command line gives it.

    TocsinError
     ├── InputError        one input could not be ingested; carries a FailureCode
     ├── UsageError        a command was given options it cannot use            exit 2
     ├── StoreError        the database is unusable (bad path, failed migration) exit 3
     ├── NotFound          something named does not exist: an article, a link    exit 4
     ├── InvalidInput      a file or value given is not valid: a case file, an   exit 5
     │                     alias table, an actors CSV
     └── ConfigError       a setting has an invalid value, or the installation   exit 6
                           lacks a model it names

InputError never escapes a batch: the pipeline records it against the input and goes on.
The command line maps the others to their exit status in one place (``tocsin.cli``).
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
    """The store cannot be opened, read or written."""

    exit_status = 3


class NotFound(TocsinError):
    """Something the user named does not exist: an article, a link, a question."""

    exit_status = 4


class InvalidInput(TocsinError):
    """A file or value the user gave is not valid; the message names where and why."""

    exit_status = 5


class ConfigError(TocsinError):
    """A setting has a value tocsin cannot use, or a model it names is not installed."""

    exit_status = 6
