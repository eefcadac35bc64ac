"""The sources file of ``tocsin watch``: what to poll, how often, and for which cases.

A YAML mapping with a list of ``sources`` (each a name, a kind, a ``url`` or a ``path``,
an interval and optionally the cases it feeds) and the ``channels`` the alerts go to
(kept as written here; the channels read them). Every fault is named by its key path and
line, as in a case file (``sources[2].every (line 14): ...``). Relative paths are read from
the sources file's folder, so that the watcher finds them wherever it is started.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tocsin.assess.yamlfile import Fault, Limits, describe, read, shown
from tocsin.errors import InvalidInput
from tocsin.files import read_small_text

Kind = Literal["feed", "urls", "folder", "sitemap", "gdelt"]
KINDS: tuple[str, ...] = ("feed", "urls", "folder", "sitemap", "gdelt")
MIN_EVERY = 10.0  # seconds: a shorter interval would poll faster than a cycle can finish
MAX_EVERY = 366 * 86400.0  # a year; a longer one is a mistake
MAX_SOURCES_BYTES = 1024 * 1024  # no more of a sources file is ever read
LIMITS = Limits(depth=8, entries=10_000, number=1e12, lists={})
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*$")
_CODE = re.compile(r"^[A-Za-z0-9]{2,3}$")


def interval_seconds(value: object) -> float:
    """``value`` ("30s", "15m", "1h", "2d", or a number of seconds) in seconds; ValueError
    if it is none of those or is shorter than MIN_EVERY."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("an interval is a number of seconds or text like 30s, 15m, 1h, 1d")
    match = _INTERVAL.match(str(value))
    if match is None:
        raise ValueError(f"'{shown(str(value))}' is not an interval (like 30s, 15m, 1h, 1d)")
    seconds = float(match[1]) * _UNITS[match[2] or "s"]
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise ValueError(f"an interval is {MIN_EVERY:.0f} s at least and a year at most")
    return seconds


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Source(_Model):
    """What every kind of source has; exactly one of ``url`` and ``path``."""

    name: str
    url: str | None = None
    path: Path | None = None
    every: Annotated[float, Field(description="seconds between polls")]
    cases: list[str] | None = None  # None: every case in the store

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"'{shown(value)}' is not a name (letters, digits, _ . -)")
        return value

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: object) -> float:
        return interval_seconds(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"'{shown(value)}' is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _one_locator(self) -> _Source:
        if (self.url is None) == (self.path is None):
            raise ValueError("give either url or path, not both or neither")
        return self

    @property
    def locator(self) -> str:
        """The URL or the path, as ingest takes it."""
        return self.url if self.url is not None else str(self.path)

    def based(self, folder: Path) -> _Source:
        """The source with a relative path read from ``folder``."""
        if self.path is None or self.path.is_absolute():
            return self
        return self.model_copy(update={"path": folder / self.path})


class FeedSource(_Source):
    """An RSS or Atom feed: its entries' links are fetched."""

    kind: Literal["feed"]


class UrlsSource(_Source):
    """A list of URLs, one a line (a text file, or a page of them at a URL)."""

    kind: Literal["urls"]


class FolderSource(_Source):
    """A folder whose files are ingested (new files only)."""

    kind: Literal["folder"]

    @model_validator(mode="after")
    def _path_only(self) -> FolderSource:
        if self.path is None:
            raise ValueError("a folder source has a path, not a url")
        return self


class SitemapSource(_Source):
    """A sitemap or a sitemap index: its pages' URLs, those changed since the last poll."""

    kind: Literal["sitemap"]


class GdeltSource(_Source):
    """A GDELT 2.0 events or mentions export: the URLs of its rows that pass the filters."""

    kind: Literal["gdelt"]
    actors: list[str] = []  # CAMEO actor codes (BLR, RUS): either actor's code, or its prefix
    countries: list[str] = []  # FIPS country codes (BO, UP) of either actor
    since: date | None = None  # rows dated before it are left out

    @field_validator("actors", "countries")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _CODE.match(value):
                raise ValueError(f"'{shown(value)}' is not a code (2 or 3 letters or digits)")
        return [v.upper() for v in values]


Source = Annotated[
    FeedSource | UrlsSource | FolderSource | SitemapSource | GdeltSource,
    Field(discriminator="kind"),
]


class SourcesFile(_Model):
    """The whole file: the sources, and the alert channels as written (typed by the
    channels' own module)."""

    sources: Annotated[list[Source], Field(min_length=1)]
    channels: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"two sources are named '{shown(source.name)}'")
            seen.add(source.name)
        return self


def load_sources(path: Path) -> SourcesFile:
    """The sources file at ``path``, validated, its relative paths read from its folder;
    InvalidInput names the key and line of every fault."""
    too_large = f"larger than {MAX_SOURCES_BYTES:,} bytes"
    text = read_small_text(path, "sources file", MAX_SOURCES_BYTES, too_large)
    parsed = parse_sources(text, str(path))
    folder = Path(path).resolve().parent
    based = [source.based(folder) for source in parsed.sources]
    return parsed.model_copy(update={"sources": based})


def parse_sources(text: str, where: str = "<sources>") -> SourcesFile:
    """The sources in ``text``, validated; InvalidInput lists every fault with its line."""
    node, data, faults = read(text, where, LIMITS)
    if not isinstance(data, dict):
        raise InvalidInput(f"{shown(where)}: a sources file is a mapping with a 'sources' list")
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(faults + _faults(exc), node, where)) from exc
    if faults:
        raise InvalidInput(describe(faults, node, where))
    return parsed


def _faults(exc: ValidationError) -> list[Fault]:
    """pydantic's errors as faults: the key path without the union's branch names."""
    out: list[Fault] = []
    for error in exc.errors():
        loc = [p for p in error["loc"] if not (isinstance(p, str) and p in KINDS)]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "union_tag_invalid":
            message = f"kind is one of {', '.join(KINDS)}"
            loc = [*loc, "kind"]
        elif error["type"] == "union_tag_not_found":
            message = f"no kind (one of {', '.join(KINDS)})"
        out.append((loc, message))
    return out
