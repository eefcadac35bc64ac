"""The records of the assessment layer as the store keeps them: links, the analyst's
decisions, outcomes and forecasts.

A link is keyed by what it points at (case, article, span, indicator), so that a decision
taken on it applies again when the links are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Literal

Decision = Literal["accept", "reject", "relink"]
DECISIONS: tuple[Decision, ...] = ("accept", "reject", "relink")
Polarity = Literal["seen", "negated"]


@dataclass(frozen=True)
class LinkKey:
    """What a link points at: the article, the span of its sentence, the indicator."""

    article_id: int
    start: int
    end: int
    indicator_id: str


@dataclass(frozen=True)
class LinkFields:
    """A link's stored description besides its key: made by the linker, or kept by the
    analyst's decision when the linker no longer makes it."""

    text: str
    polarity: str
    score: float
    method: str
    reason: str
    kind: str  # 'quote', 'claim', 'event' or 'sentence'
    status: str | None  # the claim's epistemic status, if any
    source: str | None  # who the text is attributed to
    source_key: str  # the independence key: one key, one observation
    reliability: str
    credibility: int
    published: str | None  # ISO date
    linker_version: str

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> LinkFields | None:
        """The fields from a stored snapshot, or None when one is missing."""
        names = [f.name for f in fields(cls)]
        if not all(name in data for name in names):
            return None
        return cls(**{name: data[name] for name in names})


@dataclass(frozen=True)
class LinkRow:
    """A stored link with the analyst's decision on it, if any."""

    id: int
    case_id: str
    key: LinkKey
    fields: LinkFields
    decision: Decision | None = None
    new_indicator: str | None = None
    decided_polarity: str | None = None
    analyst: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """The id as listings print it, and as every command accepts it: 'L12'."""
        return f"L{self.id}"

    def as_dict(self) -> dict[str, Any]:
        """Flat, as `tocsin evidence list --json` prints it."""
        return {
            "id": self.id,
            "case_id": self.case_id,
            "article_id": self.key.article_id,
            "start": self.key.start,
            "end": self.key.end,
            "indicator_id": self.key.indicator_id,
            **self.fields.as_dict(),
            "decision": self.decision,
            "new_indicator": self.new_indicator,
            "decided_polarity": self.decided_polarity,
            "analyst": self.analyst,
            "note": self.note,
        }


@dataclass(frozen=True)
class LinkState:
    """What a case's last linking run was made from: links made from anything else are
    stale."""

    case_hash: str
    linker_version: str
    embedder: str
    last_article: int


@dataclass(frozen=True)
class Resolution:
    """What happened: a question's outcome; ``origin`` 'case' marks one copied from the case
    file, 'resolve' one recorded by `tocsin resolve`."""

    case_id: str
    question_id: str
    outcome: str
    resolved_on: date
    note: str = ""
    origin: str = "resolve"


@dataclass(frozen=True)
class Forecast:
    """One forecast of one question as of a date, by one method ('bayes', 'actors',
    'analyst'): probabilities by outcome, and the question's deadline."""

    case_id: str
    question_id: str
    as_of: date
    method: str
    probabilities: dict[str, float]
    deadline: date
