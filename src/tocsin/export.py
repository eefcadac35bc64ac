"""Exports of the store. JSONL: one article per line; the format is in docs/formats.md."""

from __future__ import annotations

import json
from typing import Any, TextIO

from tocsin.models import Article
from tocsin.store.db import Store

EXPORT_FIELDS = (
    "id",
    "source",
    "url",
    "title",
    "authors",
    "published",
    "published_estimated",
    "published_range",
    "outlet",
    "language",
    "text",
    "duplicate_of",
)


def article_record(article: Article) -> dict[str, Any]:
    data = article.model_dump(mode="json")
    return {key: data[key] for key in EXPORT_FIELDS}


def export_jsonl(store: Store, fh: TextIO, *, include_duplicates: bool = True) -> int:
    """Write every article as a JSON line to ``fh``; return how many were written."""
    n = 0
    for article in store.articles(include_duplicates=include_duplicates):
        fh.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
        n += 1
    return n
