"""What an extraction run is asked to do and what it reports: light to import.

The command line needs these names for every command (`status` shows the extractor
version); keeping them apart from the spaCy-based modules keeps spaCy out of start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The English models `--model` chooses between (see tocsin.extract.nlp for the packages).
MODELS = ("sm", "md")

# Bump when the rules change what they produce, so stale results show in `tocsin status`.
EXTRACTOR_VERSION = "3"  # 3 (#10): relayed sources, labelled quotes, troops leaving, soldier=troop

Progress = Callable[[int, str], None]


# Seconds one article may take before it is recorded as failed (0: no limit), as the
# setting `extract_budget` gives it. Generous: a 1 MB article of ordinary news takes about a
# minute here; a slower one is a hostile one.
EXTRACT_BUDGET = 300.0


@dataclass
class Options:
    model: str = "sm"
    alias_files: tuple[Path, ...] = ()
    budget: float = EXTRACT_BUDGET


@dataclass
class ExtractReport:
    processed: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    not_extracted: dict[str, int] = field(default_factory=dict)  # reason -> articles
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    cut_short: bool = False  # ended early when asked (``extract``'s ``until``)
    model: str = "sm"
    version: str = EXTRACTOR_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "processed": self.processed,
            "failed": [{"article_id": i, "error": e} for i, e in self.failed],
            "not_extracted": self.not_extracted,
            "counts": self.counts,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "cut_short": self.cut_short,
            "model": self.model,
            "extractor_version": self.version,
        }
