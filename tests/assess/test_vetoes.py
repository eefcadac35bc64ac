"""Veto players: an outcome that needs an actor's consent happens in a Monte Carlo draw only
if that actor ends inside (or within the tolerance of) the outcome's range; otherwise the
draw counts as the status quo. Case files declare them and `case check` names the faults."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.assess import actors
from tocsin.assess.actors import Veto, apply_vetoes, consents
from tocsin.assess.case import parse_case
from tocsin.assess.case_actors import status_quo
from tocsin.assess.score import actor_model
from tocsin.errors import InvalidInput

BINS = {"H2": (0.0, 6.0), "H1": (6.0, 10.0)}


def test_a_draw_is_blocked_when_the_veto_player_ends_outside_the_range() -> None:
    # Three draws, two actors; actor 1 must consent to H1.
    labels = ["H1", "H1", "H2"]
    positions = np.array([[9.0, 2.0], [9.0, 7.5], [1.0, 2.0]])
    found = apply_vetoes(labels, positions, BINS, [Veto(1, frozenset({"H1"}))], "H2")
    assert found.labels == ["H2", "H1", "H2"]  # blocked; consented; needed no consent
    assert found.blocked == {1: 1}
    assert found.blocked_draws == 1


def test_the_tolerance_lets_a_near_veto_player_consent() -> None:
    labels = ["H1"]
    positions = np.array([[9.0, 5.5]])
    veto = [Veto(1, frozenset({"H1"}))]
    assert apply_vetoes(labels, positions, BINS, veto, "H2").labels == ["H2"]
    kept = apply_vetoes(labels, positions, BINS, veto, "H2", tolerance=0.5)
    assert kept.labels == ["H1"]
    assert kept.blocked == {1: 0}
    assert consents(6.0, (6.0, 10.0))
    assert consents(10.25, (6.0, 10.0), 0.25)
    assert not consents(10.26, (6.0, 10.0), 0.25)


def test_each_veto_player_is_counted_and_a_draw_once() -> None:
    labels = ["H1", "H1", "H1"]
    positions = np.array([[1.0, 1.0, 9.0], [1.0, 8.0, 9.0], [7.0, 8.0, 9.0]])
    vetoes = [Veto(0, frozenset({"H1"})), Veto(1, frozenset({"H1"}))]
    found = apply_vetoes(labels, positions, BINS, vetoes, "H2")
    assert found.labels == ["H2", "H2", "H1"]
    assert found.blocked == {0: 2, 1: 1}
    assert found.blocked_draws == 2


def test_bad_veto_inputs_are_refused() -> None:
    with pytest.raises(InvalidInput, match="tolerance"):
        apply_vetoes(["H1"], np.array([[1.0]]), BINS, [], "H2", tolerance=-1)
    with pytest.raises(InvalidInput, match="no actor 3"):
        apply_vetoes(["H1"], np.array([[1.0]]), BINS, [Veto(3, frozenset({"H1"}))], "H2")
    with pytest.raises(InvalidInput, match="one row"):
        apply_vetoes(["H1", "H2"], np.array([[1.0]]), BINS, [], "H2")


def test_the_draws_keep_the_means_of_the_plain_monte_carlo() -> None:
    ranges = [
        actors.ActorRange("a", (0.2, 0.4), (0.0, 3.0), (0.5, 0.9)),
        actors.ActorRange("b", (0.3, 0.5), (6.0, 9.0), (0.5, 0.8)),
        actors.ActorRange("c", (0.1, 0.2), (4.0, 6.0), (0.4, 0.6)),
    ]
    draws = actors.monte_carlo_draws(ranges, samples=300, rounds=5, seed=7)
    means = actors.monte_carlo(ranges, samples=300, rounds=5, seed=7)
    assert np.array_equal(draws.means, means)
    assert draws.positions.shape == (300, 3)
    assert actors.bin_probabilities(means, BINS) == actors.shares(
        actors.bin_labels(means, BINS), BINS
    )


CASE = """\
id: ratify
question: Will the treaty be ratified?
resolution: {criteria: ratified, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: ratified}
  - {id: H2, title: not ratified}
actor_model:
  issue: the treaty
  outcomes: {H2: [0, 6], H1: [6, 10]}
  samples: 400
