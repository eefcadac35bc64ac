"""Expand what the user names (files, folders, URLs, containers) into RawItems, streaming.

Containers (JSONL, feeds, WARC) yield one item per article; each item is the unit that is
stored, skipped as already seen, or recorded as failed. A text file that only lists URLs
yields them (``Listed``), for the pipeline to fetch as if they were named on the command line.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.decode import gunzip, sniff_binary
from tocsin.ingest.feeds import looks_like_feed, parse_feed
from tocsin.ingest.fetch import Pacer, fetch, kind_for
from tocsin.models import InputKind, RawItem
from tocsin.parallel import threaded_map

_EXTENSIONS: dict[str, InputKind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".arc": "warc",
}


@dataclass(frozen=True)
class Failed:
    """An input that failed before it became a RawItem (missing file, unreachable URL...)."""

    locator: str
    kind: str
    error: InputError
    data: bytes | None = None


@dataclass(frozen=True)
class Skipped:
    """A container record that is not an article (a WARC request, an image response)."""

    locator: str
    reason: str


@dataclass(frozen=True)
class Listed:
    """A text file that only lists URLs: each is ingested as if named on the command line."""

    locator: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class Known:
    """A feed entry stored before: its page is not fetched again (the feed is read anew
    at each poll, its old entries with it)."""

    locator: str


Expanded = RawItem | Failed | Skipped | Known
_LISTED_URL = re.compile(r"https?://\S+")


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def list_files(target: Path) -> Iterator[Path]:
    """Files under a folder, recursively, in sorted order, one at a time (a folder of a
    million files costs its names, not a million paths); hidden files and databases left out."""
    if not target.is_dir():
        yield target
        return
    for root, dirs, files in os.walk(target):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.sort()
        for name in files:
            if not name.startswith(".") and not name.endswith((".db", ".db-wal", ".db-shm")):
                yield Path(root, name)


def format_suffix(path: Path) -> str:
    """The extension that names the format, looking through ``.gz``: '.html' for a.html.gz."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def kind_of(path: Path) -> InputKind | None:
    return _EXTENSIONS.get(format_suffix(path))


def listed_urls(data: bytes) -> tuple[str, ...] | None:
    """The URLs a text file lists, in order without repeats, or None when it is not a list.

    A list is UTF-8 text whose every line is blank, a comment (first visible character
    ``#``) or one http(s) URL, with at least one URL. Text that merely mentions URLs among
    its sentences is an article.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    urls: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            if not _LISTED_URL.fullmatch(line):
                return None
            urls.append(line)
    return tuple(dict.fromkeys(urls)) or None


def expand_file(path: Path, config: Config) -> Iterator[Expanded | Listed]:
    """The items one file holds: an article, a container's records, or a list of URLs."""
    locator = str(path)
    kind = kind_of(path)
    if (unfit := _unfit(path, kind, config)) is not None:
        yield unfit
        return
    if kind == "warc":
        yield from expand_warc(path, config)
        return
    data = path.read_bytes()
    if path.suffix.lower() == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gunzip(data, config.max_input_bytes)
        except InputError as exc:
            yield Failed(locator, kind or "file", exc, data)
            return
    if kind is None:
        kind = "feed" if looks_like_feed(data) else "html" if _has_html(data) else "text"
        suffix = format_suffix(path)
        if kind == "text" and suffix and _is_utf8(data) and not sniff_binary(data):
            # A .csv, .json or .py file is text but not an article; other bytes go on to be
            # refused as binary or undecodable, which says more.
            reason = f"unsupported file type {suffix!r} (see docs/formats.md for what is read)"
            yield Failed(locator, "file", InputError(FailureCode.UNSUPPORTED, reason), data)
            return
    yield from _expand_data(locator, kind, data)


