"""Sitemaps (sitemaps.org protocol 0.9) read as lists of page URLs, newest first seen.

A sitemap lists pages (``<urlset><url><loc>``), a sitemap index lists sitemaps
(``<sitemapindex><sitemap><loc>``); either may give each entry a ``<lastmod>``. The
watcher keeps the newest ``<lastmod>`` it has read (``seen_until``) and on the next poll
takes only entries changed after it; an entry without one is always taken (ingest skips
what is stored). XML is parsed with defusedxml: entity expansion and external entities
are refused, so a hostile sitemap cannot exhaust the memory or read local files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from tocsin.errors import FailureCode, InputError

MAX_CHILD_SITEMAPS = 50  # sitemaps of an index read in one poll; the rest wait for the next


@dataclass
class Sitemap:
    """What one sitemap document lists: pages or (for an index) sitemaps, each with its
    last modification if given."""

    index: bool
    entries: list[tuple[str, datetime | None]] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(data: bytes) -> Sitemap:
    """The entries of a sitemap or sitemap index; InputError if it is neither."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(FailureCode.UNSUPPORTED, f"not a readable sitemap: {exc}") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise InputError(FailureCode.UNSUPPORTED, f"not a sitemap: the root is <{kind}>")
    found = Sitemap(index=kind == "sitemapindex")
    for entry in root:
        loc = lastmod = None
        for part in entry:
            name = _local(part.tag)
            if name == "loc":
                loc = (part.text or "").strip()
            elif name == "lastmod":
                lastmod = lastmod_time(part.text or "")
        if loc and loc.lower().startswith(("http://", "https://")):
            found.entries.append((loc, lastmod))
    return found


def lastmod_time(text: str) -> datetime | None:
    """A W3C datetime (2024-05-01, 2024-05-01T10:00:00+02:00, ...Z) in UTC; None if it is
    not one. A date alone is its midnight in UTC."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def changed_since(
    entries: list[tuple[str, datetime | None]], seen_until: datetime | None
) -> list[str]:
    """The URLs of the entries modified after ``seen_until`` (all when None), and those
    that give no date; each once, in order."""
    urls = [
        url
        for url, lastmod in entries
        if seen_until is None or lastmod is None or lastmod > seen_until
    ]
    return list(dict.fromkeys(urls))


def newest(entries: list[tuple[str, datetime | None]], before: datetime | None) -> datetime | None:
    """The newest ``<lastmod>`` among the entries and ``before``."""
    dates = [d for _url, d in entries if d is not None]
    if before is not None:
        dates.append(before)
    return max(dates) if dates else None
