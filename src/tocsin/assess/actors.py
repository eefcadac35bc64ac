"""Bueno de Mesquita's expected-utility bargaining model, as reconstructed by Scholz,
Calbert & Smith (2011, Journal of Theoretical Politics 23(4)). docs/actors.md covers it
in more depth.

Every actor has a capability ``c``, a salience ``s`` (0..1) and a position ``x`` on one
issue scale. ``R`` is the spread of the *initial* positions (max - min); if ``R == 0``
nothing ever moves. ``d(a, b) = |x_a - x_b| / R`` and ``w_k = c_k s_k``. One round:

1. Votes. Voter ``k`` with exponent ``e_k`` casts ``v_k(i, j) = w_k (d(k, j)^e_k -
   d(k, i)^e_k)`` for ``x_i`` over ``x_j``.
2. Probability that ``x_i`` beats ``x_j``: ``P_ij = sum_k max(0, v_k(i, j)) / D``.
3. Expected utility of ``i`` challenging ``j`` with exponent ``r``:
   ``EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - U_sq`` where
   ``U_s = 2 - 4 (0.5 - 0.5 d(i, j))^r``, ``U_f = 2 - 4 (0.5 + 0.5 d(i, j))^r``,
   ``U_sq = 2 - 4 * 0.5^r`` (the status-quo weight q is 1).
4. Risk. With every exponent 1, actor ``i``'s danger is ``sum_{j != i} EU_ji``;
   ``R_i = (2 danger_i - max - min) / (max - min)`` over all actors (0 when every danger
   is equal) and ``r_i = (1 - R_i / 3) / (1 + R_i / 3)``, so ``r_i`` lies in 0.5..2.
5. Offers. Actor ``i`` weighs each other actor ``j`` with ``a = EU_ij`` (its own exponent)
   and ``b``, its estimate of ``EU_ji``. *Confrontation*: ``b > a > 0``; both would
   fight and ``j`` expects more from it, so ``i`` moves to ``x_j``. *Compromise*:
   ``a < 0 < b`` and ``|a| < b``; ``i`` moves ``(x_j - x_i) |a / b|`` towards ``j``.
   *Capitulation*: ``a < 0 < b`` and ``|a| >= b``; ``i`` moves all the way to ``x_j``.
6. Every actor takes at most one offer (rules below) and all move at once.

Each round reports the weighted mean ``sum(w x) / sum(w)`` and the median: the actor
position that no other position beats in the pairwise votes ``sum_k w_k (|x_k - x_j| -
|x_k - x_i|)``. That is a weak Condorcet winner, and on a line one always exists. If
several tie, the one with the larger summed margin over all positions wins, then the
lower position.

``variant="scholz"`` (the default) is the reading that reproduces the published EU
example. The weighted mean is 7.389956 before round 1 and 7.461314 after it; we get
7.4613144. Its rules:

* ``D`` is pooled: ``sum_k sum_a sum_b |v_k(a, b)|`` over every ordered pair of actor
  positions, not just the pair being compared.
* Votes inside a round use each voter's own risk exponent (``e_k = r_k``). The danger in
  step 4 uses ``e_k = 1``.
* ``b`` is ``EU_ji`` computed with the *receiver's* exponent ``r_i``, not with ``r_j``.
* Capitulations are dropped. Only confrontations and compromises count.
* A confrontation beats any compromise, and the nearest confrontation is taken. Failing
  one, the compromise with the lowest resulting position is taken. Ties go to the offerer
  with the largest ``b``, then to the lower position.

These rules are the reconstruction's known quirks:

* Pooling ``D`` makes every ``P_ij`` tiny (``P_ij + P_ji`` is far below 1), so the
  failure term dominates every expected utility.
* Votes and danger use different exponents.
* Each actor judges the other side's gain with its own risk attitude.
* If the offerer's gain is smaller than the receiver's loss, nothing happens.
* "Lowest compromise" depends on which end of the scale is called low. Mirror the scale
  and the outcome changes.

``variant="corrected"`` changes exactly those points. It uses ``D = sum_k |v_k(i, j)|``
(so ``P_ij + P_ji = 1``) and ``e_k = 1`` for all votes. ``b`` uses ``r_j``.
Capitulations count (the compromise fraction is capped at 1). The actor takes the
nearest offer of any kind: the smallest move, which costs it the least utility. The
utility and risk formulas, ``R`` and the reporting are the same in both variants.

How we found the reading: we tried about 400,000 combinations of readings (the
denominator, the vote exponent, whose exponent ``b`` uses, which offer classes count,
how an offer is chosen, the compromise amount). Two land on 7.461314: this one and a
contrived one that averages every offer. In round 1 of the EU example no actor has to
choose between different compromises, so that figure cannot tell "lowest compromise"
from "nearest compromise". We kept "lowest", as the reconstruction is described.

Veto players are not part of the model: ``apply_vetoes`` reads the Monte Carlo's final
positions (``monte_carlo_draws``) and turns a draw whose outcome a veto player does not
consent to into the status quo (docs/actors.md, "Veto players").
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tocsin.errors import InvalidInput

Array = NDArray[np.float64]

VARIANTS = ("scholz", "corrected")
COLUMNS = ("Actor", "Capability", "Position", "Salience")
CHUNK = 2048  # Monte Carlo samples simulated at once (bounds the n^3 vote tensor's memory)
VOTE_BUDGET = CHUNK * 20**3  # entries of one vote tensor: 2,048 samples of 20 actors (131 MB)
_NONE, _CONFRONT, _COMPROMISE = 0, 1, 2


@dataclass(frozen=True)
class Actor:
    """One actor: capability (>= 0), position on the issue scale, salience (0..1)."""

    name: str
    capability: float
    position: float
    salience: float


@dataclass(frozen=True)
class Round:
    """The state after round ``number`` (0 = the initial positions)."""

    number: int
    mean: float
    median: float
    positions: dict[str, float]


@dataclass(frozen=True)
class ActorRange:
    """Uniform ``(low, high)`` ranges for a Monte Carlo actor."""

    name: str
    capability: tuple[float, float]
    position: tuple[float, float]
    salience: tuple[float, float]


@dataclass(frozen=True)
class _Rules:
    pooled_denominator: bool  # step 2: D sums |votes| over every ordered pair
    risky_votes: bool  # step 1 in a round: voters use their own exponent r_k
    receiver_exponent: bool  # step 5: b = EU_ji with the receiver's r_i
    capitulation: bool  # step 5: a < 0 < b <= |a| moves i to x_j
    nearest_choice: bool  # step 6: nearest offer of any kind


_RULES = {
    "scholz": _Rules(True, True, True, False, False),
    "corrected": _Rules(False, False, False, True, True),
}


# ---- the model, one numbered step per function; arrays carry a leading batch axis "..."


def _distances(x: Array, span: Array) -> Array:
    """d[..., a, b] = |x_a - x_b| / R (zero everywhere when R is 0)."""
    gap = np.abs(x[..., :, None] - x[..., None, :])
    safe = np.where(span > 0, span, 1.0)[..., None, None]
    return np.asarray(gap / safe, dtype=np.float64)


def _votes(d: Array, weight: Array, exponent: Array) -> Array:
    """Step 1: v[..., k, i, j], voter k's vote for x_i over x_j."""
    dr = d ** exponent[..., :, None]
    return np.asarray(weight[..., :, None, None] * (dr[..., :, None, :] - dr[..., :, :, None]))


