"""Case files: the question, hypotheses, indicators, actors, source grades and evidence.

A case file is YAML validated with pydantic. Errors name the key path and the line of the
file it sits on (``hypotheses[1].prior (line 14): ...``), so an analyst can fix the file
without reading a traceback; every fault is reported at once: the values pydantic refuses
and the checks between parts (unknown hypotheses, repeated ids, priors) together.
``load_case`` is the only entry point; ``template`` gives the commented file ``tocsin case
new`` writes. The limits below bound what a file can ask of ``case check`` and ``assess``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from tocsin.assess.alert_rules import AlertRule, alert_faults
from tocsin.assess.case_actors import actor_model_faults, veto_faults, veto_tables
from tocsin.assess.patterns import PatternError, compile_pattern
from tocsin.assess.yamlfile import REFUSED, Fault, Limits, Loc, describe, listed, read, shown
from tocsin.errors import InvalidInput
from tocsin.files import read_small_text

# -- limits (docs/case-files.md) ----------------------------------------------------------
# Generous for a case written by hand; beyond them a file is refused with the key and line.
MAX_CASE_BYTES = 5 * 1024 * 1024  # the file; no more is ever read, whatever the file is
MAX_DEPTH = 32  # lists and mappings nested in one another
MAX_ITEMS = 1000  # entries of any one list or mapping (lower limits below)
MAX_NUMBER = 1e15  # the magnitude of any number; numbers are finite
MAX_PATTERN_CHARS = 1000  # one indicator pattern
MAX_FAULTS_SHOWN = 100  # faults listed in one report; the rest are counted
# The most items of a list, by its keys in the file (indicators[3].patterns: indicators,
# patterns). The actor model's cost grows with the cube of the number of actors.
LIST_LIMITS: dict[tuple[str, ...], int] = {
    ("hypotheses",): 100,
    ("indicators",): 1000,
    ("indicators", "patterns"): 100,
    ("indicators", "examples"): 100,
    ("indicators", "counter_examples"): 100,
    ("actors",): 50,
    ("actors", "aliases"): 100,
    ("sources",): 1000,
    ("sources", "aliases"): 100,
    ("evidence",): 1000,
    ("articles",): 1000,
    ("questions",): 1000,
}

Rating = Literal["CC", "C", "N", "NA", "I", "II"]
Level = Literal["low", "medium", "high"]
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Likelihood = Annotated[float, Field(gt=0.0, le=1.0)]
Number = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]

# An indicator rated only on the ACH scale gets these likelihoods of being observed:
# consistent evidence is about twice as likely under the hypothesis as neutral evidence.
RATING_LIKELIHOOD: dict[str, float] = {
    "CC": 0.85,
    "C": 0.65,
    "N": 0.45,
    "NA": 0.45,
    "I": 0.25,
    "II": 0.08,
}

_ID = re.compile(r"^[A-Za-z][\w.-]*$")
LIMITS = Limits(MAX_DEPTH, MAX_ITEMS, MAX_NUMBER, LIST_LIMITS)


def _quoted(text: str) -> str:
    return f"'{shown(text)}'"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{_quoted(value)} is not an id (a letter, then letters, digits, _ . -)")
    return value


class Range(_Model):
    """A quantity the analyst can only bound: the low and high ends, and a best guess."""

    low: Number
    high: Number
    best: Number | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"low": value, "high": value}
        if isinstance(value, (list, tuple)) and len(value) in (2, 3):
            keys = ("low", "high", "best")
            return dict(zip(keys, value, strict=False))
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        if self.best is not None and not self.low <= self.best <= self.high:
            raise ValueError(f"best {self.best} lies outside {self.low}..{self.high}")
        return self

    @property
    def point(self) -> float:
        """The best guess, or the middle of the range."""
        return self.best if self.best is not None else (self.low + self.high) / 2


class Resolution(_Model):
    criteria: str
    deadline: dt.date


class Hypothesis(_Model):
    id: str
    title: str
    description: str = ""
    prior: Probability | None = None

    _id = field_validator("id")(_check_id)


def _runs_on_re2(pattern: str) -> str:
    """``pattern`` if RE2 can run it; the fault quotes it as written, between slashes."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"a pattern of {len(pattern):,} characters; at most {MAX_PATTERN_CHARS:,}")
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        raise ValueError(f"/{shown(pattern)}/ {exc}") from exc
    return pattern


