"""Whether two figures on one measure conflict: compared as ranges, in one unit.

Two figures are compared when they measure one thing (``comparable``): the same measure
('count:troop'), and scopes (``extract.counted``) that name the same countries and, for
people in general, the same doing, and places that agree or that one of them leaves unsaid
('civilians killed in Ukraine' and 'civilians killed'). They are compared between articles
only (one article giving two numbers for one measure is speaking of two dates or scopes, not
contradicting itself). Each figure stands for a range of values:

* a single figure for what it rounds: '1,300' is 1,250 to 1,350, '2.5' 2.45 to 2.55, but
  never more than ``_ROUNDING`` of the value either way ('30,000' is 27,000 to 33,000);
* 'about' and 'nearly' widen that by ``_ABOUT``; 'at least' and 'more than' reach up
  without end, 'up to' and 'less than' down to zero; a range or a vague number ('dozens')
  is its bounds;
* in the unit its family is compared in ('800 miles' is 1,287 km; ``numerals.base_unit``).

Two figures conflict when their ranges do not meet. Figures in units that cannot be
converted into each other (US dollars and euros) are not compared at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import TypeVar

from tocsin.extract.numerals import base_unit
from tocsin.models.evidence import FigureRow

R = TypeVar("R", bound=FigureRow)

# The most a figure's rounding may cover, as a share of its value: a written '30,000' may
# stand for 27,000 but not for 25,000.
_ROUNDING = 0.1
# What 'about' adds to that, as a share of the value: 'about 500' and 'some 520' agree.
_ABOUT = 0.1
_UP = frozenset({"at least", "more than"})
_DOWN = frozenset({"up to", "less than"})
_NEAR = frozenset({"about", "nearly"})


def rounding(value: float) -> float:
    """Half the place of the last significant digit of ``value``: 50 for 1,300, 0.05 for
    2.5, 500,000 for 25 million."""
    magnitude = abs(value)
    if magnitude == 0:
        return 0.0
    for decimals in range(7):
        scaled = magnitude * 10**decimals
        if abs(scaled - round(scaled)) <= 1e-6 * max(1.0, scaled):
            break
    place = 10.0**-decimals
    if decimals == 0:
        whole = round(magnitude)
        while whole % 10 == 0 and whole >= 10:
            whole //= 10
            place *= 10
    return place / 2


def value_range(figure: FigureRow) -> tuple[str, float, float] | None:
    """The unit the figure is compared in, and the lowest and highest value it allows in
    that unit; None for a figure without a number."""
    unit, factor = base_unit(figure.unit)
    if figure.low is not None and figure.high is not None:
        return unit, figure.low * factor, figure.high * factor
    value = figure.value
    if value is None:
        return None
    slack = min(rounding(value), _ROUNDING * abs(value))
    if figure.qualifier in _NEAR:
        slack += _ABOUT * abs(value)
    low, high = value - slack, value + slack
    if figure.qualifier in _UP:
        low, high = value, math.inf
    elif figure.qualifier in _DOWN:
        low, high = min(0.0, value), value
    elif figure.qualifier == "nearly":
        high = value
    return unit, low * factor, high * factor


def split_key(key: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """A measure group key as (measure, the scope's other parts, its places):
    'count:troop [Russia, in Belarus]' -> ('count:troop', {'Russia'}, {'in Belarus'})."""
    measure, _, scope = key.partition(" [")
    parts = [p for p in scope.removesuffix("]").split(", ") if p]
    places = frozenset(p for p in parts if p.startswith("in "))
    return measure, frozenset(parts) - places, places


def comparable(a: str, b: str) -> bool:
    """Whether figures of the measure groups ``a`` and ``b`` measure one thing."""
    measure_a, parts_a, places_a = split_key(a)
    measure_b, parts_b, places_b = split_key(b)
    return (
        measure_a == measure_b
        and parts_a == parts_b
        and (places_a == places_b or not places_a or not places_b)
    )


def conflicting_groups(figures: Sequence[R]) -> list[tuple[str, list[R]]]:
    """The figures of each measure that take part in a conflict, by measure: per measure,
    the groups whose scopes are ``comparable`` are compared together (``has_conflict``)."""
    by_measure: dict[str, dict[str, list[R]]] = {}
    for f in figures:
        by_measure.setdefault(split_key(f.key)[0], {}).setdefault(f.key, []).append(f)
    out = []
    for measure, groups in by_measure.items():
        keys = list(groups)
        involved: set[str] = set()
        for n, a in enumerate(keys):
            for b in keys[n:]:
                together = groups[a] if a == b else [*groups[a], *groups[b]]
                if comparable(a, b) and has_conflict(together):
                    involved |= {a, b}
        if involved:
            out.append((measure, [f for f in figures if f.key in involved]))
    return out


def conflict(a: FigureRow, b: FigureRow) -> bool:
    """Whether two figures of one measure, from different articles, disagree."""
    if a.article_id == b.article_id:
        return False
    ra, rb = value_range(a), value_range(b)
    if ra is None or rb is None or ra[0] != rb[0]:
        return False
    return ra[2] < rb[1] or rb[2] < ra[1]


def conflicting_pairs(figures: Sequence[FigureRow]) -> list[tuple[int, int]]:
    """The pairs (by position in ``figures``) that conflict: for a small set, such as a
    benchmark's; ``has_conflict`` answers for a whole group in linear time."""
    return [(i, j) for (i, a), (j, b) in combinations(enumerate(figures), 2) if conflict(a, b)]


def has_conflict(figures: Sequence[FigureRow]) -> bool:
    """Whether any two of ``figures`` conflict (``conflict``), in time linear in their number.

    Per unit, a conflict exists when some range ends below another's start in another
    article. Only the two lowest ends and the two highest starts, of different articles,
    can make one, so only those are kept.
    """
    ends: dict[str, list[tuple[float, int]]] = {}  # unit -> the two lowest (end, article)
    starts: dict[str, list[tuple[float, int]]] = {}  # unit -> the two highest (start, article)
    for f in figures:
        found = value_range(f)
        if found is None:
            continue
        unit, low, high = found
        ends[unit] = _two(ends.get(unit, []), (high, f.article_id), lowest=True)
        starts[unit] = _two(starts.get(unit, []), (low, f.article_id), lowest=False)
    return any(
        end < start and a != b
        for unit, lows in ends.items()
        for end, a in lows
        for start, b in starts[unit]
    )


def _two(
    kept: list[tuple[float, int]], new: tuple[float, int], *, lowest: bool
) -> list[tuple[float, int]]:
    """The best two of ``kept`` and ``new``, from different articles when there are two."""
    ordered = sorted([*kept, new], key=lambda item: item[0] if lowest else -item[0])
    best = ordered[0]
    other = next((item for item in ordered[1:] if item[1] != best[1]), None)
    return [best] if other is None else [best, other]
