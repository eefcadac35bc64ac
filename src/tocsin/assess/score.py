"""Scoring a case: pure. A case, what the store holds about it, and a date in; an
assessment out. Nothing here reads or writes the store.

Only what was published by the ``as_of`` date counts. Every number in the result can be
traced to a link (and so to a sentence) or to an entry of the case file.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Literal

from tocsin.assess import ach, actors, bayes, case_actors, developments
from tocsin.assess.actor_record import (
    ModelGap,
    ShelfRecord,
    calibration_note,
    model_gap,
    shipped_record,
)
from tocsin.assess.case import Case
from tocsin.assess.evidence import EvidenceRow, evidence_rows, items
from tocsin.assess.figures import conflicting_groups
from tocsin.assess.track import TrackRecord, question_forecast, track_record
from tocsin.models.assessment import Forecast, LinkRow, Resolution
from tocsin.models.evidence import EventRow, FigureRow, SpanFact
from tocsin.text import Sentence

# ACH ratings of an indicator from its likelihoods, by the ratio to their mean: twice as
# likely as average is very consistent, under half is very inconsistent.
_RATIO_RATINGS = ((1.6, "CC"), (1.15, "C"), (0.87, "N"), (0.5, "I"))
# A/B sources are of high credibility for ACH, C medium, D-F low.
_ACH_CREDIBILITY = {"A": "high", "B": "high", "C": "medium", "D": "low", "E": "low", "F": "low"}
TOCSIN_ANALYST = "tocsin"  # the analyst name under which linked evidence is rated


@dataclass(frozen=True)
class ArticleView:
    """A stored article as the case sees it (the case file's notes on date and outlet win)."""

    id: int
    title: str
    published: date | None
    outlet: str | None
    text: str
    sentences: tuple[Sentence, ...] = ()
    url: str | None = None  # its address, when it was fetched or given one


@dataclass(frozen=True)
class SeenFigure(FigureRow):
    """A figure with the article it was published in."""

    published: date | None
    outlet: str | None
    title: str


@dataclass(frozen=True)
class Disagreement:
    """Figures on one measure of which two, from different articles, conflict (their
    ranges do not meet in a common unit; see ``assess.figures``)."""

    measure: str
    figures: list[SeenFigure]


@dataclass(frozen=True)
class TimelineEvent(EventRow):
    """A dated event with the article that reported it."""

    outlet: str | None
    published: date | None


@dataclass(frozen=True)
class CaseData:
    """What the store holds that a case's assessment reads (``assessment.load``)."""

    links: list[LinkRow]
    articles: list[ArticleView]
    figures: list[FigureRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    forecasts: list[Forecast] = field(default_factory=list)  # of the other cases
    resolutions: list[Resolution] = field(default_factory=list)
    linking: str = ""  # how the links were made and what the linker learned (link.Lessons)
    facts: list[SpanFact] = field(default_factory=list)  # entities, figures, days by place


@dataclass(frozen=True)
class IndicatorState:
    id: str
    description: str
    state: str  # 'seen', 'seen negated', 'mixed' or 'not seen'
    seen: int
    negated: int
    last_seen: date | None
    sources: int  # independent sources among the links


@dataclass
class Assessment:
    case: Case
    as_of: date | None
    priors: dict[str, float]
    evidence: list[EvidenceRow]
    posterior: bayes.Posterior
    trajectory: list[tuple[date, dict[str, float]]]
    sensitivity: bayes.Sensitivity
    ach: ach.Matrix
    indicators: list[IndicatorState]
    actor_rounds: list[actors.Round]
    actor_probabilities: dict[str, float]
    actor_outcomes: list[float]
    disagreements: list[Disagreement]
    timeline: list[TimelineEvent]
    track: TrackRecord
    articles: list[ArticleView]
    forecasts: list[Forecast] = field(default_factory=list)  # what `record` would keep
    linking: str = ""  # how the evidence was linked, in a sentence
    # False: the trajectory (and so the forecasts and the track record) holds the last
    # day only, as ``score(days="last")`` makes it; every other number is whole.
    whole: bool = True
    # Veto players of the actor model: draws each blocked (by actor id), draws blocked in
    # all, and the hypothesis a blocked draw counts as.
    actor_blocked: dict[str, int] = field(default_factory=dict)
    actor_blocked_draws: int = 0
    actor_status_quo: str | None = None
    # The actor model and the evidence more than 30 points apart on a hypothesis.
    model_gap: ModelGap | None = None
    # How often forecasts like the leader's came true on the backtest shelf, in a sentence.
    shelf_calibration: str = ""

    @property
    def leader(self) -> str:
        return self.posterior.leader


def known_by(when: date | None, as_of: date | None) -> bool:
    """Whether something published on ``when`` counts as of ``as_of`` (None: everything)."""
    return as_of is None or (when is not None and when <= as_of)


# -- ACH ----------------------------------------------------------------------------------


def rating_from_likelihoods(likelihoods: Mapping[str, float]) -> dict[str, str]:
    """An ACH rating per hypothesis from how likely the evidence is under each."""
    mean = sum(likelihoods.values()) / len(likelihoods)
    out = {}
    for h, value in likelihoods.items():
        ratio = value / mean
        out[h] = next((r for floor, r in _RATIO_RATINGS if ratio >= floor), "II")
    return out


def ach_matrix(case: Case, rows: Sequence[EvidenceRow]) -> ach.Matrix:
    """One ACH row per independent observation group, plus each hand-entered item."""
    groups: dict[str, list[EvidenceRow]] = defaultdict(list)
    for row in rows:
        groups[row.source_key].append(row)
    evidence: list[ach.Evidence] = []
    votes: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    manual = {m.id: m for m in case.evidence}
    for key, members in groups.items():
        lead = max(members, key=lambda r: r.weight)
        if lead.kind == "manual":
            item = manual[lead.id]
            evidence.append(ach.Evidence(lead.id, item.credibility, item.relevance))
            ballots: Mapping[str, Mapping[str, str]] = item.ratings or {
                TOCSIN_ANALYST: rating_from_likelihoods(lead.likelihoods)
            }
            for analyst, ratings in ballots.items():
                votes[analyst].update({(lead.id, h): str(r) for h, r in ratings.items()})
            continue
        relevance = "high" if lead.score >= 0.95 else "medium" if lead.score >= 0.7 else "low"
        evidence.append(ach.Evidence(key, _ACH_CREDIBILITY[lead.reliability], relevance))
        for h, rating in rating_from_likelihoods(lead.likelihoods).items():
            votes[TOCSIN_ANALYST][(key, h)] = rating
    return ach.analyse(case.hypothesis_ids(), evidence, votes)


# -- indicators, figures, events ------------------------------------------------------------


def _state(seen: int, negated: int) -> str:
    if not seen and not negated:
        return "not seen"
    if seen and negated:
        return "mixed"
    return "seen" if seen else "seen negated"


def indicator_board(case: Case, rows: Sequence[EvidenceRow]) -> list[IndicatorState]:
    by_indicator: dict[str, list[EvidenceRow]] = defaultdict(list)
    for row in rows:
        if row.indicator is not None:
            by_indicator[row.indicator].append(row)
    board = []
    for indicator in case.indicators:
        mine = by_indicator.get(indicator.id, [])
        seen = sum(r.polarity == "seen" for r in mine)
        negated = sum(r.polarity == "negated" for r in mine)
        dates = [r.when for r in mine if r.when]
        board.append(
            IndicatorState(
                indicator.id,
                indicator.description,
                _state(seen, negated),
                seen,
                negated,
                max(dates) if dates else None,
                len({r.source_key for r in mine}),
            )
        )
    return board


def disagreements(
    figures: Sequence[FigureRow], articles: Mapping[int, ArticleView], as_of: date | None
) -> list[Disagreement]:
    """Figures on one measure that conflict between articles, side by side (those of the
    measure's groups that take part in a conflict; see ``assess.figures``)."""
    known: list[SeenFigure] = []
    for f in figures:
        seen = articles.get(f.article_id)
        if seen is None or not known_by(seen.published, as_of):
            continue
        known.append(SeenFigure(**vars(f), published=seen.published, outlet=seen.outlet,
                                title=seen.title))  # fmt: skip
    return [Disagreement(measure, found) for measure, found in conflicting_groups(known)]


def timeline(
    events: Sequence[EventRow], articles: Mapping[int, ArticleView], as_of: date | None
) -> list[TimelineEvent]:
    """Dated events of the stored articles, in date order."""
    out = []
    for e in events:
        seen = articles.get(e.article_id)
        if seen is None or not known_by(seen.published, as_of):
            continue
        out.append(TimelineEvent(**vars(e), outlet=seen.outlet, published=seen.published))
    return out


# -- actors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorResult:
    """The actor model of a case: the bargaining rounds at the best estimates; the share
    of the Monte Carlo's draws ending in each hypothesis (after the vetoes); each draw's
    final weighted mean; and, when the case has veto players, how many draws each one
    blocked (by actor id), how many were blocked in all, and what they counted as."""

    rounds: list[actors.Round] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)
    outcomes: list[float] = field(default_factory=list)
    blocked: dict[str, int] = field(default_factory=dict)
    blocked_draws: int = 0
    status_quo: str | None = None


def actor_model(case: Case) -> ActorResult:
    """The bargaining rounds at the best estimates, and the Monte Carlo over the ranges;
    a draw whose outcome a veto player does not consent to counts as the status quo."""
    model = case.actor_model
    if model is None or len(case.actors) < 2:
        return ActorResult()
    best = [
        actors.Actor(a.name, a.capability.point, a.position.point, a.salience.point)
        for a in case.actors
    ]
    rounds = actors.simulate(best, model.rounds, variant=model.variant)
    ranges = [
        actors.ActorRange(
            a.name,
            (a.capability.low, a.capability.high),
            (a.position.low, a.position.high),
            (a.salience.low, a.salience.high),
        )
        for a in case.actors
    ]
    draws = actors.monte_carlo_draws(
        ranges, samples=model.samples, rounds=model.rounds, seed=model.seed, variant=model.variant
    )
    labels = actors.bin_labels(draws.means, model.outcomes)
    vetoes = [actors.Veto(n, frozenset(a.veto)) for n, a in enumerate(case.actors) if a.veto]
    status_quo = case_actors.status_quo(case)
    blocked: dict[str, int] = {}
    blocked_draws = 0
    if vetoes and status_quo is not None:
        vetoed = actors.apply_vetoes(
            labels, draws.positions, model.outcomes, vetoes, status_quo, model.veto_tolerance
        )
        labels = vetoed.labels
        blocked = {case.actors[n].id: count for n, count in vetoed.blocked.items()}
        blocked_draws = vetoed.blocked_draws
    probabilities = actors.shares(labels, case.hypothesis_ids())  # case order
    return ActorResult(
        rounds,
        probabilities,
        [float(x) for x in draws.means],
        blocked,
        blocked_draws,
        status_quo if vetoes else None,
    )


# -- forecasts and the track record ----------------------------------------------------------


def forecast_rows(
    case: Case,
    path: Sequence[tuple[date, dict[str, float]]],
    actor_probs: Mapping[str, float],
    as_of: date | None,
) -> list[Forecast]:
    """Forecasts of every question at each point of the trajectory (and of the actors)."""
    main = case.resolution.deadline
    out: list[Forecast] = []
    for when, probabilities in path:
        out.append(Forecast(case.id, "main", when, "bayes", dict(probabilities), main))
        for q in case.questions:
            if q.given:
                p = question_forecast(q, probabilities)
                yes_no = {"yes": p, "no": 1 - p}
                out.append(Forecast(case.id, q.id, when, "bayes", yes_no, q.deadline))
    for q in case.questions:
        for when, p in q.forecasts.items():
            if known_by(when, as_of):
                yes_no = {"yes": p, "no": 1 - p}
                out.append(Forecast(case.id, q.id, when, "analyst", yes_no, q.deadline))
    if actor_probs and path:
        last = as_of or path[-1][0]
        out.append(Forecast(case.id, "main", last, "actors", dict(actor_probs), main))
    return out


def case_record(
    case: Case, data: CaseData, forecasts: Sequence[Forecast], as_of: date | None
) -> TrackRecord:
    """The track record the assessment shows: its own forecasts with, on all the evidence,
    those the store keeps of the other cases. Outcomes recorded with `tocsin resolve` win;
    the case file gives the rest of its own."""
    outcomes = [r for r in data.resolutions if r.case_id != case.id or r.origin == "resolve"]
    rows = list(forecasts)
    if as_of is None:
        rows += [f for f in data.forecasts if f.case_id != case.id]
    return track_record({case.id: case}, rows, outcomes)


# -- the whole ------------------------------------------------------------------------------


# No hypothesis is given more than this until a report meets its resolution criteria (an
# indicator that ``resolves`` it, seen): news of a development is not its outcome, and the
# update's errors (misread, correlated or planted reports) are never all accounted for.
CERTAINTY_CAP = 0.97
# Trajectory points kept across assessments (``trajectory``): a desk's ten cases of some
# 150 days each, a few times over.
MAX_KEPT_DAYS = 8192


def settled(case: Case, rows: Sequence[EvidenceRow], as_of: date | None = None) -> set[str]:
    """The hypotheses that a seen report of a resolving indicator settles, as of ``as_of``."""
    resolving = {i.id: set(i.resolves) for i in case.indicators if i.resolves}
    return {
        h
        for r in rows
        if r.indicator in resolving and r.polarity == "seen" and known_by(r.when, as_of)
        for h in resolving[r.indicator]
    }


def capped(probabilities: dict[str, float], allowed: set[str]) -> dict[str, float]:
    """``probabilities`` with a hypothesis above ``CERTAINTY_CAP`` brought down to it
    (the rest shared by the others in proportion), unless it is ``allowed``."""
    over = [h for h, p in probabilities.items() if p > CERTAINTY_CAP and h not in allowed]
    if not over:
        return dict(probabilities)
    top = over[0]
    rest = {h: p for h, p in probabilities.items() if h != top}
    total = math.fsum(rest.values())
    share = 1.0 - CERTAINTY_CAP
    out = {h: share * (p / total if total > 0 else 1.0 / len(rest)) for h, p in rest.items()}
    out[top] = CERTAINTY_CAP
    return {h: out[h] for h in probabilities}


def as_known(priors: dict[str, float], rows: Sequence[EvidenceRow], day: date) -> dict[str, float]:
    """The posterior from the evidence known by ``day``, as ``score`` as of that day makes
    it: its developments joined from those rows alone (a later report cannot join or split
    them) and the uncorroborated discount decided on them (a claim confirmed only later is
    still uncorroborated on the day)."""
    return trajectory(priors, rows, [day])[0][1]


def trajectory(
    priors: dict[str, float], rows: Sequence[EvidenceRow], days: Sequence[date]
) -> list[tuple[date, dict[str, float]]]:
    """``as_known`` on each of ``days``. A day whose known rows are, each and whole, those
    of a day met before (by this call or an earlier one: the desk scores a case again
    after each decision, and a decision moves only the days from its link's date on) is
    looked up (``_Known``), not computed again."""
    prints = [repr(replace(r, uncorroborated=False)) for r in rows]  # a row, whole
    head = tuple(priors.items())
    out = []
    for day in days:
        known = [n for n, r in enumerate(rows) if r.when is not None and r.when <= day]
        found = _point(head, _Known(tuple(prints[n] for n in known), [rows[n] for n in known]))
        out.append((day, dict(found)))
    return out


def clear_kept() -> None:
    """Forget the work kept across assessments (the trajectory's days, the groups'
    contributions, the sentences' words): for benchmarks that time a first assessment."""
    _point.cache_clear()
    bayes.clear_kept()
    developments.clear_kept()


class _Known:
    """The rows a day knows, compared by what they are (their ``repr``, which holds every
    field), for ``_point``'s cache."""

    def __init__(self, prints: tuple[str, ...], rows: list[EvidenceRow]) -> None:
        self.prints, self.rows = prints, rows

    def __hash__(self) -> int:
        return hash(self.prints)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Known) and self.prints == other.prints


