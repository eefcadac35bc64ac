"""Ingestion: read or fetch sources, decode, clean, date, de-duplicate, store."""
