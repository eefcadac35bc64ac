"""Alert rules: the case file's ``alerts:`` key, what each rule watches and how often it
may speak.

A rule has an id, a kind (``tocsin.models.alerts.AlertKind``) and the parameters of that
kind; ``assess.alerts.evaluate`` applies the rules to two assessments of a case. Values
are checked here as the rest of the case file is (pydantic; a fault names its key and its
line); the ids a rule names, which only the whole file knows, are checked by
``alert_faults``, which ``assess.case`` runs with its other checks between parts.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tocsin.assess.yamlfile import Fault, listed, shown
from tocsin.models.alerts import AlertKind

# A rule's default rate: at most this many alerts in this many hours. A rule that matches
# on every cycle (a busy indicator) then tells of itself a few times a day, not at each
# fetch; the store holds back the rest (``store.alerts.record``).
DEFAULT_RATE_MAX = 5
DEFAULT_RATE_HOURS = 24.0
ANY = "any"  # a move rule's hypothesis: every hypothesis

_ID = re.compile(r"^[A-Za-z][\w.-]*$")  # as every other id of a case file (assess.case)
# What each kind needs and what else it may have, besides id, kind and rate.
_NEEDS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator",),
    "absent": ("indicator",),
    "threshold": ("hypothesis",),
    "move": ("points", "days"),
    "leader": (),
    "uncorroborated": (),
}
_MAY: dict[str, tuple[str, ...]] = {
    "indicator": ("min_score",),
    "absent": ("min_score",),
    "threshold": ("above", "below"),
    "move": ("hypothesis",),
    "leader": (),
    "uncorroborated": (),
}
_PARAMETERS = ("indicator", "hypothesis", "above", "below", "points", "days", "min_score")
_Unit = Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rate(_Model):
    """At most ``max`` alerts of one rule in any ``hours`` hours."""

    max: Annotated[int, Field(ge=1, le=10_000)] = DEFAULT_RATE_MAX
    hours: Annotated[float, Field(gt=0.0, le=24.0 * 366, allow_inf_nan=False)] = DEFAULT_RATE_HOURS


class AlertRule(_Model):
    """One rule of a case: what it watches (``kind``) and that kind's parameters.

    indicator / absent: ``indicator`` reported seen / reported absent, by links scoring at
    least ``min_score`` (any score when not given); threshold: ``hypothesis`` crossing
    ``above`` upwards or ``below`` downwards; move: ``hypothesis`` (every one when not
    given or ``any``) moving more than ``points`` percentage points within the last
    ``days`` days; leader: the leading hypothesis changes; uncorroborated: a claim from one
    low-graded source that would move the forecast appears.
    """

    id: str
    kind: AlertKind
    indicator: str | None = None
    hypothesis: str | None = None
    above: _Unit | None = None
    below: _Unit | None = None
    points: Annotated[float, Field(gt=0.0, le=100.0, allow_inf_nan=False)] | None = None
    days: Annotated[int, Field(gt=0, le=36_500)] | None = None
    min_score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] | None = None
    rate: Rate = Rate()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"'{shown(value)}' is not an id (a letter, then letters, digits, _ . -)"
            )
        return value

    @model_validator(mode="after")
    def _parameters(self) -> AlertRule:
        given = {key for key in _PARAMETERS if getattr(self, key) is not None}
        missing = [key for key in _NEEDS[self.kind] if key not in given]
        if missing:
            raise ValueError(f"{_a(self.kind)} rule needs {' and '.join(missing)}")
        extra = sorted(given - set(_NEEDS[self.kind]) - set(_MAY[self.kind]))
        if extra:
            raise ValueError(f"{_a(self.kind)} rule takes no {', '.join(extra)}")
        if self.kind == "threshold" and self.above is None and self.below is None:
            raise ValueError("a threshold rule needs above or below (or both)")
        return self

    @property
    def watched(self) -> str | None:
        """The hypothesis a threshold or move rule watches; None: every one (move)."""
        return None if self.hypothesis in (None, ANY) else self.hypothesis


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def rate_limits(rules: list[AlertRule], case_id: str) -> dict[tuple[str, str], tuple[int, float]]:
    """Each rule's rate, by (case, rule), as ``store.alerts.record`` takes them."""
    return {(case_id, r.id): (r.rate.max, r.rate.hours) for r in rules}


# -- checks between parts (run by assess.case) --------------------------------------------


def alert_faults(data: dict[str, Any]) -> list[Fault]:
    """Faults of the ``alerts`` key that only the whole file shows: a repeated rule id, an
    indicator or hypothesis the file does not have. Read from the data as given, so that
    an unknown id is named even in a rule with other faults."""
    rules = data.get("alerts")
    if not isinstance(rules, list):
        return []
    indicators = _ids(data.get("indicators"))
    hypotheses = _ids(data.get("hypotheses"))
    faults: list[Fault] = []
    seen: set[str] = set()
    for n, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        rule_id = rule.get("id")
        if isinstance(rule_id, str):
            if rule_id in seen:
                faults.append((["alerts", n, "id"], f"id '{shown(rule_id)}' is used twice"))
            seen.add(rule_id)
        faults += _unknown(n, rule, "indicator", indicators, "an indicator")
        if rule.get("hypothesis") != ANY or rule.get("kind") != "move":
            faults += _unknown(n, rule, "hypothesis", hypotheses, "a hypothesis")
    return faults


def _ids(items: Any) -> list[str] | None:
    """The ids of a list of items; None when the list is not one (its own fault)."""
    if not isinstance(items, list):
        return None if items is not None else []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def _unknown(
    n: int, rule: dict[str, Any], key: str, known: list[str] | None, what: str
) -> list[Fault]:
    named = rule.get(key)
    if not isinstance(named, str) or known is None or named in known:
        return []
    among = f" (the file has {listed(known)})" if known else ""
    return [(["alerts", n, key], f"'{shown(named)}' is not {what}{among}")]