class Indicator(_Model):
    """Something to watch for, and how likely it is to be seen under each hypothesis."""

    id: str
    description: str
    patterns: list[Annotated[str, AfterValidator(_runs_on_re2)]] = []
    examples: list[str] = []
    # Sentences that look like the indicator but do not report it: the linker weighs down
    # a sentence nearer to one of them than to any example (link_model.counter_factor).
    counter_examples: list[str] = []
    # P(indicator reported | hypothesis), or an ACH rating per hypothesis; one is required.
    likelihoods: dict[str, Likelihood] = {}
    ratings: dict[str, Rating] = {}
    # P(indicator reported as absent | hypothesis); by default 1 - likelihood.
    negated: dict[str, Likelihood] = {}
    # False when the indicator's own wording is negative, so that cues do not flip it.
    negatable: bool = True
    # The hypotheses a report of it (seen) settles by the resolution criteria: only such a
    # report lets the forecast of one of them pass the cap (score.CERTAINTY_CAP).
    resolves: list[str] = []

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _scored(self) -> Indicator:
        if not self.likelihoods and not self.ratings:
            raise ValueError("give likelihoods or ratings for each hypothesis")
        if not self.patterns and not self.examples:
            raise ValueError("give patterns or example sentences to match")
        return self

    def likelihood(self, hypothesis: str) -> float:
        if hypothesis in self.likelihoods:
            return self.likelihoods[hypothesis]
        return RATING_LIKELIHOOD[self.ratings.get(hypothesis, "N")]

    def negated_likelihood(self, hypothesis: str) -> float:
        if hypothesis in self.negated:
            return self.negated[hypothesis]
        return max(0.02, 1.0 - self.likelihood(hypothesis))


class Actor(_Model):
    """One actor of the bargaining model; position, salience and capability as ranges."""

    id: str
    name: str
    aliases: list[str] = []
    position: Range
    salience: Range
    capability: Range
    note: str = ""
    # A veto player: the hypotheses whose outcome needs its consent (docs/actors.md).
    veto: list[str] = []

    _id = field_validator("id")(_check_id)

    @field_validator("salience")
    @classmethod
    def _unit(cls, value: Range) -> Range:
        if value.low < 0 or value.high > 1:
            raise ValueError("salience lies in 0..1")
        return value

    @field_validator("capability")
    @classmethod
    def _positive(cls, value: Range) -> Range:
        if value.low < 0:
            raise ValueError("capability cannot be negative")
        return value


class ActorModel(_Model):
    """The issue scale the actors bargain over and how its outcomes read as hypotheses."""

    issue: str
    scale: tuple[Number, Number] = (0.0, 10.0)
    # Outcome position interval per hypothesis: [low, high), the topmost closed.
    outcomes: dict[str, tuple[Number, Number]]
    rounds: Annotated[int, Field(ge=1, le=100)] = 10
    samples: Annotated[int, Field(ge=10, le=100_000)] = 500
    seed: Annotated[int, Field(ge=0)] = 2022
    variant: Literal["scholz", "corrected"] = "scholz"
    # What a draw blocked by a veto player counts as; by default the one hypothesis that
    # needs nobody's consent.
    status_quo: str | None = None
    # How far (on the scale) outside an outcome's range a veto player may end and still
    # consent to it.
    veto_tolerance: Annotated[float, Field(ge=0.0, le=MAX_NUMBER, allow_inf_nan=False)] = 0.0


class Source(_Model):
    """A graded source: an outlet, a person or an organisation, with its Admiralty grade."""

    name: str
    kind: Literal["outlet", "person", "organisation"]
    aliases: list[str] = []
    reliability: Reliability
    # Default Admiralty information credibility (1-6) for what this source reports.
    credibility: Annotated[int, Field(ge=1, le=6)] = 3
    note: str = ""


def _by_analyst(value: Any) -> Any:
    """One analyst's ratings (hypothesis -> rating) as ratings by analyst."""
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return {"analyst": value}
    return value


