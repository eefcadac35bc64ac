"""What orders the review queue: how far rejecting each link would move the leader, and
how near each link stood to not being made at all.

**Impact** is a leave-one-out on the assessment's own update, done cheaply. The posterior
is the prior times one factor per group of evidence (a development, else a source:
``bayes.Posterior.contributions``), so rejecting a link changes its own group's factor only.
For each link in force the group's factor is recomputed without it (``bayes.posterior`` on
the group's other members, with the assessment's update) and put in place of the old one;
the leader's probability now, less that, is the link's impact (signed: positive when the
link supports the leader). Each group costs its members squared, so a few hundred links
take milliseconds, and the result is kept per assessment (the desk keeps the assessment
until something it reads changes). Two things are held fixed, which a full re-assessment
would redo: which reports form one development (a link's absence can split or join
them), and which claims count at a discount as uncorroborated. Both move the figure by a
few tenths of a point at most on the bundled case; the tests check that the first link of
the queue is the one a full re-assessment per link puts first. The figure is taken before
the certainty cap (``score.CERTAINTY_CAP``), which would otherwise hide every link's effect
on a leader held at the cap.

**Certainty** is how far a link's score stands above the bar it had to clear, as a share
of the room above the bar: 0 at the bar, 1 at a score of 1. The bar is the similarity
threshold for an embedding link, the shipped link model's threshold for a model link (with
or without patterns, as the indicator has them), and none (0) for a pattern, whose score
states its own confidence (0.85 alone, 1.0 with a similar sentence). The least certain
links are the ones a reviewer should look at first when ordering by uncertainty.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tocsin.assess import bayes
from tocsin.assess.evidence import items
from tocsin.assess.link import SIMILARITY_THRESHOLD
from tocsin.assess.link_model import shipped
from tocsin.assess.score import ArticleView, Assessment
from tocsin.models.assessment import LinkRow

MAX_KEPT = 16  # assessments whose queue facts are kept (one per case and as-of date)


@dataclass(frozen=True)
class QueueFacts:
    """What the queue reads of one assessment, computed once: each evidence row's impact,
    the articles by id, and the link model's bars by indicator."""

    impacts: dict[str, float]
    articles: dict[int, ArticleView]
    model_bars: dict[str, float]


_kept: dict[int, tuple[weakref.ReferenceType[Assessment], QueueFacts]] = {}
_lock = threading.Lock()


def queue_facts(a: Assessment) -> QueueFacts:
    """The queue's facts of ``a``, from the cache while ``a`` is the same object."""
    with _lock:
        held = _kept.get(id(a))
        if held is not None and held[0]() is a:
            return held[1]
    facts = QueueFacts(impacts(a), {v.id: v for v in a.articles}, model_bars(a))
    with _lock:
        for key in [k for k, (ref, _) in _kept.items() if ref() is None]:
            del _kept[key]
        while len(_kept) >= MAX_KEPT:
            del _kept[next(iter(_kept))]
        _kept[id(a)] = (weakref.ref(a), facts)
    return facts


def impacts(a: Assessment) -> dict[str, float]:
    """Evidence row id -> the leader's probability now less with that row rejected (see the
    module's docstring)."""
    if not a.evidence:
        return {}
    raw = items(a.evidence)
    flagged = {r.id for r in a.evidence if r.uncorroborated}
    scored = bayes.discounted(raw, {i.group for i in raw if i.id in flagged})
    base = a.sensitivity.base
    leader = base.leader
    groups: dict[str, list[bayes.Item]] = {}
    for item in scored:
        groups.setdefault(item.group, []).append(item)
    logs = {h: (math.log(p) if p > 0 else -math.inf) for h, p in a.priors.items()}
    total = {h: logs[h] + math.fsum(c[h] for c in base.contributions.values()) for h in logs}
    plain = replace(base.update, supersede=1.0, half_life=0.0)  # the group's age is kept
    now = base.probabilities[leader]
    out: dict[str, float] = {}
    for key, members in groups.items():
        old = base.contributions.get(key)
        if old is None:
            continue
        age = base.ages.get(key, 1.0)
        for member in members:
            rest = [m for m in members if m.id != member.id]
            new = (
                bayes.posterior(a.priors, rest, update=plain).contributions.get(key)
                if rest
                else None
            )
            without = {h: total[h] - old[h] + (age * new[h] if new else 0.0) for h in total}
            out[member.id] = now - _leader_share(without, a.priors, base.update, leader)
    return out


def _leader_share(
    logs: Mapping[str, float], priors: Mapping[str, float], update: bayes.Update, leader: str
) -> float:
    """The leader's probability from unnormalised log posteriors, mixed with the prior as
    the update mixes it."""
    top = max(logs.values())
    weights = {h: math.exp(v - top) for h, v in logs.items()}
    p = weights[leader] / math.fsum(weights.values())
    mix = update.prior_mix
    return (1.0 - mix) * p + mix * priors[leader] / math.fsum(priors.values())


def model_bars(a: Assessment) -> dict[str, float]:
    """Indicator id -> the shipped link model's threshold for it (none without a model)."""
    models = shipped()
    if models is None:
        return {}
    return {
        i.id: models.patterns.threshold if i.patterns else models.plain.threshold
        for i in a.case.indicators
    }


def certainty(link: LinkRow, model_bars: Mapping[str, float]) -> float:
    """How far the link's score stands above its method's bar, as a share of the room
    above it (see the module's docstring)."""
    method = link.fields.method
    bar = 0.0
    if method == "embedding":
        bar = SIMILARITY_THRESHOLD
    elif method == "model":
        bar = model_bars.get(link.key.indicator_id, 0.0)
    if bar >= 1.0:
        return 1.0
    return max(0.0, min(1.0, (float(link.fields.score) - bar) / (1.0 - bar)))


ORDERS = ("impact", "uncertainty", "date")


def ordered(
    links: Sequence[LinkRow], order: str, impact: Mapping[str, float], sure: Mapping[int, float]
) -> list[LinkRow]:
    """The links in the queue's ``order``: largest impact first, least certain first, or
    newest first; ties by the other measure, then by id."""
    if order == "uncertainty":
        return sorted(links, key=lambda r: (sure[r.id], -abs(impact.get(r.label, 0.0)), r.id))
    if order == "date":
        return sorted(
            links,
            key=lambda r: (r.fields.published or "", r.key.article_id, -r.key.start, r.id),
            reverse=True,
        )
    return sorted(links, key=lambda r: (-abs(impact.get(r.label, 0.0)), sure[r.id], r.id))
