"""Bayesian posterior over competing hypotheses from graded, possibly dependent evidence.

Each evidence :class:`Item` states P(observation | H) for every hypothesis. Three adjustments
turn a pile of news items into something a Bayes update can honestly use:

1. **Source grades.** The Admiralty reliability (A–F) and credibility (1–6) grades and the link
   confidence multiply into a trust ``t`` in [0, 1].
2. **Discounting.** An item we trust to degree ``t`` is treated as a mixture of a faithful report
   (probability ``t``) and an uninformative one (``1 − t``) that says the same thing whatever is
   true: ``L'_h = t·L_h + (1 − t)·L̄`` where ``L̄`` is the mean of ``L`` over hypotheses. At t = 0
   the item carries no information, at t = 1 all of it.
3. **Independence.** Items with the same ``source_key`` (one wire story syndicated ten times, one
   spokesman quoted by everyone) are one observation: the source's likelihood vector is the
   geometric mean of its members' discounted vectors, so it counts once however many copies
   it has.
4. **Developments.** Items with the same ``cluster`` report one development (the same
   announcement carried by eleven outlets). The cluster is the group: its strongest source
   counts fully, and each further independent source confirms it with weight
   ``confirm ** k`` (k = 1, 2, …). An item without a cluster is a group of its own source.

The posterior is then ``P(H | E) ∝ P(H) · Π_groups L_group(H) ** temper``, computed in log
space, and mixed with the prior: ``(1 − prior_mix) · P(H | E) + prior_mix · P(H)``, so that
the update admits its own error (:class:`Update`; the defaults are the plain update). All
functions are pure; see docs/scoring.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Final, NamedTuple

# Admiralty (NATO AJP-2.1 / STANAG 2511) grades as the probability that a report from such a
# source, or of such information, is faithful. The ladder A..E / 1..5 is evenly spaced from
# "almost certainly" (0.95) to "probably not" (0.20); it is a convention, not a measurement.
# F and 6 mean "cannot be judged": 0.50 is the no-knowledge midpoint, so an ungraded source
# keeps half its information rather than all of it (optimism) or none of it (discarding news).
RELIABILITY: Final[Mapping[str, float]] = MappingProxyType(
    {"A": 0.95, "B": 0.80, "C": 0.60, "D": 0.40, "E": 0.20, "F": 0.50}
)
CREDIBILITY: Final[Mapping[int, float]] = MappingProxyType(
    {1: 0.95, 2: 0.80, 3: 0.60, 4: 0.40, 5: 0.20, 6: 0.50}
)
BEST_GRADE: Final = ("A", 1)
"""Re-grading used by :func:`sensitivity` for "what if this source were as good as it gets"."""
WORST_GRADE: Final = ("E", 5)
"""Re-grading for "what if it were as bad as a judged source gets" (F/6 is unjudged, not worse)."""


@dataclass(frozen=True)
class Item:
    """One piece of evidence with its grades and likelihoods."""

    id: str
    """Stable id."""
    when: date | None
    """Publication date of the evidence; None = undated (always included)."""
    source_key: str
    """Independence key: items with the same key are one observation."""
    reliability: str
    """Admiralty source reliability "A".."F"."""
    credibility: int
    """Admiralty information credibility 1..6."""
    likelihoods: Mapping[str, float]
    """P(observation | H) for every hypothesis id, each in (0, 1]."""
    weight: float = 1.0
    """Link confidence in [0, 1]: how sure we are the item is this evidence."""
    label: str = ""
    """Human text for tables."""
    cluster: str = ""
    """The development the item reports; items of one cluster are one group. Empty: the
    item's group is its source."""
    origin: str = ""
    """Who the report comes from at first hand, as its development's reports were read
    together ("the ministry" is the Belarusian defence ministry another report names);
    empty: from its ``source_key`` (``original_source``)."""

    @property
    def group(self) -> str:
        return self.cluster or self.source_key

    def __post_init__(self) -> None:
        if self.reliability not in RELIABILITY:
            raise ValueError(f"item {self.id!r}: reliability {self.reliability!r} is not A..F")
        if isinstance(self.credibility, bool) or self.credibility not in CREDIBILITY:
            raise ValueError(f"item {self.id!r}: credibility {self.credibility!r} is not 1..6")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"item {self.id!r}: weight {self.weight!r} is not in [0, 1]")
        if not self.likelihoods:
            raise ValueError(f"item {self.id!r}: no likelihoods")
        for h, value in self.likelihoods.items():
            if not 0.0 < value <= 1.0:
                raise ValueError(f"item {self.id!r}: P(E | {h!r}) = {value!r} is not in (0, 1]")


