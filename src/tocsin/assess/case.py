"""Case files: the question, hypotheses, indicators, actors, source grades and evidence.

A case file is YAML validated with pydantic. Errors name the key path and the line of the
file it sits on (``hypotheses[1].prior (line 14): ...``), so an analyst can fix the file
without reading a traceback. ``load_case`` is the only entry point; ``template`` gives the
commented file ``tocsin case new`` writes.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tocsin.errors import ConfigError

Rating = Literal["CC", "C", "N", "NA", "I", "II"]
Level = Literal["low", "medium", "high"]
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Likelihood = Annotated[float, Field(gt=0.0, le=1.0)]

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


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true and false, so a title 'No' or 'Yes' stays text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not an id (a letter, then letters, digits, _ . -)")
    return value


class Range(_Model):
    """A quantity the analyst can only bound: the low and high ends, and a best guess."""

    low: float
    high: float
    best: float | None = None

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


class Indicator(_Model):
    """Something to watch for, and how likely it is to be seen under each hypothesis."""

    id: str
    description: str
    patterns: list[str] = []
    examples: list[str] = []
    # P(indicator reported | hypothesis), or an ACH rating per hypothesis; one is required.
    likelihoods: dict[str, Likelihood] = {}
    ratings: dict[str, Rating] = {}
    # P(indicator reported as absent | hypothesis); by default 1 - likelihood.
    negated: dict[str, Likelihood] = {}
    # False when the indicator's own wording is negative, so that cues do not flip it.
    negatable: bool = True

    _id = field_validator("id")(_check_id)

    @field_validator("patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from exc
        return patterns

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
    scale: tuple[float, float] = (0.0, 10.0)
    # Outcome position interval per hypothesis: [low, high), the topmost closed.
    outcomes: dict[str, tuple[float, float]]
    rounds: Annotated[int, Field(ge=1, le=100)] = 10
    samples: Annotated[int, Field(ge=10, le=100_000)] = 500
    seed: int = 2022
    variant: Literal["scholz", "corrected"] = "scholz"


class Source(_Model):
    """A graded source: an outlet, a person or an organisation, with its Admiralty grade."""

    name: str
    kind: Literal["outlet", "person", "organisation"]
    aliases: list[str] = []
    reliability: Reliability
    # Default Admiralty information credibility (1-6) for what this source reports.
    credibility: Annotated[int, Field(ge=1, le=6)] = 3
    note: str = ""


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

    _id = field_validator("id")(_check_id)

    @field_validator("ratings", mode="before")
    @classmethod
    def _one_analyst(cls, value: Any) -> Any:
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            return {"analyst": value}
        return value


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

    _id = field_validator("id")(_check_id)

    def priors(self) -> dict[str, float]:
        """Normalised priors; uniform when the file gives none."""
        raw = {h.id: h.prior if h.prior is not None else 1.0 for h in self.hypotheses}
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}

    def hypothesis_ids(self) -> list[str]:
        return [h.id for h in self.hypotheses]


Loc = list[int | str]


def cross_check(case: Case) -> list[tuple[Loc, str]]:
    """Faults between parts of a valid case file: unknown or repeated ids, partial priors."""
    problems: list[tuple[Loc, str]] = []
    ids = case.hypothesis_ids()
    if len(ids) < 2:
        problems.append((["hypotheses"], "a case needs at least two hypotheses"))
    for key in ("hypotheses", "indicators", "actors", "evidence", "questions"):
        problems += _repeated(key, [item.id for item in getattr(case, key)])
    known = set(ids)
    for n, indicator in enumerate(case.indicators):
        for key in ("likelihoods", "ratings", "negated"):
            problems += _unknown(["indicators", n, key], getattr(indicator, key), known)
    for n, item in enumerate(case.evidence):
        problems += _unknown(["evidence", n, "likelihoods"], item.likelihoods, known)
        for analyst, ratings in item.ratings.items():
            problems += _unknown(["evidence", n, "ratings", analyst], ratings, known)
    for n, question in enumerate(case.questions):
        problems += _unknown(["questions", n, "given"], question.given, known)
    if case.actor_model is not None:
        problems += _unknown(["actor_model", "outcomes"], case.actor_model.outcomes, known)
        problems += _actor_model_faults(case)
    for n, item in enumerate(case.evidence):
        if _LINK_ID.match(item.id):
            problems.append((["evidence", n, "id"], f"{item.id!r}: ids L1, L2 ... name links"))
    if case.outcome is not None and case.outcome not in known:
        problems.append((["outcome"], f"{case.outcome!r} is not a hypothesis"))
    priors = [h.prior for h in case.hypotheses]
    if any(p is not None for p in priors) and None in priors:
        problems.append((["hypotheses"], "give a prior for every hypothesis or for none"))
    elif priors and all(p == 0 for p in priors):
        problems.append((["hypotheses"], "the priors cannot all be 0"))
    return problems


_LINK_ID = re.compile(r"^L\d+$")


def _actor_model_faults(case: Case) -> list[tuple[Loc, str]]:
    """Outcome bins that do not tile the scale, actors off the scale, nobody with weight."""
    model = case.actor_model
    assert model is not None
    low, high = model.scale
    problems: list[tuple[Loc, str]] = []
    if low >= high:
        return [(["actor_model", "scale"], f"the scale {low}..{high} is empty")]
    if not model.outcomes:
        return [(["actor_model", "outcomes"], "give an outcome range for at least one hypothesis")]
    edges = sorted(model.outcomes.values())
    covered = low
    for start, end in edges:
        if start >= end or start != covered:
            problems.append(
                (
                    ["actor_model", "outcomes"],
                    f"the outcomes must tile {low}..{high} without"
                    f" gaps or overlaps ({start}..{end} after {covered})",
                )
            )
            break
        covered = end
    else:
        if covered != high:
            problems.append(
                (["actor_model", "outcomes"], f"the outcomes end at {covered}, not {high}")
            )
    for n, actor in enumerate(case.actors):
        if actor.position.low < low or actor.position.high > high:
            problems.append((["actors", n, "position"], f"outside the scale {low}..{high}"))
    if case.actors and all(a.capability.point * a.salience.point == 0 for a in case.actors):
        problems.append(
            (["actors"], "no actor has both capability and salience above 0 at its best values")
        )
    return problems


def _repeated(key: str, ids: list[str]) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    out: list[tuple[Loc, str]] = []
    for n, item in enumerate(ids):
        if item in seen:
            out.append(([key, n, "id"], f"id {item!r} is used twice"))
        seen.add(item)
    return out


def _unknown(loc: Loc, table: dict[str, Any], known: set[str]) -> list[tuple[Loc, str]]:
    unknown = sorted(set(table) - known)
    if not unknown:
        return []
    return [(loc, f"{', '.join(unknown)} not among the hypotheses ({', '.join(sorted(known))})")]


def load_case(path: Path) -> Case:
    """The case file at ``path``, validated; a ConfigError names the key and line of a fault."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read case file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    return parse_case(text, str(path))