def _probabilities(votes: Array, pooled: bool) -> Array:
    """Step 2: P[..., i, j], the chance that x_i prevails over x_j."""
    ayes = np.clip(votes, 0.0, None).sum(axis=-3)
    total = np.abs(votes).sum(axis=-3)
    if pooled:
        total = total.sum(axis=(-2, -1), keepdims=True) * np.ones_like(ayes)
    prob = np.divide(ayes, total, out=np.zeros_like(ayes), where=total > 0)
    return np.asarray(prob, dtype=np.float64)


def _expected_utilities(d: Array, prob: Array, salience: Array, exponent: Array) -> Array:
    """Step 3: EU[..., i, j] of i challenging j; ``exponent`` broadcasts to (..., n, n)."""
    success = 2 - 4 * (0.5 - 0.5 * d) ** exponent
    failure = 2 - 4 * (0.5 + 0.5 * d) ** exponent
    status_quo = 2 - 4 * 0.5**exponent
    s_j = salience[..., None, :]
    eu = s_j * (prob * success + (1 - prob) * failure) + (1 - s_j) * success - status_quo
    return np.asarray(np.where(d > 0, eu, 0.0), dtype=np.float64)


def _risk_exponents(d: Array, weight: Array, salience: Array, pooled: bool) -> Array:
    """Step 4: r[..., i] from the danger sum_j EU_ji, all exponents 1."""
    ones = np.ones_like(weight)
    prob = _probabilities(_votes(d, weight, ones), pooled)
    danger = _expected_utilities(d, prob, salience, ones[..., None]).sum(axis=-2)
    high = danger.max(axis=-1, keepdims=True)
    low = danger.min(axis=-1, keepdims=True)
    spread = high - low
    flat = spread <= 1e-12 * np.maximum(1.0, np.maximum(np.abs(high), np.abs(low)))
    safe = np.where(flat, 1.0, spread)
    risk = np.where(flat, 0.0, np.clip((2 * danger - high - low) / safe, -1.0, 1.0))
    return np.asarray((1 - risk / 3) / (1 + risk / 3), dtype=np.float64)