@dataclass(frozen=True)
class Update:
    """How much the update trusts itself. The defaults are the plain Bayes update."""

    temper: float = 1.0
    """Exponent on every group's likelihood ratio, in (0, 1]: below 1 the evidence counts
    less than its stated likelihoods, as correlated or misread evidence does."""
    prior_mix: float = 0.0
    """Weight of the prior in the final mixture, in [0, 1): the chance the whole update
    is wrong."""
    confirm: float = 1.0
    """Weight of the k-th further independent source of one development: ``confirm ** k``."""
    supersede: float = 1.0
    """Weight left to a development once a later one of the same indicator reports the
    opposite ("troops arrived", then "troops left"), in [0, 1]; 1 keeps it whole."""
    half_life: float = 0.0
    """Days after which a development counts half, as of the assessment's date; 0: it never
    ages."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.supersede <= 1.0:
            raise ValueError(f"supersede {self.supersede!r} is not in [0, 1]")
        if not self.half_life >= 0.0:
            raise ValueError(f"half_life {self.half_life!r} is not in [0, inf)")
        if not 0.0 < self.temper <= 1.0:
            raise ValueError(f"temper {self.temper!r} is not in (0, 1]")
        if not 0.0 <= self.prior_mix < 1.0:
            raise ValueError(f"prior_mix {self.prior_mix!r} is not in [0, 1)")
        if not 0.0 <= self.confirm <= 1.0:
            raise ValueError(f"confirm {self.confirm!r} is not in [0, 1]")


PLAIN: Final = Update()


@dataclass(frozen=True)
class Posterior:
    """A posterior and how it was reached."""

    probabilities: dict[str, float]
    """P(H | evidence), in the priors' hypothesis order; sums to 1."""
    groups: dict[str, tuple[str, ...]]
    """group (cluster, else source_key) -> ids of the member items used, both sorted."""
    contributions: dict[str, dict[str, float]]
    """group -> hypothesis -> log L_group(H) − mean over hypotheses of log L_group, tempered.

    A log-likelihood ratio against the geometric-mean hypothesis: log prior + Σ contributions is
    the unnormalised log posterior, and c[a] − c[b] is the group's log-odds shift from b to a.
    """
    as_of: date | None = None
    update: Update = PLAIN
    ages: dict[str, float] = field(default_factory=dict)
    """group -> the weight ageing leaves it (1 when nothing ages)."""

    @property
    def leader(self) -> str:
        """The most probable hypothesis (ties go to the earlier one in prior order)."""
        return _ranking(self.probabilities)[0]

    @property
    def ranking(self) -> list[str]:
        """Hypotheses from most to least probable (ties in prior order)."""
        return _ranking(self.probabilities)


@dataclass(frozen=True)
class GroupSensitivity:
    """How much the assessment leans on one independent source group."""

    source_key: str
    members: tuple[str, ...]
    without: dict[str, float]
    """Posterior with the whole group removed."""
    pivotal: bool
    """Removing the group changes the leading hypothesis."""
    best: dict[str, float]
    """Posterior with the group's members re-graded to A/1 (link weights kept)."""
    worst: dict[str, float]
    """Posterior with the group's members re-graded to E/5 (link weights kept)."""
    best_flips: bool
    """Re-grading to A/1 changes the leader."""
    worst_flips: bool
    """Re-grading to E/5 changes the leader."""
    delta: float
    """P(leader | all) − P(leader | all but this group): > 0 when the group supports the leader."""
    log_odds: float
    """The group's log-likelihood ratio of the leader against the runner-up (0 if no runner-up)."""