def parse_case(text: str, where: str = "<case>") -> Case:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}:{line} not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a case file is a mapping of keys (question, hypotheses, ...)")
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        faults = [
            ([p for p in e["loc"] if not _is_internal(p)], str(e["msg"])) for e in exc.errors()
        ]
        raise ConfigError(_describe(faults, node, where)) from exc
    problems = cross_check(case)
    if problems:
        raise ConfigError(_describe(problems, node, where))
    return case


def _describe(faults: list[tuple[Loc, str]], node: yaml.Node | None, where: str) -> str:
    lines = [f"{where}: {len(faults)} error(s)"]
    for loc, message in faults:
        line = _line_of(node, loc)
        at = f" (line {line})" if line else ""
        lines.append(f"  {_path(loc) or '<top>'}{at}: {message}")
    return "\n".join(lines)


def _is_internal(part: int | str) -> bool:
    # pydantic names union branches and validators in loc; they are not keys of the file.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the deepest node of ``loc`` found in the composed YAML."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if node is None:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def template() -> str:
    """The commented case file ``tocsin case new`` writes."""
    return resources.files("tocsin.assess").joinpath("data", "template.yaml").read_text("utf-8")


def bundled_case_path(name: str = "belarus-2022") -> Path:
    """The path of a case file shipped with tocsin."""
    return Path(str(resources.files("tocsin.demo").joinpath(f"{name}.yaml")))
