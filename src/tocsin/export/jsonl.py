"""JSONL export: one article per line, with its evidence; the format is in docs/formats.md."""

from __future__ import annotations

import json
from typing import Any, TextIO

from tocsin.models import Article, ArticleFields
from tocsin.models.evidence import ExtractionState
from tocsin.store.db import Store
from tocsin.store.evidence import article_evidence, extraction_state

EXPORT_FIELDS = tuple(ArticleFields.model_fields)
# Added by the evidence layer (#3), each a list of records with offsets into ``text``.
EVIDENCE_FIELDS = ("entities", "quotes", "claims", "quantities", "dates", "events")


def extraction_record(state: ExtractionState) -> dict[str, Any]:
    """The export's ``extraction`` field: where the article stands with the evidence layer."""
    return {
        "state": state.state,
        "pipeline": state.pipeline,
        "reason": state.reason,
        "extractor_version": state.extractor_version,
    }


def article_record(article: Article, store: Store | None = None) -> dict[str, Any]:
    """The export line of one article; with ``store``, its evidence too (empty lists
    until it is extracted) and its extraction state."""
    data = article.model_dump(mode="json")
    record = {key: data[key] for key in EXPORT_FIELDS}
    if store is not None:
        record["extraction"] = extraction_record(extraction_state(store, article.id))
        record.update(article_evidence(store, article.id))
    return record


def export_jsonl(store: Store, fh: TextIO, *, include_duplicates: bool = True) -> int:
    """Write every article as a JSON line to ``fh``; return how many were written."""
    n = 0
    for article in store.articles(include_duplicates=include_duplicates):
        fh.write(json.dumps(article_record(article, store), ensure_ascii=False) + "\n")
        n += 1
    return n