@dataclass(frozen=True)
class Sensitivity:
    """Leave-one-group-out, re-grading and tornado analysis of a posterior."""

    base: Posterior
    leader: str
    runner_up: str | None
    groups: tuple[GroupSensitivity, ...]
    """One entry per source group, in source_key order."""
    tornado: tuple[GroupSensitivity, ...]
    """The same entries sorted by |delta|, largest first (ties by source_key)."""

    @property
    def pivotal(self) -> tuple[str, ...]:
        """source_keys of the groups whose removal changes the leader."""
        return tuple(g.source_key for g in self.groups if g.pivotal)


def trust(item: Item) -> float:
    """t = reliability × credibility × link weight, in [0, 1]."""
    return RELIABILITY[item.reliability] * CREDIBILITY[item.credibility] * item.weight


def effective_likelihoods(item: Item) -> dict[str, float]:
    """Discounted likelihoods ``t·L_h + (1 − t)·L̄``: a mixture with an uninformative report."""
    return _effective(trust(item), item.likelihoods.items())


def _effective(t: float, likelihoods: Iterable[tuple[str, float]]) -> dict[str, float]:
    pairs = list(likelihoods)
    mean = math.fsum(value for _, value in pairs) / len(pairs)
    return {h: t * value + (1.0 - t) * mean for h, value in pairs}


def _ranking(probabilities: Mapping[str, float]) -> list[str]:
    order = list(probabilities)
    return sorted(order, key=lambda h: (-probabilities[h], order.index(h)))


def _log_priors(priors: Mapping[str, float]) -> dict[str, float]:
    """Validated log priors (−inf for a zero prior); normalisation happens at the end."""
    if not priors:
        raise ValueError("priors: no hypotheses")
    for h, p in priors.items():
        if not (math.isfinite(p) and p >= 0.0):
            raise ValueError(f"priors: P({h!r}) = {p!r} is not a finite non-negative number")
    if math.fsum(priors.values()) <= 0.0:
        raise ValueError("priors: all zero")
    return {h: math.log(p) if p > 0.0 else -math.inf for h, p in priors.items()}


def _check_items(items: Sequence[Item], hypotheses: Sequence[str]) -> None:
    expected = set(hypotheses)
    seen: set[str] = set()
    for item in items:
        if set(item.likelihoods) != expected:
            raise ValueError(
                f"item {item.id!r}: likelihoods name {sorted(item.likelihoods)}, "
                f"priors name {sorted(expected)}"
            )
        if item.id in seen:
            raise ValueError(f"duplicate item id {item.id!r}")
        seen.add(item.id)


def _kept(items: Sequence[Item], as_of: date | None) -> list[Item]:
    """Items published on or before ``as_of``, plus undated ones."""
    return [i for i in items if as_of is None or i.when is None or i.when <= as_of]


def _group(items: Sequence[Item]) -> dict[str, list[Item]]:
    """Items by group, keys and members sorted so results do not depend on input order."""
    groups: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.group, i.source_key, i.id)):
        groups.setdefault(item.group, []).append(item)
    return groups


class _Report(NamedTuple):
    """What a group's contribution reads of one item: its original source, its trust and
    its likelihoods (so that a group met again, as a trajectory meets it day after day, is
    looked up, not computed: ``_contribution``)."""

    source: str
    trust: float
    likelihoods: tuple[tuple[str, float], ...]


def _source_contribution(members: Sequence[_Report], hypotheses: Sequence[str]) -> dict[str, float]:
    """Centred log of the geometric mean of the members' discounted likelihood vectors."""
    vectors = [_effective(m.trust, m.likelihoods) for m in members]
    logs = {h: math.fsum(math.log(v[h]) for v in vectors) / len(vectors) for h in hypotheses}
    centre = math.fsum(logs.values()) / len(logs)
    return {h: value - centre for h, value in logs.items()}


