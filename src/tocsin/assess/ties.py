"""The strongest tie of each report to the open developments before it, for a whole
indicator at once (``evidence.clusters``).

``evidence.clusters`` asks, for each report in date order, which report of an open
development it is most strongly tied to (``developments.Likeness.reason``). Asked pair by
pair in Python that is quadratic in one window's reports with a large constant: a day
with 3,663 links of one indicator took 38 s to score (docs/benchmarks.md). Here the
strength of every pair in the window is computed with array arithmetic instead: the
TF-IDF cosines, the key entities, entities and figures in common from sparse products of
incidence matrices, block by block; the same articles and the same original sources
from arrays. Only the pairs whose strength may be the highest are asked of
``Likeness.reason`` itself, so the development each report joins, and the reason given,
are exactly the pairwise ones:

* a cosine from a sparse product differs from ``Likeness.wording`` by rounding only
  (below ``_EPSILON``); a pair whose cosine is that close to ``NEAR_IDENTICAL`` or
  ``CLOSE_WORDING`` is asked of ``reason`` at once, since the rule it meets may differ;
* every pair within ``2 * _EPSILON`` of the highest strength is asked of ``reason``, in
  the order the pairwise scan meets them (development by development, oldest first;
  report by report inside one), and the first of the highest wins, as there.

The work is still proportional to the pairs in one window, but as array operations; no
pair is skipped by a guess. Pure: reports in, ties out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tocsin.assess import developments
from tocsin.assess.developments import Likeness, Reason, same_source

_EPSILON = 1e-9  # far above a sparse product's rounding, far below any rule's step
_BLOCK = 1 << 21  # pairs computed at once (four float64 blocks of this size: 64 MB)


@dataclass(frozen=True)
class Tie:
    """The report a new one is most strongly tied to (an index into ``Likeness.reports``)
    and why."""

    to: int
    reason: Reason


class Window:
    """One indicator's reports (``positions``: indices into ``likeness.reports``, in date
    order; ``days``: their dates as day numbers), compared with each other."""

    def __init__(self, likeness: Likeness, positions: Sequence[int], days: Sequence[int]):
        self.likeness = likeness
        self.positions = np.asarray(positions, dtype=np.int64)
        self.days = np.asarray(days, dtype=np.int64)
        reports = [likeness.reports[i] for i in positions]
        topical = likeness.topical
        self._key = _incidence([r.entities - topical for r in reports])
        self._entities = _incidence([r.entities for r in reports])
        self._figures = _incidence([r.figures for r in reports])
        self._key_count = np.asarray([len(r.entities - topical) for r in reports])
        articles = [r.article for r in reports]
        self._has_article = np.asarray([a is not None for a in articles])
        self._article = np.asarray([a if a is not None else 0 for a in articles])
        names = sorted({r.source for r in reports if r.source})
        self._names = names
        number = {n: k for k, n in enumerate(names)}
        self._source = np.asarray([number[r.source] if r.source else -1 for r in reports])
        self._same: dict[int, NDArray[np.bool_]] = {}

    def first(self, window: int) -> NDArray[np.int64]:
        """For each report, the first one dated at most ``window`` days before it."""
        return np.searchsorted(self.days, self.days - window, side="left").astype(np.int64)

    def blocks(self, window: int) -> Iterable[tuple[int, int, int, _Block]]:
        """The reports in runs ``[a, b)`` with the pairs of each against the reports from
        ``lo`` (the first within ``window`` days of ``a``) to ``b``."""
        first = self.first(window)
        n = len(self.positions)
        a = 0
        while a < n:
            lo = int(first[a])
            rows = max(1, min(512, _BLOCK // max(1, a + 1 - lo)))
            b = min(n, a + rows)
            yield a, b, lo, self._block(a, b, lo)
            a = b

    def _block(self, a: int, b: int, lo: int) -> _Block:
        rows, columns = np.arange(a, b), np.arange(lo, b)
        wording = self.likeness.wordings(self.positions[rows], self.positions[columns])
        return _Block(
            wording=wording,
            key=_products(self._key, a, b, lo),
            entities=_products(self._entities, a, b, lo),
            figures=_products(self._figures, a, b, lo),
        )

    def strengths(self, block: _Block, row: int, p: int, lo: int, start: int) -> Strengths:
        """The strength of the tie of report ``p`` (``row`` of ``block``, whose columns
        begin at report ``lo``) with each of reports ``start`` to ``p - 1``; minus
        infinity where nothing ties them (``Likeness.reason``'s rules, in its order)."""
        s, e = start - lo, p - lo
        cosine = block.wording[row, s:e]
        key = block.key[row, s:e]
        shared = (block.figures[row, s:e] > 0) & (block.entities[row, s:e] > 0)
        band = slice(start, p)
        article = self._has_article[p] & self._has_article[band]
        article &= self._article[band] == self._article[p]
        conditions = [
            cosine >= developments.NEAR_IDENTICAL,
            article,
            self._sources(p, band),
            key > 0,
            shared,
            cosine >= developments.CLOSE_WORDING,
        ]
        choices: list[Any] = [4.0 + cosine, 3.5 + cosine, 3.0 + cosine, 2.0 + 0.1 * key]
        choices += [np.full(cosine.shape, 2.0), 1.0 + cosine]
        if developments.UNLESS_APART:
            conditions.append((self._key_count[p] == 0) | (self._key_count[band] == 0))
            choices.append(0.5 + cosine)
        strength: NDArray[Any] = np.select(conditions, choices, default=-np.inf)
        # The rules of shared entities and of a figure give their strength exactly (the same
        # float operations as ``reason``); the others hold a cosine up to rounding.
        exact = ~(conditions[0] | conditions[1] | conditions[2]) & (conditions[3] | conditions[4])
        near = np.abs(cosine - developments.NEAR_IDENTICAL) < _EPSILON
        near |= np.abs(cosine - developments.CLOSE_WORDING) < _EPSILON
        for k in np.flatnonzero(near):
            why = self.reason(start + int(k), p)
            strength[k] = -np.inf if why is None else why.strength
            exact[k] = True
        return Strengths(strength, exact)

    def reason(self, q: int, p: int) -> Reason | None:
        """``Likeness.reason`` of reports ``q`` and ``p`` of this window."""
        return self.likeness.reason(int(self.positions[q]), int(self.positions[p]))

    def _sources(self, p: int, band: slice) -> NDArray[np.bool_]:
        own = int(self._source[p])
        others = self._source[band]
        if own < 0:
            return np.zeros(others.shape, dtype=bool)
        if own not in self._same:
            name = self._names[own]
            self._same[own] = np.asarray([same_source(name, n) for n in self._names] + [False])
        same: NDArray[np.bool_] = self._same[own][others]  # -1 (no source): the final False
        return same


@dataclass(frozen=True)
class _Block:
    """The pairs of reports ``[a, b)`` with reports ``[lo, b)``: TF-IDF cosines, and key
    entities, entities and figures in common."""

    wording: NDArray[np.float64]
    key: NDArray[np.float64]
    entities: NDArray[np.float64]
    figures: NDArray[np.float64]


@dataclass
class Strengths:
    """The strength of each pair's tie, and whether it is exact (else a cosine's rounding
    away from ``Likeness.reason``'s)."""

    strength: NDArray[Any]
    exact: NDArray[np.bool_]


def strongest(
    window: Window,
    p: int,
    candidates: NDArray[np.int64],
    order: NDArray[np.int64],
    found: Strengths,
) -> Tie | None:
    """The strongest tie of report ``p`` among ``candidates`` (reports of the window, with
    the ``found`` strengths of their ties to ``p``) as ``Likeness.reason`` gives it: the
    highest, and the first in ``order`` (a sort key per candidate: the pairwise scan's
    order) of the highest. Of the pairs within ``2 * _EPSILON`` of the highest, those of
    exact strength are compared as they are, the others are asked of ``reason``. None
    when nothing ties."""
    strength = found.strength
    if not len(candidates) or (top := float(strength.max())) == -np.inf:
        return None
    close = np.flatnonzero(strength >= top - 2 * _EPSILON)
    shortlist: list[tuple[float, int, int]] = []  # (strength, minus order, candidate)
    measured = close[found.exact[close]]
    if len(measured):
        value = strength[measured].max()
        highest = measured[strength[measured] == value]
        k = int(highest[np.argmin(order[highest])])  # the first of the highest exact ones
        shortlist.append((float(value), -int(order[k]), k))
    for k in close[~found.exact[close]]:
        why = window.reason(int(candidates[k]), p)
        if why is not None:
            shortlist.append((why.strength, -int(order[k]), int(k)))
    if not shortlist:
        return None
    q = int(candidates[max(shortlist)[2]])
    why = window.reason(q, p)
    assert why is not None
    return Tie(q, why)


def _incidence(sets: Sequence[Iterable[Hashable]]) -> Any:
    """A 0/1 CSR matrix of which of the values each set holds."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped, unused-ignore]

    number: dict[Hashable, int] = {}
    indptr, columns = [0], []
    for values in sets:
        columns += [number.setdefault(v, len(number)) for v in values]
        indptr.append(len(columns))
    shape = (len(sets), max(1, len(number)))
    return csr_matrix((np.ones(len(columns)), columns, indptr), shape=shape)


def _products(matrix: Any, a: int, b: int, lo: int) -> NDArray[np.float64]:
    """How many values rows ``[a, b)`` of ``matrix`` share with rows ``[lo, b)``."""
    return np.asarray((matrix[a:b] @ matrix[lo:b].T).toarray(), dtype=np.float64)
