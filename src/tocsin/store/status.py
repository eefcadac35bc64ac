"""What `tocsin status` reports: inputs by state, articles by extraction state, every
failure, of an input or of an article's extraction, with its reason, every warning of the
ingest, and the articles no pipeline reads, counted by reason ('language hr')."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tocsin.models import ExtractionFailure, Failure, IngestWarning
from tocsin.store.db import Store
from tocsin.store.evidence import extraction_counts, extraction_failures, not_extracted_counts


@dataclass(frozen=True)
class StoreStatus:
    counts: dict[str, int]
    extraction: dict[str, int]
    extractor_version: str
    failures: list[Failure]
    extraction_failures: list[ExtractionFailure]
    not_extracted: dict[str, int]
    warnings: list[IngestWarning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "extraction": {**self.extraction, "extractor_version": self.extractor_version},
            "failures": [asdict(f) for f in self.failures],
            "extraction_failures": [asdict(f) for f in self.extraction_failures],
            "not_extracted": self.not_extracted,
            "warnings": [asdict(w) for w in self.warnings],
        }


def status(store: Store, extractor_version: str) -> StoreStatus:
    return StoreStatus(
        store.counts(),
        extraction_counts(store, extractor_version),
        extractor_version,
        store.failures(),
        extraction_failures(store),
        not_extracted_counts(store),
        store.warnings(),
    )