def _challenges(
    d: Array, weight: Array, salience: Array, r: Array, rules: _Rules
) -> tuple[Array, Array]:
    """Step 5a: (a, b) with a[..., i, j] = EU_ij and b[..., i, j] = i's estimate of EU_ji."""
    exponent = r if rules.risky_votes else np.ones_like(r)
    prob = _probabilities(_votes(d, weight, exponent), rules.pooled_denominator)
    mine = _expected_utilities(d, prob, salience, r[..., :, None])
    if rules.receiver_exponent:
        theirs = _expected_utilities(d, prob, salience, r[..., None, :])
    else:
        theirs = mine
    return mine, np.swapaxes(theirs, -1, -2)


def _offers(x: Array, a: Array, b: Array, rules: _Rules) -> tuple[Array, Array]:
    """Step 5b: (kind, target)[..., i, j] of the offer j makes to i."""
    confront = (a > 0) & (b > a)
    compromise = (a < 0) & (b > 0) & ((-a < b) | rules.capitulation)
    ratio = np.divide(-a, b, out=np.zeros_like(a), where=b > 0)
    here, there = x[..., :, None], x[..., None, :]
    step = here + (there - here) * np.minimum(ratio, 1.0)
    step = np.clip(step, np.minimum(here, there), np.maximum(here, there))
    target = np.where(confront, there, step)
    kind = np.where(confront, _CONFRONT, np.where(compromise, _COMPROMISE, _NONE))
    return kind, np.asarray(target, dtype=np.float64)


def _choose(x: Array, kind: Array, target: Array, pressure: Array, rules: _Rules) -> Array:
    """Step 6: every actor's new position (its current one when it has no offer). Ties go
    to the offerer keenest to challenge (largest ``b``), then to the lower position."""
    distance = np.abs(target - x[..., :, None])
    if rules.nearest_choice:
        rank = np.where(kind == _NONE, 2, 0)
        key = distance
    else:
        rank = np.where(kind == _CONFRONT, 0, np.where(kind == _COMPROMISE, 1, 2))
        key = np.where(kind == _CONFRONT, distance, target)
    best = np.lexsort((target, -pressure, key, rank), axis=-1)[..., :1]
    chosen = np.take_along_axis(target, best, axis=-1)[..., 0]
    offered = np.take_along_axis(rank, best, axis=-1)[..., 0] < 2
    return np.asarray(np.where(offered, chosen, x), dtype=np.float64)


def _step(x: Array, weight: Array, salience: Array, span: Array, rules: _Rules) -> Array:
    """One round of steps 1-6 for every batch row at once."""
    d = _distances(x, span)
    r = _risk_exponents(d, weight, salience, rules.pooled_denominator)
    a, b = _challenges(d, weight, salience, r, rules)
    kind, target = _offers(x, a, b, rules)
    return _choose(x, kind, target, b, rules)