def _unfit(path: Path, kind: InputKind | None, config: Config) -> Failed | None:
    """Why the file at ``path`` cannot be read at all: missing, not a file, too large."""
    locator = str(path)
    if not path.exists():
        return Failed(locator, "file", InputError(FailureCode.NOT_FOUND, "no such file"))
    if not path.is_file():
        reason = "not a regular file (a pipe, socket or device); not read"
        return Failed(locator, "file", InputError(FailureCode.UNSUPPORTED, reason))
    size = path.stat().st_size
    if kind != "warc" and size > config.max_input_bytes:
        reason = f"file is {size:,} bytes, over the {config.max_input_bytes:,}-byte limit"
        return Failed(locator, kind or "file", InputError(FailureCode.TOO_LARGE, reason))
    return None


def _has_html(data: bytes) -> bool:
    return b"<html" in data[:4096].lower()


def _expand_data(locator: str, kind: InputKind, data: bytes) -> Iterator[Expanded | Listed]:
    if kind == "text" and (urls := listed_urls(data)):
        yield Listed(locator, urls)
    elif kind == "jsonl":
        yield from expand_jsonl(locator, data)
    elif kind == "feed":
        yield from expand_feed(locator, data)
    else:
        markdown = format_suffix(Path(locator)) == ".md"
        hints: dict[str, object] = {"markup": "markdown"} if markdown else {}
        yield RawItem(locator=locator, kind=kind, data=data, hints=hints)


def expand_jsonl(locator: str, data: bytes) -> Iterator[Expanded]:
    for lineno, line in enumerate(data.splitlines(), 1):
        if line.strip():
            yield RawItem(locator=f"{locator}:{lineno}", kind="jsonl", data=line)


def expand_feed(locator: str, data: bytes, url: str | None = None) -> Iterator[Expanded]:
    try:
        entries = parse_feed(data)
    except InputError as exc:
        yield Failed(locator, "feed", exc, data)
        return
    for n, entry in enumerate(entries, 1):
        html = entry.pop("html") or ""
        entry_id = entry.pop("id") or str(n)
        yield RawItem(
            locator=f"{locator}#{entry_id}",
            kind="feed",
            data=html.encode("utf-8"),
            url=entry.get("url") or url,
            hints={k: v for k, v in entry.items() if v},
        )


def expand_warc(path: Path, config: Config) -> Iterator[Expanded]:
    if not _starts_like_warc(path):
        reason = "not a WARC or ARC file (no 'WARC/' or 'filedesc://' header)"
        yield Failed(str(path), "warc", InputError(FailureCode.UNSUPPORTED, reason))
        return
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                yield _warc_item(path, record, config)
    except ArchiveLoadFailed as exc:
        yield Failed(str(path), "warc", InputError(FailureCode.UNSUPPORTED, f"bad WARC: {exc}"))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _starts_like_warc(path: Path) -> bool:
    """True when the (possibly gzipped) file opens with a WARC or ARC record header."""
    try:
        with path.open("rb") as raw:
            start = raw.read(11)
        if start[:2] == b"\x1f\x8b":
            with gzip.open(path) as unzipped:
                start = unzipped.read(11)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    return start.startswith((b"WARC/", b"filedesc://"))


def _warc_item(path: Path, record: object, config: Config) -> Expanded:
    headers = record.rec_headers  # type: ignore[attr-defined]
    record_id = headers.get_header("WARC-Record-ID") or "?"
    locator = f"{path}#{record_id.strip('<>')}"
    if record.rec_type not in ("response", "resource"):  # type: ignore[attr-defined]
        return Skipped(locator, f"WARC {record.rec_type} record")  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    if http is not None and http.get_statuscode() != "200":
        return Skipped(locator, f"HTTP status {http.get_statuscode()}")
    content_type = (http.get_header("Content-Type") if http else None) or headers.get_header(
        "Content-Type"
    )
    kind = kind_for(content_type)
    if kind not in ("html", "text"):
        return Skipped(locator, f"content type {content_type}")
    data = record.content_stream().read(config.max_input_bytes + 1)  # type: ignore[attr-defined]
    if len(data) > config.max_input_bytes:
        reason = f"record over the {config.max_input_bytes:,}-byte limit"
        return Failed(locator, "warc", InputError(FailureCode.TOO_LARGE, reason))
    return RawItem(
        locator=locator,
        kind="warc",
        data=data,
        url=headers.get_header("WARC-Target-URI"),
        content_type=content_type,
        hints={"crawled": (headers.get_header("WARC-Date") or "")[:10], "as": kind},
    )


