"""Fitting the update's own error on resolved questions, leave one question out.

A :class:`Replay` is what a backtest keeps of one question: its priors, its outcome, the
dates it was assessed as of, and its dated evidence rows. Replaying it under other update
parameters (``bayes.Update``: tempering, the prior mixture, the weight of confirmation; and
the window that makes reports one development) needs no store and no model, so a grid of
parameters is searched in seconds.

The parameters are fitted by minimising the mean over questions of each question's mean
Brier score over its as-of dates (every question weighs the same, however many articles it
has). ``leave_one_out`` scores each question with the parameters fitted on the others: the
figure to quote for how the fitted update does on a question it was not fitted on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tocsin.assess import bayes
from tocsin.assess.evidence import EvidenceRow, items

TEMPERS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0)
PRIOR_MIXES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2)
CONFIRMS = (0.0, 0.25, 0.5, 1.0)
WINDOWS = (1, 3, 7, 14)
SUPERSEDES = (1.0, 0.5, 0.0)
HALF_LIVES = (0.0, 30.0, 90.0, 180.0)


@dataclass(frozen=True)
class Params:
    update: bayes.Update
    window: int

    def describe(self) -> str:
        u = self.update
        ageing = f", half-life {u.half_life:g} days" if u.half_life else ", no ageing"
        return (
            f"temper {u.temper:g}, prior mixture {u.prior_mix:g}, confirmation "
            f"{u.confirm:g}, development window {self.window} days, superseded weight "
            f"{u.supersede:g}{ageing}"
        )


@dataclass(frozen=True)
class Parts:
    """One as-of date of a replay: each group's contribution and its facts."""

    as_of: date
    contributions: dict[str, dict[str, float]]
    facts: dict[str, bayes.GroupFacts]

    def summed(self, update: bayes.Update, hypotheses: Sequence[str]) -> dict[str, float]:
        ages = bayes.age_factors(self.facts, self.as_of, update)
        return {
            h: math.fsum(ages[k] * c[h] for k, c in self.contributions.items()) for h in hypotheses
        }