# Independence keys are "<indicator>|<source>": an unattributed report's source is its
# outlet or article (``link.independence_key``); a hand-entered item's key is its own.
PRESS_SOURCES: Final = ("outlet:", "article:")
MANUAL_KEY: Final = "manual:"


def in_the_press(source_key: str) -> bool:
    """Whether a key stands for a report in an outlet's own voice, not a named source."""
    return source_key.partition("|")[2].startswith(PRESS_SOURCES)


def original_source(item: Item) -> str:
    """Who a development's report comes from at first hand: its ``origin`` when the reports
    of its development were read together; else its source key, except that the
    unattributed reports of one development (each keyed by its outlet or article) are one
    source, the development itself, however many outlets carry it."""
    if item.cluster and item.origin:
        return item.origin
    if item.cluster and in_the_press(item.source_key):
        return f"{item.source_key.partition('|')[0]}|press"
    return item.source_key


def _contribution(
    members: Sequence[Item], hypotheses: Sequence[str], update: Update = PLAIN
) -> dict[str, float]:
    """A group's tempered contribution: its sources, strongest first, the k-th further
    one weighted ``confirm ** k``."""
    reports = tuple(
        _Report(original_source(m), trust(m), tuple(m.likelihoods.items())) for m in members
    )
    return dict(_contribution_of(reports, tuple(hypotheses), update))


@lru_cache(maxsize=65536)
def _contribution_of(
    members: tuple[_Report, ...], hypotheses: tuple[str, ...], update: Update
) -> dict[str, float]:
    sources: dict[str, list[_Report]] = {}
    for m in members:
        sources.setdefault(m.source, []).append(m)
    parts = [_source_contribution(ms, hypotheses) for _, ms in sorted(sources.items())]
    parts.sort(key=lambda c: -math.fsum(abs(v) for v in c.values()))  # stable: ties by key
    return {
        h: update.temper * math.fsum(update.confirm**k * c[h] for k, c in enumerate(parts))
        for h in hypotheses
    }


def clear_kept() -> None:
    """Forget the groups' contributions kept across calls (``_contribution``)."""
    _contribution_of.cache_clear()


def _normalise(logs: Mapping[str, float]) -> dict[str, float]:
    top = max(logs.values())
    weights = {h: math.exp(value - top) for h, value in logs.items()}
    total = math.fsum(weights.values())
    return {h: w / total for h, w in weights.items()}


def _mixed(
    probabilities: Mapping[str, float], priors: Mapping[str, float], update: Update
) -> dict[str, float]:
    if update.prior_mix == 0.0:
        return dict(probabilities)
    total = math.fsum(priors.values())
    w = update.prior_mix
    return {h: (1.0 - w) * p + w * priors[h] / total for h, p in probabilities.items()}


@dataclass(frozen=True)
class GroupFacts:
    """What ageing needs of a group: its indicator and polarity (for a development; the
    cluster key says them) and the date of its first report."""

    indicator: str | None
    polarity: str | None
    first: date | None


def group_facts(key: str, members: Sequence[Item]) -> GroupFacts:
    dates = [m.when for m in members if m.when is not None]
    parts = key.split("|")
    developed = len(parts) == 3 and all(m.cluster == key for m in members)
    return GroupFacts(
        parts[0] if developed else None, parts[1] if developed else None, min(dates, default=None)
    )


def age_factors(
    facts: Mapping[str, GroupFacts], as_of: date | None, update: Update
) -> dict[str, float]:
    """Each group's weight for its age: ``supersede`` once a later development of its
    indicator reports the opposite, and half per ``half_life`` days since its first report."""
    out = dict.fromkeys(facts, 1.0)
    if update.supersede < 1.0:
        latest: dict[tuple[str, str], date] = {}
        for f in facts.values():
            if f.indicator is not None and f.polarity is not None and f.first is not None:
                key = (f.indicator, f.polarity)
                latest[key] = max(latest.get(key, f.first), f.first)
        for k, f in facts.items():
            if f.indicator is None or f.first is None:
                continue
            other = "negated" if f.polarity == "seen" else "seen"
            later = latest.get((f.indicator, other))
            if later is not None and later > f.first:
                out[k] *= update.supersede
    if update.half_life > 0.0:
        known = [f.first for f in facts.values() if f.first is not None]
        now = as_of or max(known, default=None)
        for k, f in facts.items():
            if now is not None and f.first is not None:
                out[k] *= 0.5 ** (max(0, (now - f.first).days) / update.half_life)
    return out