class ManualEvidence(_Model):
    """Evidence entered by hand, rated against each hypothesis by one or more analysts."""

    id: str
    text: str
    date: dt.date | None = None
    source: str = ""
    credibility: Level = "medium"
    relevance: Level = "medium"
    # analyst -> hypothesis -> rating; a single analyst may give hypothesis -> rating.
    ratings: dict[str, dict[str, Rating]] = {}
    likelihoods: dict[str, Likelihood] = {}
    # The indicator the sentence reports, if any: the linker learns it as an example.
    indicator: str | None = None

    _id = field_validator("id")(_check_id)

    @field_validator("ratings", mode="before")
    @classmethod
    def _one_analyst(cls, value: Any) -> Any:
        return _by_analyst(value)


class ArticleNote(_Model):
    """What the analyst knows of a stored article that its text does not say."""

    title: str  # a part of the stored title that picks the article out
    published: dt.date | None = None
    outlet: str | None = None


class Question(_Model):
    """A question to forecast and score: the main one, or a side question."""

    id: str
    text: str
    deadline: dt.date
    # Forecast derived from the hypotheses: P(yes | H) for each hypothesis.
    given: dict[str, Probability] = {}
    # Forecasts recorded by hand (date -> P(yes)), scored beside the derived one.
    forecasts: dict[dt.date, Probability] = {}
    outcome: bool | None = None

    _id = field_validator("id")(_check_id)


class Case(_Model):
    id: str
    question: str
    resolution: Resolution
    hypotheses: list[Hypothesis]
    indicators: list[Indicator] = []
    actors: list[Actor] = []
    actor_model: ActorModel | None = None
    sources: list[Source] = []
    evidence: list[ManualEvidence] = []
    articles: list[ArticleNote] = []
    questions: list[Question] = []
    outcome: str | None = None  # the hypothesis that came true, once resolved
    # How sentences are linked to indicators: "rules" (a pattern, or a near and distinct
    # embedding) or "model" (every sentence against every indicator, by the link model
    # learned from the backtest shelf, each link weighing its probability of being right).
    linker: Literal["rules", "model"] = "rules"
    alerts: list[AlertRule] = []  # what to tell the analyst of (assess.alert_rules)
    # The YAML the case was read from and where (set by ``parse_case``): the store keeps
    # every version of it for the desk (``tocsin.store.desk``).
    _text: str = PrivateAttr(default="")
    _origin: str = PrivateAttr(default="")

    _id = field_validator("id")(_check_id)

    @property
    def text(self) -> str:
        """The case file's text, as read ('' for a case built in code)."""
        return self._text

    @property
    def origin(self) -> str:
        """Where the case file was read from ('' for a case built in code)."""
        return self._origin

    def priors(self) -> dict[str, float]:
        """Normalised priors; uniform when the file gives none."""
        raw = {h.id: h.prior if h.prior is not None else 1.0 for h in self.hypotheses}
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}

    def hypothesis_ids(self) -> list[str]:
        return [h.id for h in self.hypotheses]


# -- checks between parts ------------------------------------------------------------------

_IDENTIFIED = ("hypotheses", "indicators", "actors", "evidence", "questions")
_LINK_ID = re.compile(r"^L\d+$")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class _Parts:
    """What the checks between parts read, from the data of a file with or without faults:
    the hypotheses and actors that validate, each with its index in the file; the id of
    every item that has one; every table keyed by hypothesis ids, valid or not; the ids of
    the hypotheses (None when they are no list); the lists whose every item validates."""

    hypotheses: list[tuple[int, Hypothesis]]
    actors: list[tuple[int, Actor]]
    ids: dict[str, list[tuple[int, str]]]
    tables: list[tuple[Loc, list[str]]]
    known: list[str] | None
    complete: frozenset[str]
    actor_model: ActorModel | None
    outcome: str | None
    evidence_indicators: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def of_data(cls, data: dict[str, Any]) -> _Parts:
        lists = {k: data.get(k, []) for k in _IDENTIFIED if isinstance(data.get(k, []), list)}
        hypotheses = _valid(lists.get("hypotheses"), Hypothesis)
        actors = _valid(lists.get("actors"), Actor)
        model = _valid([data.get("actor_model")], ActorModel)
        ids = {key: _raw_ids(lists.get(key, [])) for key in _IDENTIFIED}
        return cls(
            hypotheses,
            actors,
            ids=ids,
            tables=_tables(lists, data.get("actor_model")),
            known=[i for _, i in ids["hypotheses"]] if "hypotheses" in lists else None,
            complete=frozenset(
                key
                for key, valid in (("hypotheses", hypotheses), ("actors", actors))
                if len(valid) == len(lists.get(key, []))
            ),
            actor_model=model[0][1] if model else None,
            outcome=data["outcome"] if isinstance(data.get("outcome"), str) else None,
            evidence_indicators=[
                (n, item["indicator"])
                for n, item in enumerate(lists.get("evidence", []))
                if isinstance(item, dict) and isinstance(item.get("indicator"), str)
            ],
        )


