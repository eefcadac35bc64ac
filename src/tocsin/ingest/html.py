"""HTML to clean text and metadata with trafilatura, after refusing pathological markup."""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache
from typing import Any

import trafilatura
from courlan import extract_domain
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params, use_config
from trafilatura.utils import load_html

from tocsin.errors import FailureCode, InputError
from tocsin.ingest.dates import parse_stated
from tocsin.models import CleanArticle, DateEstimate

# libxml2 flattens anything nested deeper than this, so a deeper page loses its structure.
LIBXML2_MAX_DEPTH = 256


@lru_cache(maxsize=8)
def _deeper_than(limit: int) -> etree.XPath:
    # "/*/*/.../*" with limit+1 steps: true when any element sits deeper than ``limit``.
    # Evaluated in C, level by level: 0.14 ms a page, against 1 ms for a Python walk.
    return etree.XPath("boolean(/" + "/".join(["*"] * (limit + 1)) + ")")


def too_deep(tree: HtmlElement, limit: int) -> bool:
    """True when the parsed page nests elements more than ``limit`` deep."""
    return bool(_deeper_than(limit)(tree))


@lru_cache(maxsize=1)
def _config() -> Any:
    config = use_config()
    # Default timeouts use signals, which do not work in worker threads; the pipeline caps size.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def clean_html(html: str | bytes, url: str | None = None, *, max_depth: int = 200) -> CleanArticle:
    """Main text (paragraphs separated by blank lines) and metadata of an HTML page."""
    tree = load_html(html)
    if tree is None:
        # trafilatura refuses fragments; feed entries carry just "<p>...</p>".
        text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
        tree = load_html(f"<html><body>{text}</body></html>")
    if tree is None:
        raise InputError(FailureCode.NO_TEXT, "the HTML cannot be parsed")
    limit = min(max_depth, LIBXML2_MAX_DEPTH - 1)
    if too_deep(tree, limit):
        raise InputError(FailureCode.TOO_DEEP, f"HTML nests elements more than {limit} deep")
    lang = tree.get("lang")
    meta = page_metadata(tree, url)
    # The page is parsed once, here; trafilatura works on the tree. Options measured with
    # bench/eval_extraction.py (91 pages, 2026-11-23; F1 / P / R, ms per page for this call;
    # plain trafilatura.extract: 0.9622 / 0.9378 / 0.9878):
    #   favor_recall, fast (kept)        0.9681 / 0.9491 / 0.9878  16.1 ms
    #   favor_recall                     0.9657 / 0.9446 / 0.9878  20.4 ms
    #   favor_precision, fast            0.9723 / 0.9660 / 0.9786  16.6 ms (recall below floor)
    #   favor_precision                  0.9751 / 0.9660 / 0.9845  22.9 ms
    #   default, fast                    0.9688 / 0.9504 / 0.9878  17.2 ms
    #   without tables, every option scores 0.958-0.968.
    # "fast" skips trafilatura's comparison with its fallback extractors.
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        fast=True,
        config=_config(),
    )
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise InputError(FailureCode.NO_TEXT, "no article text found in the HTML")
    text = "\n\n".join(p.strip() for p in (doc.text or "").split("\n") if p.strip())
    stated = parse_stated(meta.date)
    published = None
    if stated:
        published = DateEstimate(
            value=stated, estimated=False, low=stated, high=stated, method="HTML metadata"
        )
    authors = [a.strip() for a in re.split(r";|\band\b", meta.author or "") if a.strip()]
    lang = meta.language or _language_code(lang)
    return CleanArticle(
        text=text,
        title=(meta.title or "").strip() or None,
        authors=authors,
        published=published,
        outlet=meta.sitename or meta.hostname,
        language=lang,
        url=meta.url or url,
    )


def page_metadata(tree: HtmlElement, url: str | None) -> Document:
    """Title, author, URL, date and site name, as ``trafilatura.extract_metadata`` finds them.

    The same steps with trafilatura's own functions, less categories, tags and licence, and
    with the date taken only from metadata and the URL (no guess from the body text),
    which tocsin does not use and which cost 2.4 ms a page (12% of cleaning). It must run
    before the text extraction, which prunes the tree; a test checks it agrees with
    ``extract_metadata`` on the 91 benchmark pages.
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    # trafilatura guards this call the same way: malformed JSON-LD must not lose the page.
    with suppress(Exception):
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.url = meta.url or extract_url(tree, url)
    if meta.url:
        meta.hostname = extract_domain(meta.url, fast=True)
    # Without extensive search: htmldate then reads only metadata and the URL, so a date it
    # returns is one the page states; dates in the body are left to tocsin's estimate.
    meta.date = find_date(tree, **{**set_date_params(False), "url": meta.url})
    meta.sitename = meta.sitename or extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (found := META_URL.match(meta.url)):
        meta.sitename = found[1]
    meta.clean_and_trim()
    return meta


def _language_code(value: str | None) -> str | None:
    """'en' from an HTML lang attribute such as 'en-GB'; None when it is not a code."""
    code = (value or "").split("-")[0].split("_")[0].strip().lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