def posterior(
    priors: Mapping[str, float],
    items: Sequence[Item],
    as_of: date | None = None,
    update: Update = PLAIN,
) -> Posterior:
    """P(H | items) from ``priors`` (normalised here), using items dated on or before ``as_of``.

    Undated items are always used. Raises ValueError for negative, non-finite or all-zero
    priors, duplicate item ids, or an item whose likelihoods do not name exactly the priors'
    hypotheses.
    """
    log_prior = _log_priors(priors)
    hypotheses = tuple(priors)
    _check_items(items, hypotheses)
    groups = _group(_kept(items, as_of))
    ages = age_factors({k: group_facts(k, ms) for k, ms in groups.items()}, as_of, update)
    contributions = {
        key: _scaled(_contribution(ms, hypotheses, update), ages[key]) for key, ms in groups.items()
    }
    logs = {h: log_prior[h] + math.fsum(c[h] for c in contributions.values()) for h in hypotheses}
    return Posterior(
        probabilities=_mixed(_normalise(logs), priors, update),
        groups={key: tuple(m.id for m in ms) for key, ms in groups.items()},
        contributions=contributions,
        as_of=as_of,
        update=update,
        ages=ages,
    )


def _scaled(contribution: dict[str, float], factor: float) -> dict[str, float]:
    return contribution if factor == 1.0 else {h: v * factor for h, v in contribution.items()}


def trajectory(
    priors: Mapping[str, float],
    items: Sequence[Item],
    dates: Sequence[date] | None = None,
    update: Update = PLAIN,
) -> list[tuple[date, dict[str, float]]]:
    """The posterior as of each date; by default each distinct item date, in order."""
    if dates is None:
        dates = sorted({i.when for i in items if i.when is not None})
    return [(d, posterior(priors, items, d, update).probabilities) for d in dates]


def _regraded(
    priors: Mapping[str, float],
    members: Sequence[Item],
    base: Posterior,
    rest: Mapping[str, float],
    grade: tuple[str, int],
) -> dict[str, float]:
    """The posterior with a group's ``members`` re-graded to ``grade``, from ``rest`` (the
    log prior and every other group's contribution) and the group's age in ``base``."""
    hypotheses = tuple(priors)
    changed = [replace(i, reliability=grade[0], credibility=grade[1]) for i in members]
    key = changed[0].group
    c = _scaled(_contribution(changed, hypotheses, base.update), base.ages.get(key, 1.0))
    return _mixed(_normalise({h: rest[h] + c[h] for h in hypotheses}), priors, base.update)


def _group_sensitivity(
    priors: Mapping[str, float],
    members: Sequence[Item],
    base: Posterior,
    key: str,
    total: Mapping[str, float],
) -> GroupSensitivity:
    """One group's effect, from ``total`` (log prior + every contribution) less its own: so
    the whole analysis is linear in the number of groups and of items."""
    hypotheses = tuple(priors)
    ranking = base.ranking
    leader = ranking[0]
    runner_up = ranking[1] if len(ranking) > 1 else None
    share = base.contributions[key]
    rest = {h: total[h] - share[h] for h in hypotheses}
    update = base.update
    without = _mixed(_normalise(rest), priors, update)
    best = _regraded(priors, members, base, rest, BEST_GRADE)
    worst = _regraded(priors, members, base, rest, WORST_GRADE)
    return GroupSensitivity(
        source_key=key,
        members=base.groups[key],
        without=without,
        pivotal=_ranking(without)[0] != leader,
        best=best,
        worst=worst,
        best_flips=_ranking(best)[0] != leader,
        worst_flips=_ranking(worst)[0] != leader,
        delta=base.probabilities[leader] - without[leader],
        log_odds=share[leader] - share[runner_up] if runner_up is not None else 0.0,
    )


