"""A source expanded to what ingest takes: paths and URLs.

Feeds and folders go to ingest as they are (ingest reads feeds, folders, and files that
list URLs, and skips what it has stored). A list of URLs at a URL, a sitemap and a GDELT
export are read here (``tocsin.watch.documents``) and become the URLs they give; their
fetch is conditional on the validators of the last one, and a sitemap remembers the
newest ``<lastmod>`` it has read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.fetch import make_client
from tocsin.ingest.polite import Polite
from tocsin.ingest.sources import listed_urls
from tocsin.store.watch import SourceState
from tocsin.watch import gdelt, sitemap
from tocsin.watch.documents import Document, read_document, unpacked
from tocsin.watch.sources import FeedSource, GdeltSource, SitemapSource, Source, UrlsSource


@dataclass(frozen=True)
class Expansion:
    """The inputs of one poll, and what to remember of it for the next."""

    targets: list[str]
    etag: str | None = None
    last_modified: str | None = None
    seen_until: str | None = None
    note: str = ""  # what the poll read, for the cycle's summary


class Clients:
    """One HTTP client for the cycle, made when a source first needs one, and the pacer its
    fetches share (robots.txt, per-host concurrency and delay: ``ingest.polite``)."""

    def __init__(self, config: Config, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport
        self.pacer = Polite(config)
        self._client: httpx.Client | None = None

    def get(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(self.config, self.transport)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def expand(source: Source, state: SourceState | None, clients: Clients) -> Expansion:
    """What ingest should take for this poll of ``source``; InputError when the source
    cannot be read (the poll fails, the state stays as it was)."""
    keep = Expansion(
        [],
        state.etag if state else None,
        state.last_modified if state else None,
        state.seen_until if state else None,
    )
    reader: Callable[[Source, Expansion, Clients], Expansion] = _READERS.get(type(source), _as_is)
    return reader(source, keep, clients)


def _as_is(source: Source, keep: Expansion, clients: Clients) -> Expansion:
    return Expansion([source.locator], keep.etag, keep.last_modified, keep.seen_until)


def _document(source: Source, keep: Expansion, clients: Clients) -> Document:
    client = clients.get() if source.url is not None else None
    return read_document(
        source.locator,
        clients.config,
        client,
        etag=keep.etag,
        last_modified=keep.last_modified,
        pacer=clients.pacer,
    )


def _url_list(source: Source, keep: Expansion, clients: Clients) -> Expansion:
    if source.url is None:
        return _as_is(source, keep, clients)  # ingest reads a file of URLs itself
    doc = _document(source, keep, clients)
    if doc.data is None:
        return Expansion([], doc.etag, doc.last_modified, keep.seen_until, "not modified")
    urls = listed_urls(doc.data)
    if urls is None:
        message = "not a list of URLs (one http(s) URL a line; # comments)"
        raise InputError(FailureCode.UNSUPPORTED, message)
    return Expansion(list(urls), doc.etag, doc.last_modified, keep.seen_until)


def _sitemap(source: Source, keep: Expansion, clients: Clients) -> Expansion:
    doc = _document(source, keep, clients)
    if doc.data is None:
        return Expansion([], doc.etag, doc.last_modified, keep.seen_until, "not modified")
    seen = sitemap.lastmod_time(keep.seen_until) if keep.seen_until else None
    found = sitemap.parse_sitemap(unpacked(doc.data, clients.config.max_input_bytes))
    pages = found.entries
    if found.index:
        children = sitemap.changed_since(found.entries, seen)[: sitemap.MAX_CHILD_SITEMAPS]
        pages = []
        for child in children:
            child_doc = read_document(child, clients.config, clients.get(), pacer=clients.pacer)
            data = child_doc.data or b""
            pages += sitemap.parse_sitemap(unpacked(data, clients.config.max_input_bytes)).entries
    urls = sitemap.changed_since(pages, seen)
    until = sitemap.newest(pages, seen)
    note = f"{len(urls)} of {len(pages)} pages changed"
    iso = until.isoformat() if until else None
    return Expansion(urls, doc.etag, doc.last_modified, iso, note)


def _gdelt(source: Source, keep: Expansion, clients: Clients) -> Expansion:
    assert isinstance(source, GdeltSource)
    doc = _document(source, keep, clients)
    if doc.data is None:
        return Expansion([], doc.etag, doc.last_modified, keep.seen_until, "not modified")
    data, seen = doc.data, keep.seen_until
    latest = gdelt.latest_export(data)
    if latest is not None:  # GDELT's lastupdate.txt: the newest export, read once
        if latest == keep.seen_until:
            return Expansion([], doc.etag, doc.last_modified, seen, "no new export")
        fetched = read_document(latest, clients.config, clients.get(), pacer=clients.pacer)
        data, seen = fetched.data or b"", latest
    filters = gdelt.Filters(tuple(source.actors), tuple(source.countries), source.since)
    found = gdelt.article_urls(unpacked(data, clients.config.max_input_bytes), filters)
    note = f"{len(found.urls)} URLs from {found.rows} {found.table} rows"
    if found.skipped:
        note += f" ({found.skipped} malformed rows skipped)"
    return Expansion(found.urls, doc.etag, doc.last_modified, seen, note)


def _feed(source: Source, keep: Expansion, clients: Clients) -> Expansion:
    """A feed at a URL is asked for with a conditional GET first: unchanged (304), there is
    nothing to ingest; changed, ingest reads it (and its entries, new ones only). A feed file
    is ingested as it is."""
    if source.url is None:
        return _as_is(source, keep, clients)
    doc = _document(source, keep, clients)
    if doc.data is None:
        return Expansion([], doc.etag, doc.last_modified, keep.seen_until, "not modified")
    return Expansion([source.locator], doc.etag, doc.last_modified, keep.seen_until)


_READERS: dict[type, Callable[[Source, Expansion, Clients], Expansion]] = {
    FeedSource: _feed,
    UrlsSource: _url_list,
    SitemapSource: _sitemap,
    GdeltSource: _gdelt,
}
