"""The cleaning stage, run in worker processes: one RawItem in, one Processed out.

Pure functions of their input (no store access), so any process can run them and a crash
on one input cannot corrupt anything: decode, clean (HTML or pasted text or JSONL), refuse
text that is not language (``tocsin.ingest.language``), date, detect the language, hash the
text for exact de-duplication.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pycld2

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest import dedupe
from tocsin.ingest.dates import estimate_published, parse_stated, read_stated, stated_estimate
from tocsin.ingest.decode import decode, normalize_text
from tocsin.ingest.html import clean_html
from tocsin.ingest.language import not_language
from tocsin.ingest.plaintext import clean_text, markdown_to_text
from tocsin.ingest.sources import parse_jsonl_record
from tocsin.models import CleanArticle, CleanOptions, DateEstimate, Processed, RawItem
from tocsin.store.db import compress_raw

# A site name that is only the page's host ("example.org", "127.0.0.1:8080"): not a name.
_HOSTLIKE = re.compile(r"^(?:[\w-]+\.)+[\w-]+(?::\d+)?$|^\[?[\d:.]+\]?(?::\d+)?$")


def process(item: RawItem, options: CleanOptions) -> Processed:
    """Decode, clean, date and fingerprint one item; pure, so it can run in any process."""
    digest = item.sha256 or hashlib.sha256(item.data).hexdigest()
    result = Processed(
        item=item.model_copy(update={"data": b""}),
        sha256=digest,
        size=len(item.data),
        compressed=compress_raw(item.data),
    )
    try:
        article = _clean(item, options.config)
        article = _finish(article, item, options)
    except InputError as exc:
        result.error = exc
        return result
    except Exception as exc:
        result.error = InputError(FailureCode.INTERNAL, f"{type(exc).__name__}: {exc}")
        return result
    result.article = article
    result.text_sha256, result.words, shingles = dedupe.fingerprint(article.text)
    result.shingles = shingles.astype("uint32").tobytes()
    return result


def _clean(item: RawItem, config: Config) -> CleanArticle:
    if item.kind == "jsonl":
        return _clean_jsonl(item, config)
    text, _ = decode(item.data, item.content_type)
    as_text = item.kind == "text" or item.hints.get("as") == "text"
    if as_text:
        text = normalize_text(text)
        if item.hints.get("markup") == "markdown":
            text = markdown_to_text(text)
        return clean_text(text)
    article = clean_html(text, item.url, max_depth=config.max_html_depth)
    return article.model_copy(update={"text": normalize_text(article.text)})


def _clean_jsonl(item: RawItem, config: Config) -> CleanArticle:
    record = parse_jsonl_record(item.data)
    if isinstance(record.get("html"), str) and record["html"]:
        article = clean_html(
            str(record["html"]), _str(record.get("url")), max_depth=config.max_html_depth
        )
        article = article.model_copy(update={"text": normalize_text(article.text)})
    else:
        text = normalize_text(str(record["text"]))
        paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
        article = CleanArticle(text="\n\n".join(paragraphs))
    if not article.text.strip():
        raise InputError(FailureCode.NO_TEXT, "record has empty text")
    authors = record.get("authors")
    if isinstance(authors, str):
        authors = [authors]
    updates: dict[str, Any] = {
        "title": _str(record.get("title")) or article.title,
        "url": _str(record.get("url")) or article.url,
        "outlet": _str(record.get("outlet")) or article.outlet,
        "authors": [str(a) for a in authors] if isinstance(authors, list) else article.authors,
    }
    given = record.get("published")
    if given is not None and not (isinstance(given, str) and not given.strip()):
        span = read_stated(given)
        if span:
            updates["published"] = stated_estimate(span, "stated in input")
        else:
            updates["warnings"] = [*article.warnings, _unreadable("published", given)]
    return article.model_copy(update=updates)


def _unreadable(field: str, value: object) -> str:
    """The warning for a date an input gives that cannot be read."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"'{field}' {shown} cannot be read as a date; it was not used"


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _finish(article: CleanArticle, item: RawItem, options: CleanOptions) -> CleanArticle:
    """Refuse a text that is not language; fill metadata from container hints, estimate a
    missing date, detect the language."""
    _refuse_unless_language(article.text)
    hints = item.hints
    updates: dict[str, Any] = {}
    if not article.title and isinstance(hints.get("title"), str):
        updates["title"] = hints["title"]
    hinted_authors = hints.get("authors")
    if not article.authors and isinstance(hinted_authors, list):
        updates["authors"] = [str(a) for a in hinted_authors]
    outlet = article.outlet if article.outlet and not _HOSTLIKE.match(article.outlet) else None
    updates["outlet"] = outlet or hints.get("outlet") or _host(article.url or item.url)
    updates["url"] = article.url or item.url
    published, warnings = _hinted_date(article, hints)
    if warnings:
        updates["warnings"] = [*article.warnings, *warnings]
    if published is None:
        today = parse_stated(hints.get("crawled")) or options.today
        # Captions are the page's own words: their dates bound the estimate from below.
        captions = [r.split(": ", 1)[1] for r in article.removed if r.startswith("caption: ")]
        published = estimate_published(
            article.text,
            today=today,
            period=options.period,
            horizon_days=options.config.date_horizon_days,
            captions="\n".join(captions),
        )
    updates["published"] = published
    if not article.language:
        updates["language"] = detect_language(article.text)
    return _normalized_metadata(article.model_copy(update=updates))


def _hinted_date(
    article: CleanArticle, hints: dict[str, object]
) -> tuple[DateEstimate | None, list[str]]:
    """The article's own date, else the one its container (a feed entry) states; with a
    warning when the container gave a date that cannot be read."""
    if article.published is not None:
        return article.published, []
    for key in ("published", "published_text"):
        value = hints.get(key)
        if value in (None, ""):
            continue
        span = read_stated(value)
        if span:
            return stated_estimate(span, "feed entry"), []
        return None, [_unreadable("published", value)]
    return None, []


def _refuse_unless_language(text: str) -> None:
    """Raise InputError when cleaning left no text, or text that is not language."""
    if not text.strip():
        raise InputError(FailureCode.NO_TEXT, "no article text left after cleaning")
    if reason := not_language(text):
        raise InputError(FailureCode.NOT_LANGUAGE, reason)


def _normalized_metadata(article: CleanArticle) -> CleanArticle:
    """Metadata as clean as the text: NFC, escapes repaired, spaces plain and trimmed."""

    def norm(value: str | None) -> str | None:
        return " ".join(normalize_text(value).split()) or None if value else None

    return article.model_copy(
        update={
            "title": norm(article.title),
            "outlet": norm(article.outlet),
            "authors": [a for a in (norm(x) for x in article.authors) if a],
        }
    )


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by CLD2, or None when it cannot tell.

    CLD2 was chosen over py3langid on measurement: 0.15 ms and 1.5 MB against 3 ms and
    73 MB per process, and it tells Belarusian, Ukrainian and Russian apart.
    """
    try:
        reliable, _, details = pycld2.detect(text[:20_000])
    except (pycld2.error, UnicodeEncodeError):  # invalid text: lone surrogates, bad bytes
        return None
    code = str(details[0][1])
    return code if reliable and code != "un" else None