def sensitivity(
    priors: Mapping[str, float],
    items: Sequence[Item],
    as_of: date | None = None,
    update: Update = PLAIN,
) -> Sensitivity:
    """Which source groups the leading hypothesis depends on, and how much.

    For each group: the posterior without it (``pivotal`` if the leader changes), with its
    members re-graded to A/1 and to E/5 (flags if the leader changes), its signed effect on the
    leader's probability (``delta``) and its leader-versus-runner-up log-odds. ``tornado`` lists
    the groups by |delta|, largest first.
    """
    base = posterior(priors, items, as_of, update)
    members = _group(_kept(items, as_of))
    log_prior = _log_priors(priors)
    total = {h: log_prior[h] + math.fsum(c[h] for c in base.contributions.values()) for h in priors}
    groups = tuple(
        _group_sensitivity(priors, members[key], base, key, total) for key in base.groups
    )
    ranking = base.ranking
    return Sensitivity(
        base=base,
        leader=ranking[0],
        runner_up=ranking[1] if len(ranking) > 1 else None,
        groups=groups,
        tornado=tuple(sorted(groups, key=lambda g: (-abs(g.delta), g.source_key))),
    )


# A claim that would move the forecast by more than this, resting on one low-graded source
# with no independent confirmation, is uncorroborated: shown as such and counted at a
# discount (issue #11).
UNCORROBORATED_SHIFT: Final = 0.10
UNCORROBORATED_WEIGHT: Final = 0.5
LOW_RELIABILITY: Final = frozenset({"D", "E", "F"})


def uncorroborated(
    priors: Mapping[str, float], items: Sequence[Item], base: Posterior | None = None
) -> set[str]:
    """The groups that, if believed (re-graded A/1), would move the leader's probability by
    more than ``UNCORROBORATED_SHIFT``, while resting on one source (one outlet or one
    speaker: a development many outlets carry is not one site's word) all of whose reports
    are graded D, E or F.

    Only the groups that could be such (one source, every report low, none entered by the
    analyst) are re-weighed, each from the whole update less its own share, as
    ``sensitivity`` does: what a trajectory of many days costs is one posterior a day.
    ``base`` is ``posterior(priors, items)`` when the caller has it."""
    members = _group(items)
    candidates = [key for key, group in members.items() if _one_low_source(group)]
    if not candidates:
        return set()
    base = posterior(priors, items) if base is None else base
    leader = base.leader
    log_prior = _log_priors(priors)
    total = {h: log_prior[h] + math.fsum(c[h] for c in base.contributions.values()) for h in priors}
    hypotheses = tuple(priors)
    out = set()
    for key in candidates:
        share = base.contributions[key]
        rest = {h: total[h] - share[h] for h in hypotheses}
        without = _mixed(_normalise(rest), priors, base.update)
        believed = _regraded(priors, members[key], base, rest, BEST_GRADE)
        if abs(believed[leader] - without[leader]) > UNCORROBORATED_SHIFT:
            out.add(key)
    return out


def _one_low_source(group: Sequence[Item]) -> bool:
    """Whether a group rests on one source, all of whose reports are graded D, E or F, and
    none was entered by the analyst (who weighed it: not a claim to corroborate)."""
    if any(m.source_key.startswith(MANUAL_KEY) for m in group):
        return False
    sources = {m.source_key for m in group}  # one outlet or speaker, not one of many
    return len(sources) == 1 and all(m.reliability in LOW_RELIABILITY for m in group)


def discounted(items: Sequence[Item], groups: set[str]) -> list[Item]:
    """The items, those of ``groups`` weighing ``UNCORROBORATED_WEIGHT`` of their weight."""
    return [
        replace(i, weight=i.weight * UNCORROBORATED_WEIGHT) if i.group in groups else i
        for i in items
    ]
