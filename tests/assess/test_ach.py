"""ACH scoring on hand-made matrices whose figures are worked out in the comments."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from tocsin.assess.ach import (
    Evidence,
    Matrix,
    analyse,
    cell_disagreement,
    cell_mean,
    consensus_rating,
    diagnosticity,
    inconsistency,
    parc_scores,
    rank_hypotheses,
)

R2 = math.sqrt(2.0)

# 3 evidence × 2 hypotheses, mixed credibility/relevance.
#            cred    rel     A    B
#   E1       high    medium  II   C
#   E2       low     high    I    I
#   E3       medium  low     NA   II
PARC_EVIDENCE = [
    Evidence("E1", credibility="high", relevance="medium"),
    Evidence("E2", credibility="low", relevance="high"),
    Evidence("E3", credibility="medium", relevance="low"),
]
PARC_RATINGS = {
    ("E1", "A"): "II",
    ("E1", "B"): "C",
    ("E2", "A"): "I",
    ("E2", "B"): "I",
    ("E3", "A"): "NA",
    ("E3", "B"): "II",
}


def test_parc_weighted_inconsistency_by_hand() -> None:
    scores = parc_scores(["A", "B"], PARC_EVIDENCE, PARC_RATINGS)
    # A = (−2)·√2·1 + (−1)·(1/√2)·√2 + 0 = −2√2 − 1 ≈ −3.828
    assert scores["A"].weighted == pytest.approx(-2 * R2 - 1)
    # B = 0 + (−1)·(1/√2)·√2 + (−2)·1·(1/√2) = −1 − √2 ≈ −2.414
    assert scores["B"].weighted == pytest.approx(-1 - R2)
    # Unweighted both −3 (II + I, and I + II), two inconsistent cells each.
    assert (scores["A"].unweighted, scores["A"].inconsistent) == (-3.0, 2)
    assert (scores["B"].unweighted, scores["B"].inconsistent) == (-3.0, 2)


def test_ranking_puts_least_inconsistent_first() -> None:
    ranked = rank_hypotheses(parc_scores(["A", "B"], PARC_EVIDENCE, PARC_RATINGS))
    # Same plain count; the weights separate them: B (−2.414) before A (−3.828).
    assert [s.hypothesis for s in ranked] == ["B", "A"]


def test_ranking_ties_break_on_unweighted_then_input_order() -> None:
    ev = [Evidence("E1")]
    scores = parc_scores(["X", "Y", "Z"], ev, {("E1", "X"): "I", ("E1", "Y"): "C"})
    # Y and Z both 0 (Z unrated): input order; X is −1.
    assert [s.hypothesis for s in rank_hypotheses(scores)] == ["Y", "Z", "X"]


def test_consistent_ratings_weigh_nothing_and_missing_cells_are_blank() -> None:
    ev = [Evidence("E1", "high", "high"), Evidence("E2", "low", "low")]
    scores = parc_scores(["H"], ev, {("E1", "H"): "CC", ("E2", "H"): "N"})
    assert scores["H"].weighted == 0.0
    assert scores["H"].inconsistent == 0
    assert parc_scores(["H"], ev, {})["H"].weighted == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Evidence("E1", credibility="very high"), "credibility"),
        (lambda: Evidence("E1", relevance="none"), "relevance"),
        (lambda: parc_scores(["H"], [Evidence("E1")], {("E1", "H"): "X"}), "rating"),
        (lambda: parc_scores(["H"], [Evidence("E1")], {("E9", "H"): "I"}), "unknown"),
        (lambda: parc_scores(["H", "H"], [Evidence("E1")], {}), "duplicate hypothesis"),
        (lambda: parc_scores(["H"], [Evidence("E1"), Evidence("E1")], {}), "duplicate evidence"),
    ],
)
def test_bad_input_is_a_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# Open Synthesis: 2 analysts × 2 evidence × 3 hypotheses.
#                 H1        H2        H3
#   E1   alice    CC (5)    I  (2)    II (1)
#        bob      I  (2)    II (1)    NA (3)
#   E2   alice    C  (4)    NA (3)    I  (2)
#        bob      N  (3)    I  (2)    II (1)
# Cell means (NA as 3):
#   E1: 3.5, 1.5, 2.0      E2: 3.5, 2.5, 1.5
VOTES = {
    "alice": {
        ("E1", "H1"): "CC",
        ("E1", "H2"): "I",
        ("E1", "H3"): "II",
        ("E2", "H1"): "C",
        ("E2", "H2"): "NA",
        ("E2", "H3"): "I",
    },
    "bob": {
        ("E1", "H1"): "I",
        ("E1", "H2"): "II",
        ("E1", "H3"): "NA",
        ("E2", "H1"): "N",
        ("E2", "H2"): "I",
        ("E2", "H3"): "II",
    },
}
OS_EVIDENCE = [Evidence("E1", "high", "high"), Evidence("E2", "low", "medium")]


@pytest.fixture
def matrix() -> Matrix:
    return analyse(["H1", "H2", "H3"], OS_EVIDENCE, VOTES)


def test_cell_means_count_na_as_neutral(matrix: Matrix) -> None:
    assert matrix.means[("E1", "H1")] == 3.5
    assert matrix.means[("E1", "H3")] == 2.0  # (II=1 + NA=3) / 2
    assert matrix.means[("E2", "H2")] == 2.5  # (NA=3 + I=2) / 2
    assert matrix.hypotheses == ("H1", "H2", "H3")
    assert matrix.evidence == ("E1", "E2")


def test_inconsistency_by_hand(matrix: Matrix) -> None:
    # H1: means 3.5, 3.5 → nothing below 3 → 0
    # H2: (3 − 1.5)² + (3 − 2.5)² = 2.25 + 0.25 = 2.5
    # H3: (3 − 2.0)² + (3 − 1.5)² = 1 + 2.25 = 3.25
    assert matrix.inconsistency == pytest.approx({"H1": 0.0, "H2": 2.5, "H3": 3.25})


def test_diagnosticity_is_population_std(matrix: Matrix) -> None:
    # E1: 3.5, 1.5, 2.0; mean 7/3; deviations 7/6, −5/6, −2/6; Σ² = 78/36 = 13/6;
    #     /3 = 13/18 → √(13/18) ≈ 0.8498
    # E2: 3.5, 2.5, 1.5; mean 2.5; deviations 1, 0, −1 → √(2/3) ≈ 0.8165
    assert matrix.diagnosticity["E1"] == pytest.approx(math.sqrt(13 / 18))
    assert matrix.diagnosticity["E2"] == pytest.approx(math.sqrt(2 / 3))


def test_disagreement_by_hand(matrix: Matrix) -> None:
    d = matrix.disagreement
    # E1/H1: CC=5, I=2 → sample std = √(((5−3.5)² + (2−3.5)²)/1) = √4.5 ≈ 2.121
    assert d[("E1", "H1")] == pytest.approx(math.sqrt(4.5))
    # E1/H2: I=2, II=1 → √0.5
    assert d[("E1", "H2")] == pytest.approx(math.sqrt(0.5))
    # E1/H3: II and NA → one rated vote (spread 0); split indicator [1, 0] → std √0.5
    assert d[("E1", "H3")] == pytest.approx(math.sqrt(0.5))


def test_consensus_and_its_parc_scores(matrix: Matrix) -> None:
    c = matrix.consensus
    # 3.5 is half-way between N and C: ties go toward neutral.
    assert c[("E1", "H1")] == "N"
    assert c[("E1", "H2")] == "I"  # 1.5 → I (toward neutral)
    assert c[("E1", "H3")] == "I"  # 2.0
    assert c[("E2", "H2")] == "N"  # 2.5 → N
    assert c[("E2", "H3")] == "I"  # 1.5 → I
    # E1 high×high = 2, E2 low×medium = 1/√2.
    # H1: 0;  H2: E1 I → −2;  H3: E1 I + E2 I → −2 − 1/√2 ≈ −2.707
    assert matrix.parc["H1"].weighted == 0.0
    assert matrix.parc["H2"].weighted == pytest.approx(-2.0)
    assert matrix.parc["H3"].weighted == pytest.approx(-2 - 1 / R2)
    assert [s.hypothesis for s in rank_hypotheses(matrix.parc)] == ["H1", "H2", "H3"]


def test_disagreement_edge_cases() -> None:
    # Our reading: fewer than two votes is not a disagreement (openach says 0.0 for one).
    assert cell_disagreement([]) is None
    assert cell_disagreement(["C"]) is None
    assert cell_disagreement(["NA"]) is None
    # Unanimity, including unanimous N/A, is 0.
    assert cell_disagreement(["C", "C"]) == 0.0
    assert cell_disagreement(["NA", "NA"]) == 0.0
    # Split of 2 N/A against 1 rated: indicator [0, 0, 1], mean 1/3,
    # sample var = (1/9 + 1/9 + 4/9)/2 = 1/3 → √(1/3) ≈ 0.577
    assert cell_disagreement(["NA", "NA", "I"]) == pytest.approx(math.sqrt(1 / 3))
    # With rated votes far apart the spread wins: II, CC, NA → spread √8 ≈ 2.83 > split 0.577
    assert cell_disagreement(["II", "CC", "NA"]) == pytest.approx(math.sqrt(8))
    # Extreme votes disagree more than mild ones.
    large, small = cell_disagreement(["II", "CC"]), cell_disagreement(["I", "C"])
    assert large is not None
    assert small is not None
    assert large > small


def test_helpers_on_empty_input() -> None:
    assert cell_mean([]) is None
    assert consensus_rating([]) is None
    assert consensus_rating(["NA", "NA", "C"]) == "NA"  # majority N/A
    assert consensus_rating(["NA", "C"]) == "N"  # not a majority; mean 3.5 ties → N
    assert inconsistency([]) == 0.0
    assert inconsistency([None, 4.0]) == 0.0
    assert diagnosticity([]) == 0.0
    assert diagnosticity([None, None]) == 0.0
    assert diagnosticity([2.0]) == 0.0


def test_unrated_cells_are_skipped() -> None:
    m = analyse(["H1", "H2"], [Evidence("E1")], {"alice": {("E1", "H1"): "II"}})
    assert m.means[("E1", "H2")] is None
    assert m.disagreement[("E1", "H1")] is None  # one vote
    assert m.consensus[("E1", "H2")] is None
    assert m.inconsistency == {"H1": 4.0, "H2": 0.0}  # (3 − 1)²
    assert m.diagnosticity["E1"] == 0.0  # one rated hypothesis
    assert m.parc["H1"].weighted == -2.0


def test_analyse_rejects_unknown_cells_and_ratings() -> None:
    with pytest.raises(ValueError, match="unknown"):
        analyse(["H1"], [Evidence("E1")], {"a": {("E1", "H9"): "C"}})
    with pytest.raises(ValueError, match="rating"):
        analyse(["H1"], [Evidence("E1")], {"a": {("E1", "H1"): "maybe"}})
