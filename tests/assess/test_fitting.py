"""Fitting the update on resolved questions: replays, the grid search and leave one out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tocsin.assess.bayes import Update
from tocsin.assess.evidence import EvidenceRow
from tocsin.assess.fitting import Params, Replay, fit, grid, leave_one_out

DAY = date(2023, 3, 1)


def _row(n: int, when: date, likelihoods: dict[str, float]) -> EvidenceRow:
    return EvidenceRow(
        id=f"L{n}", kind="link", text="t", when=when, indicator="i", polarity="seen",
        status="reported", source=None, reliability="A", credibility=1, score=1.0,
        weight=1.0, reason="", source_key=f"i|outlet:o{n}", likelihoods=likelihoods,
    )  # fmt: skip


def _replay(qid: str, outcome: str, towards: str, n: int = 8) -> Replay:
    """A question whose evidence, day after day, points to ``towards``."""
    strong = {"H1": 0.9, "H2": 0.1} if towards == "H1" else {"H1": 0.1, "H2": 0.9}
    rows = tuple(_row(k, DAY + timedelta(days=2 * k), strong) for k in range(n))
    dates = tuple(r.when for r in rows if r.when is not None)
    return Replay(qid, {"H1": 0.5, "H2": 0.5}, outcome, dates, rows)


PLAIN = Params(Update(), -1)
CAUTIOUS = Params(Update(temper=0.3, prior_mix=0.15), -1)


def test_misleading_evidence_is_fitted_with_caution_and_right_evidence_without() -> None:
    right = [_replay(f"r{k}", "H1", "H1") for k in range(3)]
    wrong = [_replay(f"w{k}", "H2", "H1") for k in range(3)]
    assert fit(right, [PLAIN, CAUTIOUS]) == PLAIN
    assert fit(wrong, [PLAIN, CAUTIOUS]) == CAUTIOUS
    assert wrong[0].mean_brier(CAUTIOUS) < wrong[0].mean_brier(PLAIN)
    assert right[0].mean_brier(PLAIN) < right[0].mean_brier(CAUTIOUS)


def test_leave_one_out_never_fits_a_question_on_itself() -> None:
    right = [_replay(f"r{k}", "H1", "H1") for k in range(3)]
    odd = _replay("odd", "H2", "H1")
    held = {h.qid: h for h in leave_one_out([*right, odd], [PLAIN, CAUTIOUS])}
    # Fitted on the three questions where evidence told the truth: the plain update, which
    # then does badly on the one where it lied.
    assert held["odd"].params == PLAIN
    assert held["odd"].mean_brier == pytest.approx(odd.mean_brier(PLAIN))
    assert set(held) == {"r0", "r1", "r2", "odd"}


def test_the_grid_and_the_replay_forecasts() -> None:
    options = grid()
    assert PLAIN.update in {p.update for p in options}
    assert len(options) == len(set(options))
    replay = _replay("q", "H1", "H1", n=3)
    found = replay.forecasts(PLAIN)
    assert len(found) == 3
    assert found[0]["H1"] < found[1]["H1"] < found[2]["H1"]
    with pytest.raises(ValueError, match="nothing to fit"):
        fit([])


def test_the_fast_table_agrees_with_replaying_each_candidate() -> None:
    from tocsin.assess.fitting import score_table

    replays = [_replay("r", "H1", "H1", n=5), _replay("w", "H2", "H1", n=5)]
    options = [PLAIN, CAUTIOUS, Params(Update(temper=0.5, confirm=0.5), 3)]
    table = score_table(replays, options)
    for r in replays:
        for p in options:
            assert table[(r.qid, p)] == pytest.approx(r.mean_brier(p))


def test_the_fast_table_agrees_when_developments_age() -> None:
    from tocsin.assess.fitting import score_table

    replays = [_replay("r", "H1", "H1", n=6), _replay("w", "H2", "H1", n=6)]
    options = [
        Params(Update(supersede=0.0, half_life=30.0), 3),
        Params(Update(temper=0.6, supersede=0.5, half_life=90.0, confirm=0.25), 14),
    ]
    table = score_table(replays, options)
    for r in replays:
        for p in options:
            assert table[(r.qid, p)] == pytest.approx(r.mean_brier(p))
