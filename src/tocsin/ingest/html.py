"""HTML to clean text and metadata with trafilatura, after refusing pathological markup."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import trafilatura
from trafilatura.settings import Document, use_config

from tocsin.errors import FailureCode, InputError
from tocsin.ingest.dates import parse_stated
from tocsin.models import CleanArticle, DateEstimate

# A start or end tag, or the start of a comment.
_TAG = re.compile(rb"<!--|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
# Elements that never take an end tag, so they never deepen the tree.
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())
# Elements whose content a parser reads as text, however many tags it seems to hold: counting
# them refused a real techcrunch.com page (inline JSON with 190 "<p>") as 401 deep; it is 11.
_RAW_END = {
    name: re.compile(rb"</" + name + rb"\s*>", re.I)
    for name in (b"script", b"style", b"textarea", b"title")
}
_LANG = re.compile(rb"""<html[^>]*\blang\s*=\s*["']?([a-zA-Z]{2,3})""", re.I)


def _skip_text(html: bytes, m: re.Match[bytes]) -> int | None:
    """Where tags count again after a comment or a raw-text element; None for other tags."""
    if m[0] == b"<!--":
        end = html.find(b"-->", m.end())
        return len(html) if end < 0 else end + 3
    end_tag = None if m[1] else _RAW_END.get(m[2].lower())
    if end_tag is None:
        return None
    found = end_tag.search(html, m.end())
    return len(html) if found is None else found.end()


def nesting_depth(html: bytes, limit: int) -> int:
    """Deepest open-element nesting, counting until ``limit`` is passed (then returning it)."""
    depth = deepest = pos = 0
    while m := _TAG.search(html, pos):
        pos = m.end()
        if (resume := _skip_text(html, m)) is not None:
            pos = resume
            continue
        closing, name, selfclosing = m[1], m[2].lower(), m[3]
        if name in _VOID or selfclosing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


@lru_cache(maxsize=1)
def _config() -> Any:
    config = use_config()
    # Default timeouts use signals, which do not work in worker threads; the pipeline caps size.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def clean_html(html: str | bytes, url: str | None = None, *, max_depth: int = 400) -> CleanArticle:
    """Main text (paragraphs separated by blank lines) and metadata of an HTML page."""
    raw = html.encode("utf-8") if isinstance(html, str) else html
    depth = nesting_depth(raw, max_depth)
    if depth > max_depth:
        raise InputError(
            FailureCode.TOO_DEEP, f"HTML nests elements more than {max_depth} deep; refused"
        )
    # Measured with bench/eval_extraction.py (91 pages, 2026-11-23; F1 / P / R; plain
    # trafilatura.extract: 0.9622 / 0.9378 / 0.9878), and the time of this call on 300 pages
    # of bench/ingest_speed.py (tables on):
    #   favor_recall, tables (kept)  0.9657 / 0.9446 / 0.9878   16 ms/page
    #   default, tables              0.9646 / 0.9425 / 0.9878   20 ms/page
    #   favor_precision, tables      0.9751 / 0.9660 / 0.9845   22 ms/page
    #   favor_recall, no tables      0.9590 / 0.9412 / 0.9774
    #   default, no tables           0.9579 / 0.9391 / 0.9774
    #   favor_precision, no tables   0.9682 / 0.9623 / 0.9741
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        config=_config(),
    )
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise InputError(FailureCode.NO_TEXT, "no article text found in the HTML")
    text = "\n\n".join(p.strip() for p in (doc.text or "").split("\n") if p.strip())
    stated = parse_stated(doc.date)
    published = None
    if stated:
        published = DateEstimate(
            value=stated, estimated=False, low=stated, high=stated, method="HTML metadata"
        )
    authors = [a.strip() for a in re.split(r";|\band\b", doc.author or "") if a.strip()]
    lang = doc.language
    if not lang and (m := _LANG.search(raw[:4096])):
        lang = m[1].decode("ascii").lower()
    return CleanArticle(
        text=text,
        title=(doc.title or "").strip() or None,
        authors=authors,
        published=published,
        outlet=doc.sitename or doc.hostname,
        language=lang,
        url=doc.url or url,
    )