def _weighted_mean(x: Array, weight: Array) -> Array:
    """sum(w x) / sum(w), kept inside the positions' hull despite rounding."""
    mean = (weight * x).sum(axis=-1) / weight.sum(axis=-1)
    return np.asarray(np.clip(mean, x.min(axis=-1), x.max(axis=-1)), dtype=np.float64)


def _median(x: Array, weight: Array) -> float:
    """The weak Condorcet winner among the positions (ties: larger total margin, lower x)."""
    gap = np.abs(x[:, None] - x[None, :])  # gap[k, m] = |x_k - x_m|
    margin = (weight[:, None, None] * (gap[:, None, :] - gap[:, :, None])).sum(axis=0)
    tol = 1e-12 * max(1.0, float(weight.sum()) * float(gap.max()))
    unbeaten = (margin >= -tol).all(axis=1)
    if not unbeaten.any():  # only reachable through rounding: fall back to maximin
        worst = margin.min(axis=1)
        unbeaten = worst >= worst.max() - tol
    total = np.where(unbeaten, margin.sum(axis=1), -np.inf)
    best = unbeaten & (total >= total.max() - tol)
    return float(x[best].min())


# ---- public API


def _rules(variant: str) -> _Rules:
    if variant not in _RULES:
        raise InvalidInput(f"unknown variant {variant!r} (choose from {', '.join(VARIANTS)})")
    return _RULES[variant]


def _check(name: str, capability: float, position: float, salience: float) -> None:
    if not all(math.isfinite(v) for v in (capability, position, salience)):
        raise InvalidInput(f"actor {name!r}: capability, position and salience must be finite")
    if capability < 0:
        raise InvalidInput(f"actor {name!r}: capability {capability} is negative")
    if not 0 <= salience <= 1:
        raise InvalidInput(f"actor {name!r}: salience {salience} is outside 0..1")


def _arrays(actors: Sequence[Actor]) -> tuple[Array, Array, Array]:
    names = [a.name for a in actors]
    if len(set(names)) != len(names):
        raise InvalidInput("actor names must be unique")
    if not actors:
        raise InvalidInput("no actors")
    for a in actors:
        _check(a.name, a.capability, a.position, a.salience)
    c = np.array([a.capability for a in actors], dtype=np.float64)
    x = np.array([a.position for a in actors], dtype=np.float64)
    s = np.array([a.salience for a in actors], dtype=np.float64)
    if not (c * s).sum() > 0:
        raise InvalidInput("capability x salience is zero for every actor")
    return c, x, s


def simulate(actors: Sequence[Actor], rounds: int, *, variant: str = "scholz") -> list[Round]:
    """Positions, weighted mean and median after each of ``rounds`` rounds (round 0 first)."""
    rules = _rules(variant)
    if rounds < 0:
        raise InvalidInput(f"rounds must be >= 0, got {rounds}")
    c, x, s = _arrays(actors)
    weight = c * s
    span = np.array(x.max() - x.min())
    names = [a.name for a in actors]
    history = []
    for number in range(rounds + 1):
        if number:
            x = _step(x, weight, s, span, rules)
        positions = {name: float(p) for name, p in zip(names, x, strict=True)}
        mean = float(_weighted_mean(x, weight))
        history.append(Round(number, mean, _median(x, weight), positions))
    return history


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"row {line}, column {column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidInput(f"row {line}, column {column}: {text!r} is not a finite number")
    return value


def _header(row: list[str], path: Path) -> dict[str, int]:
    index = {cell.strip().lower(): i for i, cell in enumerate(row)}
    missing = [col for col in COLUMNS if col.lower() not in index]
    if missing:
        raise InvalidInput(
            f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(COLUMNS)})"
        )
    return {col: index[col.lower()] for col in COLUMNS}


def _actor(row: list[str], line: int, where: dict[str, int]) -> Actor:
    cells: dict[str, str] = {}
    for col, i in where.items():
        if i >= len(row) or not row[i].strip():
            raise InvalidInput(f"row {line}, column {col}: no value")
        cells[col] = row[i].strip()
    values = [_number(cells[col], line, col) for col in COLUMNS[1:]]
    actor = Actor(cells["Actor"], *values)
    try:
        _check(actor.name, actor.capability, actor.position, actor.salience)
    except InvalidInput as exc:
        raise InvalidInput(f"row {line}: {exc}") from None
    return actor