actors:
  - {id: govt, name: Government, position: [8, 10], salience: [0.8, 1], capability: [0.6, 0.8]}
  - {id: allies, name: Allies, position: [7, 10], salience: [0.5, 0.8], capability: [0.3, 0.5]}
  - id: parliament
    name: Parliament
    position: [0, 1]
    salience: [0.9, 1]
    capability: [0.05, 0.1]
"""


def test_a_veto_player_blocks_the_outcome_it_will_not_consent_to() -> None:
    plain = actor_model(parse_case(CASE))
    assert plain.probabilities["H1"] > 0.9  # the weighty actors carry the mean into H1
    assert plain.blocked == {}
    assert plain.status_quo is None
    vetoed = actor_model(parse_case(CASE + "    veto: [H1]\n"))
    # Parliament sits at the far end and never reaches H1's range: every H1 draw is blocked
    # and counts as the status quo, H2, the one hypothesis nobody has a veto on.
    assert vetoed.status_quo == "H2"
    assert vetoed.probabilities == {"H1": 0.0, "H2": 1.0}
    assert vetoed.blocked == {"parliament": round(plain.probabilities["H1"] * 400)}
    assert vetoed.blocked_draws == vetoed.blocked["parliament"]
    assert vetoed.outcomes == plain.outcomes  # the bargaining itself is unchanged
    # A tolerance wide enough to reach H1's range from Parliament's end: nothing blocked.
    wide = CASE.replace("  samples: 400\n", "  samples: 400\n  veto_tolerance: 6\n")
    tolerant = actor_model(parse_case(wide + "    veto: [H1]\n"))
    assert tolerant.probabilities == plain.probabilities
    assert tolerant.blocked == {"parliament": 0}


def _faults(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_case(text)
    return str(caught.value)


def test_a_veto_on_an_unknown_hypothesis_is_named() -> None:
    message = _faults(CASE + "    veto: [H1, H7]\n")
    assert "actors[2].veto" in message
    assert "H7 not among the hypotheses (H1, H2)" in message


def test_a_veto_needs_an_actor_model_and_an_outcome_range() -> None:
    no_model = CASE.replace(
        "actor_model:\n  issue: the treaty\n  outcomes: {H2: [0, 6], H1: [6, 10]}\n"
        "  samples: 400\n",
        "",
    )
    assert "a veto needs an actor_model" in _faults(no_model + "    veto: [H1]\n")
    three = CASE.replace(
        "  - {id: H2, title: not ratified}\n",
        "  - {id: H2, title: not ratified}\n  - {id: H3, title: withdrawn}\n",
    )
    message = _faults(three + "    veto: [H3]\n")
    assert "actors[2].veto" in message
    assert "H3 has no outcome range in actor_model.outcomes" in message


def test_the_status_quo_must_be_clear_and_free_of_vetoes() -> None:
    three = CASE.replace(
        "  - {id: H2, title: not ratified}\n",
        "  - {id: H2, title: not ratified}\n  - {id: H3, title: delayed}\n",
    ).replace("{H2: [0, 6], H1: [6, 10]}", "{H2: [0, 3], H3: [3, 6], H1: [6, 10]}")
    message = _faults(three + "    veto: [H1]\n")
    assert "actor_model.status_quo" in message
    assert "H2, H3 need nobody's consent" in message
    chosen = three.replace("  samples: 400\n", "  samples: 400\n  status_quo: H3\n")
    assert status_quo(parse_case(chosen + "    veto: [H1]\n")) == "H3"
    message = _faults(chosen + "    veto: [H1, H3]\n")
    assert "'H3' is the status quo, which needs nobody's consent, but parliament has" in message
    every = _faults(CASE + "    veto: [H1, H2]\n")
    assert "every hypothesis needs a veto player's consent" in every
    unknown = _faults(CASE.replace("  samples: 400\n", "  samples: 400\n  status_quo: H9\n"))
    assert "actor_model.status_quo" in unknown
    assert "H9 not among the hypotheses" in unknown
    negative = _faults(CASE.replace("  samples: 400\n", "  samples: 400\n  veto_tolerance: -1\n"))
    assert "actor_model.veto_tolerance" in negative