def _valid(value: Any, model: type[M]) -> list[tuple[int, M]]:
    """The items of the list ``value`` that validate as ``model``, with their indexes."""
    out: list[tuple[int, M]] = []
    for n, item in enumerate(value if isinstance(value, list) else []):
        try:
            out.append((n, model.model_validate(item)))
        except ValidationError:
            continue  # its faults are reported by the validation of the whole file
    return out


def _raw_ids(items: list[Any]) -> list[tuple[int, str]]:
    return [(n, item["id"]) for n, item in _mappings(items) if isinstance(item.get("id"), str)]


def _mappings(items: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(n, item) for n, item in enumerate(items) if isinstance(item, dict)]


def _keys(table: Any) -> list[str]:
    return [str(key) for key in table] if isinstance(table, dict) else []


def _tables(lists: dict[str, list[Any]], actor_model: Any) -> list[tuple[Loc, list[str]]]:
    """Every mapping keyed by hypothesis ids, with its key path: read from the data as
    given, so that an unknown hypothesis is named even in an item with other faults."""
    out: list[tuple[Loc, list[str]]] = []
    for n, item in _mappings(lists.get("indicators", [])):
        for key in ("likelihoods", "ratings", "negated"):
            out.append((["indicators", n, key], _keys(item.get(key))))
        resolves = item.get("resolves")
        if isinstance(resolves, list):
            out.append((["indicators", n, "resolves"], [str(h) for h in resolves]))
    for n, item in _mappings(lists.get("evidence", [])):
        out.append((["evidence", n, "likelihoods"], _keys(item.get("likelihoods"))))
        ratings = _by_analyst(item.get("ratings"))
        for analyst, table in ratings.items() if isinstance(ratings, dict) else ():
            out.append((["evidence", n, "ratings", str(analyst)], _keys(table)))
    for n, item in _mappings(lists.get("questions", [])):
        out.append((["questions", n, "given"], _keys(item.get("given"))))
    if isinstance(actor_model, dict):
        out.append((["actor_model", "outcomes"], _keys(actor_model.get("outcomes"))))
    return out + veto_tables(_mappings(lists.get("actors", [])), actor_model)


def cross_check(case: Case) -> list[Fault]:
    """Faults between parts of a valid case file: unknown or repeated ids, partial priors."""
    return _cross_check(_Parts.of_data(data := case.model_dump())) + alert_faults(data)


def _cross_check(parts: _Parts) -> list[Fault]:
    return [
        *_hypothesis_faults(parts),
        *_id_faults(parts),
        *_reference_faults(parts),
        *actor_model_faults(parts.actors, parts.actor_model, "actors" in parts.complete),
        *veto_faults(parts.actors, parts.actor_model, parts.known),
        *_evidence_indicator_faults(parts),
    ]


def _evidence_indicator_faults(parts: _Parts) -> list[Fault]:
    """Evidence entered by hand that names an indicator the file does not have."""
    known = {i for _, i in parts.ids["indicators"]}
    return [
        (["evidence", n, "indicator"], f"{_quoted(named)} is not an indicator")
        for n, named in parts.evidence_indicators
        if named not in known
    ]


