"""An alert: what a case's alert rule saw change, with the sentences and sources behind it.

Alerts are made by comparing a case's assessment with the one before it (``tocsin watch``
after each cycle; see docs/watch.md) and sent to the channels the watcher is given (JSON
lines, an Atom feed, a webhook, e-mail, the desk). ``key`` says which alerts are one: an
alert whose key was sent before is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# What a rule watches: an indicator reported (seen) or reported absent (negated); a
# hypothesis crossing a threshold; a hypothesis moving more than N points within a window;
# the leading hypothesis changing; an uncorroborated claim from a low-graded source that
# would move the forecast.
AlertKind = Literal["indicator", "absent", "threshold", "move", "leader", "uncorroborated"]
ALERT_KINDS: tuple[AlertKind, ...] = (
    "indicator", "absent", "threshold", "move", "leader", "uncorroborated"
)  # fmt: skip


@dataclass(frozen=True)
class AlertEvidence:
    """One sentence behind an alert: the link ('L12') or hand-entered item it is, its
    words, who said it and where it was published."""

    id: str
    text: str
    source: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None
    reliability: str | None = None  # the source's Admiralty grade, A-F

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "reliability": self.reliability,
        }


@dataclass(frozen=True)
class Alert:
    """One alert of one case's rule."""

    case_id: str
    rule_id: str
    kind: AlertKind
    title: str  # one line: what happened
    detail: str  # a paragraph: the figures and why the rule fired
    key: str  # alerts with one key are one alert (sent once)
    as_of: date | None  # the evidence date the assessment that fired it was made to
    fired_at: datetime  # when it was made, in UTC
    probabilities: dict[str, float] = field(default_factory=dict)  # the posterior then
    evidence: tuple[AlertEvidence, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The alert as the JSON-lines channel and the webhook send it (docs/watch.md)."""
        return {
            "case": self.case_id,
            "rule": self.rule_id,
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "key": self.key,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "fired_at": self.fired_at.isoformat(),
            "probabilities": dict(self.probabilities),
            "evidence": [e.as_json() for e in self.evidence],
        }
