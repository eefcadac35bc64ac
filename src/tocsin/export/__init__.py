"""Exports of the store, for readers outside tocsin; the formats are in docs/formats.md.

- JSONL (``jsonl``): one article per line with its evidence, for people and scripts.
- Parquet (``parquet``): every table, one file each with a declared schema (``tables``),
  for DuckDB, pandas, Spark and the like.
"""

from __future__ import annotations

from tocsin.export.jsonl import (
    EVIDENCE_FIELDS,
    EXPORT_FIELDS,
    article_record,
    export_jsonl,
    extraction_record,
)
from tocsin.export.parquet import BATCH_ROWS, ParquetSummary, TableExport, export_parquet
from tocsin.export.tables import TABLES, Column, Table

__all__ = [
    "BATCH_ROWS",
    "EVIDENCE_FIELDS",
    "EXPORT_FIELDS",
    "TABLES",
    "Column",
    "ParquetSummary",
    "Table",
    "TableExport",
    "article_record",
    "export_jsonl",
    "export_parquet",
    "extraction_record",
]