def read_actors_csv(path: Path) -> list[Actor]:
    """Actors from a CSV with a header naming Actor, Capability, Position, Salience
    (any case, any order, other columns ignored). Rows are counted from the header = 1."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInput(f"{path}: empty file (need a header {', '.join(COLUMNS)})")
    where = _header(header, path)
    actors: list[Actor] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        actor = _actor(row, reader.line_num, where)
        if any(a.name == actor.name for a in actors):
            raise InvalidInput(f"row {reader.line_num}: actor {actor.name!r} appears twice")
        actors.append(actor)
    if len(actors) < 2:
        raise InvalidInput(f"{path}: needs at least 2 actors, found {len(actors)}")
    return actors


def _draw(rng: np.random.Generator, bounds: list[tuple[float, float]], samples: int) -> Array:
    low = np.array([b[0] for b in bounds], dtype=np.float64)
    high = np.array([b[1] for b in bounds], dtype=np.float64)
    return rng.uniform(low, high, size=(samples, len(bounds)))


def _check_range(item: ActorRange) -> None:
    for label, (low, high) in (
        ("capability", item.capability),
        ("position", item.position),
        ("salience", item.salience),
    ):
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise InvalidInput(f"actor {item.name!r}: bad {label} range ({low}, {high})")
    _check(item.name, item.capability[0], item.position[0], item.salience[0])
    _check(item.name, item.capability[1], item.position[1], item.salience[1])


def _run_batch(c: Array, x: Array, s: Array, rounds: int, rules: _Rules) -> tuple[Array, Array]:
    """The final weighted means and final positions of a batch of samples."""
    weight = c * s
    if not (weight.sum(axis=-1) > 0).all():
        raise InvalidInput("a sample has zero capability x salience for every actor")
    span = x.max(axis=-1) - x.min(axis=-1)
    for _ in range(rounds):
        x = _step(x, weight, s, span, rules)
    return _weighted_mean(x, weight), x


@dataclass(frozen=True)
class Draws:
    """What the Monte Carlo's draws end in: each draw's final weighted mean, and every
    actor's final position (one row a draw, one column an actor, in the ranges' order)."""

    means: Array
    positions: Array


def monte_carlo(
    ranges: Sequence[ActorRange],
    *,
    samples: int,
    rounds: int,
    seed: int = 0,
    variant: str = "scholz",
) -> Array:
    """Final weighted means of ``samples`` uniform draws from ``ranges``, each run for
    ``rounds`` rounds. Same seed, same result."""
    return monte_carlo_draws(
        ranges, samples=samples, rounds=rounds, seed=seed, variant=variant
    ).means


def monte_carlo_draws(
    ranges: Sequence[ActorRange],
    *,
    samples: int,
    rounds: int,
    seed: int = 0,
    variant: str = "scholz",
) -> Draws:
    """``monte_carlo`` with every actor's final position kept beside each draw's mean
    (the same draws: same seed, same means)."""
    rules = _rules(variant)
    if samples < 1 or rounds < 0:
        raise InvalidInput(f"need samples >= 1 and rounds >= 0, got {samples} and {rounds}")
    if len(ranges) < 2:
        raise InvalidInput(f"needs at least 2 actors, found {len(ranges)}")
    for item in ranges:
        _check_range(item)
    rng = np.random.default_rng(seed)
    c = _draw(rng, [r.capability for r in ranges], samples)
    x = _draw(rng, [r.position for r in ranges], samples)
    s = _draw(rng, [r.salience for r in ranges], samples)
    chunk = max(1, min(CHUNK, VOTE_BUDGET // len(ranges) ** 3))  # fewer samples, more actors
    parts = [
        _run_batch(c[i : i + chunk], x[i : i + chunk], s[i : i + chunk], rounds, rules)
        for i in range(0, samples, chunk)
    ]
    return Draws(
        np.concatenate([mean for mean, _ in parts]),
        np.concatenate([final for _, final in parts], axis=0),
    )


def bin_labels(outcomes: np.ndarray, bins: Mapping[str, tuple[float, float]]) -> list[str]:
    """The name of the bin each of ``outcomes`` falls in. Bins are ``[low, high)``; the bin
    reaching highest is ``[low, high]``. Bins must not overlap and must hold every outcome."""
    values = np.asarray(outcomes, dtype=np.float64).ravel()
    if values.size == 0 or not bins:
        raise InvalidInput("need at least one outcome and one bin")
    spans = sorted(bins.values())
    if any(low >= high for low, high in spans):
        raise InvalidInput("every bin needs low < high")
    if any(nxt[0] < prev[1] for prev, nxt in itertools.pairwise(spans)):
        raise InvalidInput("bins overlap")
    top = max(high for _, high in spans)
    labels = [""] * values.size
    placed = np.zeros(values.size, dtype=bool)
    for name, (low, high) in bins.items():
        inside = (values >= low) & ((values < high) | ((high == top) & (values == high)))
        for i in np.flatnonzero(inside):
            labels[i] = name
        placed |= inside
    if not placed.all():
        raise InvalidInput(f"outcome {values[~placed][0]:g} falls in no bin")
    return labels


def shares(labels: Sequence[str], names: Iterable[str]) -> dict[str, float]:
    """The share of ``labels`` that is each of ``names`` (0 for a name never seen)."""
    counts = Counter(labels)
    total = len(labels)
    return {name: counts.get(name, 0) / total if total else 0.0 for name in names}


def bin_probabilities(
    outcomes: np.ndarray, bins: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """Share of ``outcomes`` in each named bin (``bin_labels`` gives the rules)."""
    return shares(bin_labels(outcomes, bins), bins)


# ---- veto players


@dataclass(frozen=True)
class Veto:
    """An actor whose consent the outcomes ``needed_for`` need: ``actor`` is its index in
    the Monte Carlo's ranges."""

    actor: int
    needed_for: frozenset[str]


