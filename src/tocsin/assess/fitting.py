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
from dataclasses import dataclass
from datetime import date

from tocsin.assess import bayes
from tocsin.assess.evidence import EvidenceRow, items

TEMPERS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0)
PRIOR_MIXES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2)
CONFIRMS = (0.0, 0.25, 0.5, 1.0)
WINDOWS = (1, 3, 7, 14)


@dataclass(frozen=True)
class Params:
    update: bayes.Update
    window: int

    def describe(self) -> str:
        u = self.update
        return (
            f"temper {u.temper:g}, prior mixture {u.prior_mix:g}, confirmation "
            f"{u.confirm:g}, development window {self.window} days"
        )


@dataclass(frozen=True)
class Replay:
    qid: str
    priors: dict[str, float]
    outcome: str
    dates: tuple[date, ...]
    rows: tuple[EvidenceRow, ...]  # dated rows of the whole question

    def forecasts(self, params: Params) -> list[dict[str, float]]:
        evidence = items(self.rows, params.window)
        return [
            bayes.posterior(self.priors, evidence, d, params.update).probabilities
            for d in self.dates
        ]

    def summed(self, window: int, confirm: float) -> list[dict[str, float]]:
        """Per date, the sum of every group's untempered contribution."""
        evidence = items(self.rows, window)
        update = bayes.Update(confirm=confirm)
        out = []
        for d in self.dates:
            found = bayes.posterior(self.priors, evidence, d, update)
            out.append(
                {h: math.fsum(c[h] for c in found.contributions.values()) for h in self.priors}
            )
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
        Params(bayes.Update(temper=t, prior_mix=m, confirm=c), w)
        for t, m, c, w in itertools.product(TEMPERS, PRIOR_MIXES, CONFIRMS, WINDOWS)
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
        sums: dict[tuple[int, float], list[dict[str, float]]] = {}
        for p in options:
            key = (p.window, p.update.confirm)
            if key not in sums:
                sums[key] = r.summed(p.window, p.update.confirm)
            found = [_forecast(r.priors, s, p.update) for s in sums[key]]
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
    """How far from the plain update (for ties): less tempering and mixing first."""
    u = p.update
    return (1.0 - u.temper) + u.prior_mix + (1.0 - u.confirm)


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
