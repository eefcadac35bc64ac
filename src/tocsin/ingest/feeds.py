"""RSS and Atom feeds: refuse unsafe XML with defusedxml, then read entries with feedparser."""

from __future__ import annotations

import re
from typing import Any

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tocsin.errors import FailureCode, InputError

_DECLS = re.compile(rb"<!(ENTITY|DOCTYPE)[^>]*(SYSTEM|PUBLIC|\[)", re.I)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)\b", re.I)


def looks_like_feed(data: bytes) -> bool:
    return bool(_FEED_ROOT.search(data[:2048]))


def parse_feed(data: bytes) -> list[dict[str, Any]]:
    """Entries of a feed as dicts with ``url``, ``title``, ``published``, ``html``, ``authors``."""
    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(
            FailureCode.UNSAFE_XML, f"feed declares entities; refused ({exc})"
        ) from exc
    except Exception:
        if _DECLS.search(data):
            raise InputError(
                FailureCode.UNSAFE_XML, "malformed feed with DTD declarations"
            ) from None
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "no entries")
        raise InputError(FailureCode.BAD_FEED, f"feed has no readable entries: {reason}")
    return [_entry(e, parsed.feed) for e in parsed.entries]


def _entry(entry: Any, feed: Any) -> dict[str, Any]:
    html = ""
    if entry.get("content"):
        html = max((c.get("value", "") for c in entry.content), key=len)
    html = html or entry.get("summary", "")
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
    # Read as a plain dict: feedparser's own get() maps "updated" to "published" with a warning.
    published = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    written = dict.get(entry, "published") or dict.get(entry, "updated")
    return {
        "url": entry.get("link"),
        "title": entry.get("title"),
        "published": "{:04d}-{:02d}-{:02d}".format(*published[:3]) if published else None,
        # A date feedparser cannot read is passed on as written, to be read again or reported.
        "published_text": None if published else written,
        "html": html,
        "authors": authors,
        "outlet": feed.get("title"),
        "id": entry.get("id") or entry.get("link") or entry.get("title"),
    }