@dataclass(frozen=True)
class Vetoed:
    """The draws' outcomes after the veto players had their say."""

    labels: list[str]  # each draw's outcome: its bin, or the status quo where blocked
    blocked: dict[int, int]  # veto player (index) -> draws it blocked
    blocked_draws: int  # draws blocked by one veto player or more


def consents(position: float, span: tuple[float, float], tolerance: float = 0.0) -> bool:
    """Whether a veto player at ``position`` consents to an outcome whose range is ``span``:
    it sits inside the range, or within ``tolerance`` of either end."""
    low, high = span
    return low - tolerance <= position <= high + tolerance


def apply_vetoes(
    labels: Sequence[str],
    positions: Array,
    bins: Mapping[str, tuple[float, float]],
    vetoes: Sequence[Veto],
    status_quo: str,
    tolerance: float = 0.0,
) -> Vetoed:
    """Each draw's outcome, with the vetoes applied: a draw whose outcome (its bin in
    ``labels``) needs a veto player's consent keeps it only if every such veto player's
    final position (``positions[draw, actor]``) sits inside that outcome's range or
    within ``tolerance`` of it; otherwise the draw's outcome is ``status_quo``."""
    if tolerance < 0 or not math.isfinite(tolerance):
        raise InvalidInput(f"the veto tolerance must be finite and >= 0, got {tolerance}")
    final = np.asarray(positions, dtype=np.float64)
    if final.ndim != 2 or final.shape[0] != len(labels):
        raise InvalidInput("need one row of final positions per draw")
    for veto in vetoes:
        if not 0 <= veto.actor < final.shape[1]:
            raise InvalidInput(f"no actor {veto.actor} among {final.shape[1]}")
    out = list(labels)
    blocked = dict.fromkeys((v.actor for v in vetoes), 0)
    for draw, outcome in enumerate(labels):
        if outcome == status_quo or outcome not in bins:
            continue
        refusing = [
            v.actor
            for v in vetoes
            if outcome in v.needed_for
            and not consents(float(final[draw, v.actor]), bins[outcome], tolerance)
        ]
        for actor in refusing:
            blocked[actor] += 1
        if refusing:
            out[draw] = status_quo
    return Vetoed(out, blocked, sum(a != b for a, b in zip(out, labels, strict=True)))
