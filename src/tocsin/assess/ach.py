"""Analysis of Competing Hypotheses: PARC weighted inconsistency and Open Synthesis metrics.

Two scoring traditions over the same evidence × hypothesis matrix of ratings:

* PARC ACH 2.0 (one analyst): each cell rating has a weight (I = −1, II = −2, all others 0) that
  is multiplied by the evidence's credibility and relevance weights (low 1/√2, medium 1,
  high √2) and summed per hypothesis. Scores are ≤ 0; the closer to 0, the less inconsistent
  the evidence and the more likely the hypothesis.
* Open Synthesis / openach (several analysts): votes map to a 1–5 scale, cells are averaged,
  and a hypothesis's inconsistency, an evidence item's diagnosticity and a cell's disagreement
  are computed from those votes.

Everything here is pure: no I/O, no database. A cell is keyed ``(evidence_id, hypothesis_id)``.
See docs/scoring.md for the formulas.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

Cell = tuple[str, str]
"""A matrix cell: ``(evidence_id, hypothesis_id)``."""

RATINGS: Final = ("CC", "C", "N", "NA", "I", "II")
"""Very consistent, consistent, neutral, not applicable, inconsistent, very inconsistent."""

GRADES: Final = ("low", "medium", "high")
"""Credibility and relevance grades."""

# PARC ACH 2.0 counts only inconsistency: consistent evidence rarely discriminates (it fits many
# hypotheses), so CC/C/N/NA all weigh 0.
RATING_WEIGHT: Final[Mapping[str, float]] = MappingProxyType(
    {"CC": 0.0, "C": 0.0, "N": 0.0, "NA": 0.0, "I": -1.0, "II": -2.0}
)
# PARC's credibility and relevance multipliers: a geometric ladder, so high × low = medium × medium.
GRADE_WEIGHT: Final[Mapping[str, float]] = MappingProxyType(
    {"low": 1.0 / math.sqrt(2.0), "medium": 1.0, "high": math.sqrt(2.0)}
)
# Open Synthesis's 1–5 scale; N/A has no place on it and is read as neutral in cell means.
SCALE: Final[Mapping[str, int]] = MappingProxyType({"II": 1, "I": 2, "N": 3, "C": 4, "CC": 5})
NEUTRAL: Final = 3
_BY_VALUE: Final = {value: rating for rating, value in SCALE.items()}


@dataclass(frozen=True)
class Evidence:
    """An evidence row: its id and PARC credibility and relevance grades."""

    id: str
    credibility: str = "medium"
    relevance: str = "medium"

    def __post_init__(self) -> None:
        for name, grade in (("credibility", self.credibility), ("relevance", self.relevance)):
            if grade not in GRADE_WEIGHT:
                raise ValueError(f"evidence {self.id!r}: {name} {grade!r} is not one of {GRADES}")

    @property
    def factor(self) -> float:
        """Credibility weight × relevance weight."""
        return GRADE_WEIGHT[self.credibility] * GRADE_WEIGHT[self.relevance]


@dataclass(frozen=True)
class Score:
    """PARC scores of one hypothesis."""

    hypothesis: str
    weighted: float
    """Σ credibility × relevance × rating weight; ≤ 0, closer to 0 = more likely."""
    unweighted: float
    """Σ rating weight (I = −1, II = −2) ignoring credibility and relevance."""
    inconsistent: int
    """Number of cells rated I or II."""


@dataclass(frozen=True)
class Matrix:
    """Open Synthesis metrics of a multi-analyst matrix, plus PARC scores of its consensus."""

    hypotheses: tuple[str, ...]
    evidence: tuple[str, ...]
    means: dict[Cell, float | None]
    """Mean 1–5 vote per cell (N/A as 3); None when nobody rated the cell."""
    disagreement: dict[Cell, float | None]
    """See :func:`cell_disagreement`; None with fewer than two votes."""
    consensus: dict[Cell, str | None]
    """See :func:`consensus_rating`; None when nobody rated the cell."""
    inconsistency: dict[str, float]
    """Per hypothesis: Σ over its cells with mean m < 3 of (3 − m)²."""
    diagnosticity: dict[str, float]
    """Per evidence item: population standard deviation of its cell means across hypotheses."""
    parc: dict[str, Score]
    """PARC scores computed from the consensus ratings."""


def _check_rating(rating: str, cell: Cell) -> None:
    if rating not in RATING_WEIGHT:
        raise ValueError(f"cell {cell!r}: rating {rating!r} is not one of {RATINGS}")


def _check_ids(hypotheses: Sequence[str], evidence: Sequence[Evidence]) -> None:
    if len(set(hypotheses)) != len(hypotheses):
        raise ValueError(f"duplicate hypothesis ids in {list(hypotheses)!r}")
    ids = [e.id for e in evidence]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate evidence ids in {ids!r}")


def _check_cells(cells: Iterable[Cell], hypotheses: Sequence[str], evidence: Sequence[str]) -> None:
    known_h, known_e = set(hypotheses), set(evidence)
    for cell in cells:
        if cell[0] not in known_e or cell[1] not in known_h:
            raise ValueError(f"cell {cell!r} names an unknown evidence item or hypothesis")


def parc_scores(
    hypotheses: Sequence[str], evidence: Sequence[Evidence], ratings: Mapping[Cell, str]
) -> dict[str, Score]:
    """PARC ACH 2.0 weighted inconsistency of each hypothesis, in ``hypotheses`` order.

    ``ratings`` maps ``(evidence_id, hypothesis_id)`` to a rating; a missing cell is unrated and
    contributes nothing, like a blank cell in the PARC tool.
    """
    _check_ids(hypotheses, evidence)
    _check_cells(ratings, hypotheses, [e.id for e in evidence])
    out: dict[str, Score] = {}
    for h in hypotheses:
        weighted = unweighted = 0.0
        count = 0
        for e in evidence:
            rating = ratings.get((e.id, h))
            if rating is None:
                continue
            _check_rating(rating, (e.id, h))
            weighted += e.factor * RATING_WEIGHT[rating]
            unweighted += RATING_WEIGHT[rating]
            count += 1 if RATING_WEIGHT[rating] < 0 else 0
        out[h] = Score(h, weighted, unweighted, count)
    return out


def rank_hypotheses(scores: Mapping[str, Score]) -> list[Score]:
    """Scores least inconsistent first: by weighted score, then unweighted, then input order."""
    return sorted(scores.values(), key=lambda s: (-s.weighted, -s.unweighted))


def cell_mean(votes: Sequence[str]) -> float | None:
    """Mean of the votes on the 1–5 scale with N/A counted as neutral (3); None if no votes."""
    if not votes:
        return None
    for vote in votes:
        if vote not in RATINGS:
            raise ValueError(f"{vote!r} is not an ACH rating ({', '.join(RATINGS)})")
    return statistics.fmean(SCALE.get(v, NEUTRAL) for v in votes)


def cell_disagreement(votes: Sequence[str]) -> float | None:
    """How much the analysts who rated one cell disagree; None with fewer than two votes.

    Open Synthesis's definition (openach ``calc_disagreement``): the larger of

    * the *sample* standard deviation of the non-N/A votes on the 1–5 scale (0 if fewer than
      two), and
    * the *sample* standard deviation of the indicator "rated, not N/A" (1 for a rating, 0 for
      N/A), which measures an N/A versus non-N/A split and is 0 when nobody or everybody said N/A.

    Our reading differs from openach in one place: openach returns 0.0 for a single vote, we
    return None, because one analyst cannot disagree with anyone. The indicator is left on its
    0/1 scale as openach does (a 1–1 split scores √½ ≈ 0.707, the same as votes one step apart).
    """
    if len(votes) < 2:
        return None
    rated = [SCALE[v] for v in votes if v != "NA"]
    split = statistics.stdev([0] * (len(votes) - len(rated)) + [1] * len(rated))
    spread = statistics.stdev(rated) if len(rated) > 1 else 0.0
    return max(split, spread)


def consensus_rating(votes: Sequence[str]) -> str | None:
    """The rating nearest the cell mean; None if no votes.

    Ties (a mean exactly half-way between two ratings) go toward neutral, as Open Synthesis
    rounds conservatively. When more than half the votes are N/A the consensus is "NA".
    """
    mean = cell_mean(votes)
    if mean is None:
        return None
    if 2 * sum(v == "NA" for v in votes) > len(votes):
        return "NA"
    value = min(_BY_VALUE, key=lambda v: (abs(v - mean), abs(v - NEUTRAL)))
    return _BY_VALUE[value]


def inconsistency(means: Iterable[float | None]) -> float:
    """Open Synthesis inconsistency of a hypothesis from its cell means: Σ (3 − m)² for m < 3."""
    return math.fsum((NEUTRAL - m) ** 2 for m in means if m is not None and m < NEUTRAL)


def diagnosticity(means: Iterable[float | None]) -> float:
    """Open Synthesis diagnosticity of an evidence item: population std of its cell means."""
    rated = [m for m in means if m is not None]
    return statistics.pstdev(rated) if rated else 0.0


def _cell_votes(votes: Mapping[str, Mapping[Cell, str]], cell: Cell) -> list[str]:
    """The votes on one cell, in analyst-name order (so results do not depend on dict order)."""
    out = [votes[a][cell] for a in sorted(votes) if cell in votes[a]]
    for rating in out:
        _check_rating(rating, cell)
    return out


def analyse(
    hypotheses: Sequence[str],
    evidence: Sequence[Evidence],
    votes: Mapping[str, Mapping[Cell, str]],
) -> Matrix:
    """Open Synthesis metrics and consensus PARC scores of a multi-analyst matrix.

    ``votes`` maps analyst -> ``(evidence_id, hypothesis_id)`` -> rating; an analyst may leave
    cells unrated.
    """
    _check_ids(hypotheses, evidence)
    ids = tuple(e.id for e in evidence)
    for ballot in votes.values():
        _check_cells(ballot, hypotheses, ids)
    cells = [(e, h) for e in ids for h in hypotheses]
    by_cell = {cell: _cell_votes(votes, cell) for cell in cells}
    means = {cell: cell_mean(v) for cell, v in by_cell.items()}
    consensus = {cell: consensus_rating(v) for cell, v in by_cell.items()}
    rated = {cell: r for cell, r in consensus.items() if r is not None}
    return Matrix(
        hypotheses=tuple(hypotheses),
        evidence=ids,
        means=means,
        disagreement={cell: cell_disagreement(v) for cell, v in by_cell.items()},
        consensus=consensus,
        inconsistency={h: inconsistency(means[(e, h)] for e in ids) for h in hypotheses},
        diagnosticity={e: diagnosticity(means[(e, h)] for h in hypotheses) for e in ids},
        parc=parc_scores(hypotheses, evidence, rated),
    )