@dataclass(frozen=True)
class Replay:
    qid: str
    priors: dict[str, float]
    outcome: str
    dates: tuple[date, ...]
    rows: tuple[EvidenceRow, ...]  # dated rows of the whole question
    _known: dict[tuple[date, int], list[bayes.Item]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def known(self, as_of: date, window: int) -> list[bayes.Item]:
        """The rows published by ``as_of`` as the update takes them: developments are read
        from what was known then (what ties reports together depends on all of them)."""
        key = (as_of, window)
        if key not in self._known:
            seen = [r for r in self.rows if r.when is not None and r.when <= as_of]
            self._known[key] = items(seen, window)
        return self._known[key]

    def forecasts(self, params: Params) -> list[dict[str, float]]:
        return [
            bayes.posterior(
                self.priors, self.known(d, params.window), d, params.update
            ).probabilities
            for d in self.dates
        ]

    def parts(self, window: int, confirm: float) -> list[Parts]:
        """Per date, every group's untempered, unaged contribution and what ageing needs."""
        update = bayes.Update(confirm=confirm)
        out = []
        for d in self.dates:
            evidence = self.known(d, window)
            members = {i.id: i for i in evidence}
            found = bayes.posterior(self.priors, evidence, d, update)
            facts = {
                k: bayes.group_facts(k, [members[m] for m in ids])
                for k, ids in found.groups.items()
            }
            out.append(Parts(d, found.contributions, facts))
        return out

    def mean_brier(self, params: Params) -> float:
        found = self.forecasts(params)
        if not found:
            return brier(self.priors, self.outcome)
        return sum(brier(p, self.outcome) for p in found) / len(found)


def brier(probabilities: dict[str, float], outcome: str) -> float:
    """The Brier score over all hypotheses: 0 for certainty on the outcome, 2 for
    certainty on another."""
    return sum((p - (h == outcome)) ** 2 for h, p in probabilities.items())


def grid() -> list[Params]:
    return [
        Params(bayes.Update(temper=t, prior_mix=m, confirm=c, supersede=s, half_life=h), w)
        for t, m, c, w, s, h in itertools.product(
            TEMPERS, PRIOR_MIXES, CONFIRMS, WINDOWS, SUPERSEDES, HALF_LIVES
        )
    ]


Table = dict[tuple[str, Params], float]


def score_table(replays: Sequence[Replay], candidates: Sequence[Params] | None = None) -> Table:
    """Each question's mean Brier under each candidate: computed once, read by ``fit``
    and ``leave_one_out``. The evidence's summed log-likelihood ratios depend only on the
    window and the confirmation weight; tempering scales them and the mixture comes after,
    so each (window, confirmation) is summed once per date."""
    options = list(candidates) if candidates is not None else grid()
    table: Table = {}
    for r in replays:
        parts: dict[tuple[int, float], list[Parts]] = {}
        sums: dict[tuple[int, float, float, float], list[dict[str, float]]] = {}
        for p in options:
            u = p.update
            key = (p.window, u.confirm)
            if key not in parts:
                parts[key] = r.parts(p.window, u.confirm)
            aged = (*key, u.supersede, u.half_life)
            if aged not in sums:
                sums[aged] = [x.summed(u, list(r.priors)) for x in parts[key]]
            found = [_forecast(r.priors, s, p.update) for s in sums[aged]]
            table[(r.qid, p)] = (
                sum(brier(f, r.outcome) for f in found) / len(found)
                if found
                else brier(r.priors, r.outcome)
            )
    return table


def _forecast(
    priors: dict[str, float], summed: dict[str, float], update: bayes.Update
) -> dict[str, float]:
    total = sum(priors.values())
    logs = {
        h: (math.log(priors[h] / total) if priors[h] > 0 else -math.inf) + update.temper * summed[h]
        for h in priors
    }
    top = max(logs.values())
    weights = {h: math.exp(v - top) for h, v in logs.items()}
    norm = sum(weights.values())
    w = update.prior_mix
    return {h: (1 - w) * weights[h] / norm + w * priors[h] / total for h in priors}


def fit(
    replays: Sequence[Replay],
    candidates: Sequence[Params] | None = None,
    table: Table | None = None,
) -> Params:
    """The parameters with the lowest mean, over ``replays``, of each one's mean Brier
    (ties: the one nearest the plain update)."""
    if not replays:
        raise ValueError("nothing to fit on")
    options = list(candidates) if candidates is not None else grid()
    found = table if table is not None else score_table(replays, options)
    ids = [r.qid for r in replays]

    def mean(p: Params) -> float:
        return sum(found[(q, p)] for q in ids) / len(ids)

    return min(options, key=lambda p: (round(mean(p), 9), _distance(p)))


def _distance(p: Params) -> float:
    """How far from the plain update (for ties): less tempering, mixing and ageing first."""
    u = p.update
    return (
        (1.0 - u.temper)
        + u.prior_mix
        + (1.0 - u.confirm)
        + (1.0 - u.supersede)
        + (1.0 if u.half_life else 0.0)
    )


@dataclass(frozen=True)
class Held:
    qid: str
    params: Params  # fitted on every other question
    mean_brier: float


def leave_one_out(
    replays: Sequence[Replay],
    candidates: Sequence[Params] | None = None,
    table: Table | None = None,
) -> list[Held]:
    """Each question scored with the parameters fitted on all the others."""
    options = list(candidates) if candidates is not None else grid()
    found = table if table is not None else score_table(replays, options)
    out = []
    for r in replays:
        others = [o for o in replays if o.qid != r.qid]
        if others:
            best = fit(others, options, found)
            out.append(Held(r.qid, best, found[(r.qid, best)]))
    return out
