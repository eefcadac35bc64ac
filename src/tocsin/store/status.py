"""What `tocsin status` reports: inputs by state, articles by extraction state, every
failure, of an input or of an article's extraction, with its reason, every warning of the
ingest, the articles no pipeline reads, counted by reason ('language hr'), and, when the
store is watched (`tocsin watch`), each source's state and the last cycles."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tocsin.models import ExtractionFailure, Failure, IngestWarning
from tocsin.store.db import Store
from tocsin.store.evidence import extraction_counts, extraction_failures, not_extracted_counts
from tocsin.store.watch import CycleRow, SourceState, cycles, source_states

CYCLES_SHOWN = 5  # the watcher's last cycles `tocsin status` lists


@dataclass(frozen=True)
class StoreStatus:
    counts: dict[str, int]
    extraction: dict[str, int]
    extractor_version: str
    failures: list[Failure]
    extraction_failures: list[ExtractionFailure]
    not_extracted: dict[str, int]
    warnings: list[IngestWarning]
    watched: list[SourceState] = field(default_factory=list)  # by name
    cycles: list[CycleRow] = field(default_factory=list)  # the last ones, newest first

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "extraction": {**self.extraction, "extractor_version": self.extractor_version},
            "failures": [asdict(f) for f in self.failures],
            "extraction_failures": [asdict(f) for f in self.extraction_failures],
            "not_extracted": self.not_extracted,
            "warnings": [asdict(w) for w in self.warnings],
            "watch": {
                "sources": [_times(asdict(s)) for s in self.watched],
                "cycles": [_times(asdict(c)) for c in self.cycles],
            },
        }


def _times(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its datetimes as ISO 8601 text."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def status(store: Store, extractor_version: str) -> StoreStatus:
    return StoreStatus(
        store.counts(),
        extraction_counts(store, extractor_version),
        extractor_version,
        store.failures(),
        extraction_failures(store),
        not_extracted_counts(store),
        store.warnings(),
        list(source_states(store).values()),
        cycles(store, CYCLES_SHOWN),
    )