@lru_cache(maxsize=MAX_KEPT_DAYS)
def _point(head: tuple[tuple[str, float], ...], known: _Known) -> dict[str, float]:
    priors = dict(head)
    found = items(known.rows)
    base = bayes.posterior(priors, found)
    doubtful = bayes.uncorroborated(priors, found, base) if found else set()
    if not doubtful:
        return base.probabilities
    return bayes.posterior(priors, bayes.discounted(found, doubtful)).probabilities


def score(
    case: Case,
    data: CaseData,
    as_of: date | None = None,
    actor_result: ActorResult | None = None,
    record: ShelfRecord | None = None,
    days: Literal["all", "last"] = "all",
) -> Assessment:
    """The assessment of ``case`` from ``data`` as of ``as_of`` (default: everything).

    ``actor_result`` is ``actor_model(case)`` when the caller has already run it (it depends
    on the case alone), so that the Monte Carlo runs once per assessment. ``record`` is the
    backtest record a disagreement between the actor model and the evidence cites (by
    default the one shipped with tocsin, ``actor_record.shipped_record``). ``days="last"``
    makes the trajectory's last day only (``Assessment.whole`` is then False), and so the
    forecasts and the track record of that day: the bottom line the desk gives at once
    after a decision, every other number as the whole assessment has it.
    """
    actor_run = actor_model(case) if actor_result is None else actor_result
    rows = [r for r in evidence_rows(case, data.links, data.facts) if known_by(r.when, as_of)]
    priors = case.priors()
    raw = items(rows)
    # A claim that alone would move the forecast, from one low-graded source, counts at a
    # discount and is shown as uncorroborated.
    doubtful = bayes.uncorroborated(priors, raw) if raw else set()
    flagged = {i.id for i in raw if i.group in doubtful}
    scored = bayes.discounted(raw, doubtful)
    rows = [replace(r, uncorroborated=True) if r.id in flagged else r for r in rows]
    # Undated items count in the assessment on all the evidence only: when they became
    # known is not known, so neither a date's assessment nor the trajectory takes them.
    dated = [i for i in raw if i.when is not None]
    dates = sorted({i.when for i in dated if i.when})
    if days == "last":
        dates = dates[-1:]
    path = [(d, capped(p, settled(case, rows, d))) for d, p in trajectory(priors, rows, dates)]
    forecasts = forecast_rows(case, path, actor_run.probabilities, as_of)
    base = bayes.posterior(priors, scored)
    final = replace(base, probabilities=capped(base.probabilities, settled(case, rows)))
    articles = {a.id: a for a in data.articles}
    return Assessment(
        case=case,
        as_of=as_of,
        priors=priors,
        evidence=rows,
        posterior=final,
        trajectory=path,
        sensitivity=bayes.sensitivity(priors, scored),
        ach=ach_matrix(case, rows),
        indicators=indicator_board(case, rows),
        actor_rounds=actor_run.rounds,
        actor_probabilities=actor_run.probabilities,
        actor_outcomes=actor_run.outcomes,
        disagreements=disagreements(data.figures, articles, as_of),
        timeline=timeline(data.events, articles, as_of),
        track=case_record(case, data, forecasts, as_of),
        articles=[a for a in data.articles if known_by(a.published, as_of)],
        forecasts=forecasts,
        linking=data.linking,
        whole=days == "all",
        actor_blocked=actor_run.blocked,
        actor_blocked_draws=actor_run.blocked_draws,
        actor_status_quo=actor_run.status_quo,
        model_gap=model_gap(
            final.probabilities, actor_run.probabilities, record or shipped_record()
        ),
        shelf_calibration=calibration_note(
            final.probabilities[final.leader], record or shipped_record()
        ),
    )
