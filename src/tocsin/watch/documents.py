"""The watcher's own documents: a sitemap, a GDELT export or a list of URLs, read from a
file or fetched over HTTP with a conditional GET.

These are not articles (ingest fetches those): they only say which articles to ingest. A
fetch sends the ETag and Last-Modified of the previous answer, and a 304 means nothing
changed. The fetch is ingest's (``ingest.fetch.get``), with its address checks, deadline
and politeness; the body is bounded by ``max_fetch_bytes`` as ingest's fetches are, and a zip
archive (GDELT ships its exports zipped) is opened to its one data file, also bounded.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.fetch import Pacer, Validators, get


@dataclass(frozen=True)
class Document:
    """A document's bytes (None: unchanged since the validators given), and the validators
    of this answer to send next time."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def read_document(
    locator: str,
    config: Config,
    client: httpx.Client | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    pacer: Pacer | None = None,
) -> Document:
    """The document at ``locator`` (an http(s) URL, with ``client``, or a path); InputError
    with the reason when it cannot be had. A URL is fetched as ingest fetches (``get``):
    refused addresses, each redirect checked, the response deadline, the size bound, and
    robots.txt and the per-host pace when a ``pacer`` is given."""
    if locator.lower().startswith(("http://", "https://")):
        if client is None:
            raise ValueError("a URL needs an HTTP client")
        return _fetch(locator, client, config, Validators(etag, last_modified), pacer)
    path = Path(locator)
    try:
        with path.open("rb") as fh:
            data = fh.read(config.max_input_bytes + 1)
    except OSError as exc:
        raise InputError(FailureCode.NOT_FOUND, f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > config.max_input_bytes:
        raise InputError(FailureCode.TOO_LARGE, f"{path} exceeds {config.max_input_bytes:,} bytes")
    return Document(data)


def _fetch(
    url: str, client: httpx.Client, config: Config, sent: Validators, pacer: Pacer | None
) -> Document:
    answer = get(url, client, config, headers=sent.headers(), pacer=pacer)
    if answer.status == 304:
        return Document(None, sent.etag, sent.last_modified)
    if answer.status >= 400:
        raise InputError(FailureCode.HTTP_STATUS, f"HTTP {answer.status} {answer.reason}")
    got = Validators.of(answer.headers)
    return Document(answer.body, got.etag, got.last_modified)


def unpacked(data: bytes, limit: int) -> bytes:
    """``data`` itself, or the one file of a zip archive, or a gzip stream uncompressed;
    at most ``limit`` bytes either way (InputError past it, or for a broken archive)."""
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise InputError(
                        FailureCode.UNSUPPORTED, f"a zip of {len(names)} files; one is expected"
                    )
                with archive.open(names[0]) as member:
                    return _bounded(member.read(limit + 1), limit)
        if data[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                return _bounded(stream.read(limit + 1), limit)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(FailureCode.UNSUPPORTED, f"a broken archive: {exc}") from exc
    return data


def _bounded(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise InputError(FailureCode.TOO_LARGE, f"unpacks to more than {limit:,} bytes")
    return data