def expand_url(
    url: str,
    client: httpx.Client,
    config: Config,
    pacer: Pacer | None = None,
    stored: Callable[[str], bool] = lambda _locator: False,
) -> Iterator[Expanded]:
    """A fetched page as one item, or a fetched feed's entries (pages linked from entries
    that carry only a summary fetched too, through the same checks and ``pacer``). An
    entry whose locator is ``stored`` is ``Known``: its page is not fetched again."""
    return expand_fetched(url, fetch_target(url, client, config, pacer), client, config,
                          pacer, stored)  # fmt: skip


def fetch_target(
    url: str, client: httpx.Client, config: Config, pacer: Pacer | None = None
) -> RawItem | Failed:
    """``url`` fetched, or why it could not be; safe on any thread (``expand_fetched`` then
    reads it on the caller's)."""
    try:
        return fetch(url, client, config, pacer=pacer)
    except InputError as exc:
        return Failed(url, "url", exc)


def expand_fetched(
    url: str,
    item: RawItem | Failed,
    client: httpx.Client,
    config: Config,
    pacer: Pacer | None = None,
    stored: Callable[[str], bool] = lambda _locator: False,
) -> Iterator[Expanded]:
    """What ``expand_url`` makes of a fetched ``url``: the page, or the feed's entries."""
    if isinstance(item, Failed):
        yield item
        return
    if item.kind == "feed" or looks_like_feed(item.data):
        entries = (
            Known(entry.locator) if isinstance(entry, RawItem) and stored(entry.locator) else entry
            for entry in expand_feed(url, item.data, item.url)
        )
        yield from _links_fetched(entries, client, config, pacer)
        return
    yield RawItem(
        locator=url,
        kind="url",
        data=item.data,
        url=item.url,
        content_type=item.content_type,
        hints={"as": item.kind},
    )


def _links_fetched(
    entries: Iterator[Expanded], client: httpx.Client, config: Config, pacer: Pacer | None
) -> Iterator[Expanded]:
    """Each entry as ``_with_link_fetched`` makes it, in the feed's order, the pages fetched
    by up to ``config.fetch_threads`` threads at once (``pacer`` keeps each host's turns; the
    client's pool and the per-thread deadlines are safe to share). At most twice that many
    entries are read ahead. Closing the iterator early waits only for the pages in flight."""
    return threaded_map(
        lambda entry: _with_link_fetched(entry, client, config, pacer),
        entries,
        max(1, config.fetch_threads),
    )


def _with_link_fetched(
    entry: Expanded, client: httpx.Client, config: Config, pacer: Pacer | None = None
) -> Expanded:
    """A feed entry whose content is a mere summary is replaced by the page it links to."""
    if not isinstance(entry, RawItem) or len(entry.data) > 1500 or not entry.url:
        return entry
    if not is_url(entry.url):
        return entry
    try:
        page = fetch(entry.url, client, config, pacer=pacer)
    except InputError as exc:
        return Failed(entry.locator, "feed", exc, entry.data)
    return RawItem(
        locator=entry.locator,
        kind="feed",
        data=page.data,
        url=page.url,
        content_type=page.content_type,
        hints=entry.hints,
    )


def parse_jsonl_record(data: bytes) -> dict[str, object]:
    """One JSONL line as a dict with ``text`` or ``html``; raise InputError when unusable."""
    try:
        record = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(FailureCode.BAD_JSON, f"line is not JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise InputError(FailureCode.BAD_JSON, "line is not a JSON object")
    if not isinstance(record.get("text") or record.get("html"), str):
        raise InputError(FailureCode.BAD_JSON, "object has neither 'text' nor 'html'")
    return record