def _hypothesis_faults(parts: _Parts) -> list[Fault]:
    faults: list[Fault] = []
    if parts.known is not None and len(parts.known) < 2:
        faults.append((["hypotheses"], "a case needs at least two hypotheses"))
    if "hypotheses" in parts.complete:
        priors = [h.prior for _, h in parts.hypotheses]
        if any(p is not None for p in priors) and None in priors:
            faults.append((["hypotheses"], "give a prior for every hypothesis or for none"))
        elif priors and all(p == 0 for p in priors):
            faults.append((["hypotheses"], "the priors cannot all be 0"))
    return faults


def _id_faults(parts: _Parts) -> list[Fault]:
    faults = [fault for key in _IDENTIFIED for fault in _repeated(key, parts.ids[key])]
    for n, item in parts.ids["evidence"]:
        if _LINK_ID.match(item):
            faults.append((["evidence", n, "id"], f"{_quoted(item)}: ids L1, L2 ... name links"))
    return faults


def _reference_faults(parts: _Parts) -> list[Fault]:
    """Hypotheses named by indicators, evidence, questions, the actor model or the outcome
    that the file does not have."""
    if parts.known is None:
        return []  # the hypotheses themselves are at fault
    known = set(parts.known)
    faults = [fault for loc, keys in parts.tables for fault in _unknown(loc, keys, known)]
    if parts.outcome is not None and parts.outcome not in known:
        faults.append((["outcome"], f"{_quoted(parts.outcome)} is not a hypothesis"))
    return faults


def _repeated(key: str, ids: list[tuple[int, str]]) -> list[Fault]:
    seen: set[str] = set()
    out: list[Fault] = []
    for n, item in ids:
        if item in seen:
            out.append(([key, n, "id"], f"id {_quoted(item)} is used twice"))
        seen.add(item)
    return out


def _unknown(loc: Loc, keys: list[str], known: set[str]) -> list[Fault]:
    unknown = sorted(set(keys) - known)
    if not unknown:
        return []
    return [(loc, f"{listed(unknown)} not among the hypotheses ({listed(sorted(known))})")]


# -- reading ------------------------------------------------------------------------------


def load_case(path: Path) -> Case:
    """The case file at ``path``, validated; a InvalidInput names the key and line of every
    fault. At most MAX_CASE_BYTES are read, so a device or a pipe cannot fill the memory."""
    text = read_small_text(path, "case file", MAX_CASE_BYTES, _TOO_LARGE, "; save it as UTF-8")
    return parse_case(text, str(path))


_TOO_LARGE = f"larger than {MAX_CASE_BYTES:,} bytes, the limit for a case file"


def parse_case(text: str, where: str = "<case>") -> Case:
    """The case in ``text``, validated; a InvalidInput lists every fault with its line."""
    if len(text) > MAX_CASE_BYTES:
        raise InvalidInput(f"{where}: {_TOO_LARGE}")
    node, data, faults = read(text, where, LIMITS)
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: a case file is a mapping of keys (question, hypotheses, ...)")
    case, more = _validate(data)
    if faults or more or case is None:
        raise InvalidInput(describe(faults + more, node, where, most=MAX_FAULTS_SHOWN))
    case._text = text
    case._origin = where
    return case


def _validate(data: dict[str, Any]) -> tuple[Case | None, list[Fault]]:
    """The case, or None; and every fault: pydantic's and those between parts."""
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        faults = [
            ([p for p in e["loc"] if not _is_internal(p)], _message(e))
            for e in exc.errors()
            if e.get("input") != REFUSED
        ]
        return None, faults + _cross_check(_Parts.of_data(data)) + alert_faults(data)
    return case, _cross_check(_Parts.of_data(data)) + alert_faults(data)


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


_PYDANTIC_PART = re.compile(r"^(?:[a-z][a-z-]*\[.*\]|function-[a-z-]+)$")


def _is_internal(part: int | str) -> bool:
    # pydantic names union branches and validators in loc (function-after[...], list[str]);
    # they are not keys of the file.
    return isinstance(part, str) and _PYDANTIC_PART.match(part) is not None


def template() -> str:
    """The commented case file ``tocsin case new`` writes."""
    return resources.files("tocsin.assess").joinpath("data", "template.yaml").read_text("utf-8")


def bundled_case_path(name: str = "belarus-2022") -> Path:
    """The path of a case file shipped with tocsin."""
    return Path(str(resources.files("tocsin.demo").joinpath(f"{name}.yaml")))
