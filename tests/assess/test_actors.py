"""The expected-utility bargaining model: the published EU figures, invariants, CSV, CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.assess.actors import (
    VARIANTS,
    Actor,
    ActorRange,
    bin_probabilities,
    monte_carlo,
    read_actors_csv,
    simulate,
)
from tocsin.commands.actors import actors as actors_group
from tocsin.errors import InvalidInput

EU_CSV = Path(__file__).resolve().parents[1] / "data" / "actors_eu.csv"
BINS = {"H1": (7.0, 10.0), "H2": (3.0, 7.0), "H3": (0.0, 3.0)}


@pytest.fixture
def eu() -> list[Actor]:
    return read_actors_csv(EU_CSV)


def _ranges(n: int = 6) -> list[ActorRange]:
    return [ActorRange(f"a{i}", (0.05, 0.3), (0.0, 10.0), (0.2, 1.0)) for i in range(n)]


def _in_range(history: list, low: float, high: float) -> bool:
    return all(low <= p <= high for r in history for p in r.positions.values())


# ---- the published reconstruction


def test_eu_example_reproduces_published_means(eu: list[Actor]) -> None:
    history = simulate(eu, 1)
    assert history[0].mean == pytest.approx(7.389956, abs=5e-7)
    assert history[1].mean == pytest.approx(7.461314, abs=5e-7)


def test_eu_round_one_moves(eu: list[Actor]) -> None:
    moved = simulate(eu, 1)[1].positions
    assert moved["Luxembourg"] == 7.0  # nearest confrontation it loses (Belgium)
    assert moved["Ireland"] == 4.0  # loses a confrontation with Luxembourg
    assert moved["Belgium"] == pytest.approx(8.41593, abs=1e-5)  # compromise towards 10
    assert moved["UK"] == 10.0


def test_csv_reads_the_eu_example(eu: list[Actor]) -> None:
    assert len(eu) == 10
    assert eu[0] == Actor("Netherlands", 0.08, 4.0, 0.8)
    assert eu[-1] == Actor("Greece", 0.08, 7.0, 0.7)


# ---- invariants


@pytest.mark.parametrize("variant", VARIANTS)
def test_eu_positions_stay_in_initial_range(eu: list[Actor], variant: str) -> None:
    history = simulate(eu, 20, variant=variant)
    assert len(history) == 21
    assert [r.number for r in history] == list(range(21))
    assert _in_range(history, 4.0, 10.0)


actor_lists = st.lists(
    st.tuples(
        st.floats(0.01, 1.0),
        st.floats(-50.0, 50.0),
        st.floats(0.0, 1.0),
    ),
    min_size=2,
    max_size=8,
)


@settings(max_examples=50, deadline=None)
@given(rows=actor_lists, variant=st.sampled_from(VARIANTS))
def test_random_actors_stay_in_range(rows: list[tuple[float, float, float]], variant: str) -> None:
    cast = [Actor(f"a{i}", c, x, max(s, 0.01)) for i, (c, x, s) in enumerate(rows)]
    history = simulate(cast, 20, variant=variant)
    low = min(a.position for a in cast)
    high = max(a.position for a in cast)
    assert _in_range(history, low, high)
    for r in history:
        assert low <= r.mean <= high
        assert r.median in r.positions.values()


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_shared_position_moves_nothing(variant: str) -> None:
    cast = [Actor(f"a{i}", 0.1 * (i + 1), 5.0, 0.5) for i in range(4)]
    history = simulate(cast, 5, variant=variant)  # filterwarnings=error: no 0/0
    for r in history:
        assert set(r.positions.values()) == {5.0}
        assert r.mean == 5.0
        assert r.median == 5.0


def test_simulate_is_deterministic(eu: list[Actor]) -> None:
    assert simulate(eu, 10) == simulate(eu, 10)
    assert simulate(eu, 10, variant="corrected") == simulate(eu, 10, variant="corrected")


@pytest.mark.parametrize("variant", VARIANTS)
def test_median_is_an_actor_position(eu: list[Actor], variant: str) -> None:
    for r in simulate(eu, 10, variant=variant):
        assert r.median in r.positions.values()


def test_median_is_the_weighted_median(eu: list[Actor]) -> None:
    # Weight at 4: .247, at 7: .062, at 8.416: .032, at 10: .336 of .677 after round 1.
    first = simulate(eu, 1)[1]
    assert simulate(eu, 0)[0].median == 7.0
    assert first.median == first.positions["Belgium"]


def test_corrected_differs_from_scholz(eu: list[Actor]) -> None:
    scholz = [r.mean for r in simulate(eu, 10)]
    corrected = [r.mean for r in simulate(eu, 10, variant="corrected")]
    assert scholz[0] == corrected[0]
    assert scholz[1:] != pytest.approx(corrected[1:], abs=1e-6)


def _mirrored(cast: list[Actor]) -> list[Actor]:
    return [replace(a, position=-a.position) for a in cast]


def test_corrected_does_not_care_which_end_is_low(eu: list[Actor]) -> None:
    rng = np.random.default_rng(3)
    casts = [eu] + [
        [Actor(f"a{i}", *rng.uniform([0.05, 0, 0.1], [1, 10, 1])) for i in range(7)]
        for _ in range(10)
    ]
    for cast in casts:
        means = [r.mean for r in simulate(cast, 10, variant="corrected")]
        flipped = [-r.mean for r in simulate(_mirrored(cast), 10, variant="corrected")]
        assert flipped == pytest.approx(means, abs=1e-9)


def test_scholz_quirk_lowest_compromise_depends_on_direction(eu: list[Actor]) -> None:
    means = [r.mean for r in simulate(eu, 10)]
    flipped = [-r.mean for r in simulate(_mirrored(eu), 10)]
    assert flipped[:4] == pytest.approx(means[:4], abs=1e-9)  # no such choice before round 4
    assert flipped != pytest.approx(means, abs=1e-3)


def test_unknown_variant_and_bad_actors_raise(eu: list[Actor]) -> None:
    with pytest.raises(InvalidInput, match="unknown variant"):
        simulate(eu, 1, variant="nope")
    with pytest.raises(InvalidInput, match="salience"):
        simulate([Actor("a", 1, 0, 1.5), Actor("b", 1, 1, 0.5)], 1)
    with pytest.raises(InvalidInput, match="zero"):
        simulate([Actor("a", 0, 0, 1), Actor("b", 1, 1, 0)], 1)
    with pytest.raises(InvalidInput, match="unique"):
        simulate([Actor("a", 1, 0, 1), Actor("a", 1, 1, 1)], 1)


# ---- Monte Carlo


def test_monte_carlo_is_seeded() -> None:
    first = monte_carlo(_ranges(), samples=200, rounds=5, seed=7)
    again = monte_carlo(_ranges(), samples=200, rounds=5, seed=7)
    other = monte_carlo(_ranges(), samples=200, rounds=5, seed=8)
    assert first.shape == (200,)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert ((first >= 0.0) & (first <= 10.0)).all()


def test_monte_carlo_matches_simulate() -> None:
    ranges = _ranges(4)
    outcomes = monte_carlo(ranges, samples=3, rounds=4, seed=11, variant="corrected")
    rng = np.random.default_rng(11)
    c = rng.uniform([0.05] * 4, [0.3] * 4, size=(3, 4))
    x = rng.uniform([0.0] * 4, [10.0] * 4, size=(3, 4))
    s = rng.uniform([0.2] * 4, [1.0] * 4, size=(3, 4))
    for k in range(3):
        cast = [Actor(f"a{i}", c[k, i], x[k, i], s[k, i]) for i in range(4)]
        final = simulate(cast, 4, variant="corrected")[-1].mean
        assert outcomes[k] == pytest.approx(final, abs=1e-12)


def test_many_actors_run_in_smaller_batches_with_the_same_outcomes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tocsin.assess import actors as module

    ranges = _ranges(12)
    whole = monte_carlo(ranges, samples=40, rounds=2, seed=5)
    monkeypatch.setattr(module, "VOTE_BUDGET", 3 * 12**3)  # three samples at a time
    batches: list[int] = []
    real = module._run_batch

    def counted(c: np.ndarray, *args: object) -> np.ndarray:
        batches.append(len(c))
        return real(c, *args)

    monkeypatch.setattr(module, "_run_batch", counted)
    np.testing.assert_array_equal(monte_carlo(ranges, samples=40, rounds=2, seed=5), whole)
    assert batches == [3] * 13 + [1]


def test_fixed_ranges_give_the_simulated_outcome(eu: list[Actor]) -> None:
    ranges = [
        ActorRange(
            a.name,
            (a.capability, a.capability),
            (a.position, a.position),
            (a.salience, a.salience),
        )
        for a in eu
    ]
    outcomes = monte_carlo(ranges, samples=5, rounds=1)
    assert outcomes == pytest.approx([7.461314] * 5, abs=5e-7)


def test_bin_probabilities_sum_to_one() -> None:
    outcomes = monte_carlo(_ranges(), samples=300, rounds=3, seed=2)
    probs = bin_probabilities(outcomes, BINS)
    assert set(probs) == set(BINS)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in probs.values())


def test_bin_edges_are_half_open_except_the_top() -> None:
    probs = bin_probabilities(np.array([0.0, 3.0, 7.0, 10.0]), BINS)
    assert probs == {"H1": 0.5, "H2": 0.25, "H3": 0.25}


def test_bin_errors() -> None:
    with pytest.raises(InvalidInput, match="overlap"):
        bin_probabilities(np.array([1.0]), {"a": (0, 5), "b": (4, 10)})
    with pytest.raises(InvalidInput, match="no bin"):
        bin_probabilities(np.array([11.0]), BINS)


# ---- CSV


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actors.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_header_is_case_insensitive_and_any_order(tmp_path: Path) -> None:
    path = _csv(tmp_path, "salience,POSITION,actor,capability,note\n0.5,3,A,1,x\n1,4,B,2,y\n")
    assert read_actors_csv(path) == [Actor("A", 1.0, 3.0, 0.5), Actor("B", 2.0, 4.0, 1.0)]


def test_csv_missing_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Actor,Capability,Position\nA,1,2\nB,1,3\n")
    with pytest.raises(InvalidInput, match=r"missing column.*Salience"):
        read_actors_csv(path)


def test_csv_bad_number_names_row_and_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Actor,Capability,Position,Salience\nA,1,2,0.5\nB,lots,3,0.5\n")
    with pytest.raises(InvalidInput, match=r"row 3, column Capability: 'lots'"):
        read_actors_csv(path)


def test_csv_needs_two_actors(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Actor,Capability,Position,Salience\nA,1,2,0.5\n")
    with pytest.raises(InvalidInput, match="at least 2 actors, found 1"):
        read_actors_csv(path)


def test_csv_empty_and_other_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        read_actors_csv(_csv(tmp_path, ""))
    head = "Actor,Capability,Position,Salience\n"
    with pytest.raises(InvalidInput, match="row 2, column Salience: no value"):
        read_actors_csv(_csv(tmp_path, head + "A,1,2\nB,1,2,1\n"))
    with pytest.raises(InvalidInput, match=r"row 3: .*salience 2\.0"):
        read_actors_csv(_csv(tmp_path, head + "A,1,2,1\nB,1,2,2\n"))
    with pytest.raises(InvalidInput, match="row 3: actor 'A' appears twice"):
        read_actors_csv(_csv(tmp_path, head + "A,1,2,1\nA,1,3,1\n"))
    with pytest.raises(InvalidInput, match="not a finite number"):
        read_actors_csv(_csv(tmp_path, head + "A,nan,2,1\nB,1,3,1\n"))


# ---- CLI


def test_cli_json_shape() -> None:
    result = CliRunner().invoke(actors_group, ["simulate", str(EU_CSV), "--rounds", "3", "--json"])
    assert result.exit_code == 0, result.output
    rounds = json.loads(result.output)
    assert [r["round"] for r in rounds] == [0, 1, 2, 3]
    assert all(set(r) == {"round", "mean", "median", "positions"} for r in rounds)
    assert len(rounds[0]["positions"]) == 10
    assert rounds[1]["mean"] == pytest.approx(7.461314, abs=5e-7)


def test_cli_json_corrected_variant() -> None:
    args = ["simulate", str(EU_CSV), "--rounds", "1", "--variant", "corrected", "--json"]
    result = CliRunner().invoke(actors_group, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[1]["mean"] == pytest.approx(
        simulate(read_actors_csv(EU_CSV), 1, variant="corrected")[1].mean
    )


def test_cli_table() -> None:
    result = CliRunner().invoke(actors_group, ["simulate", str(EU_CSV), "--rounds", "1"])
    assert result.exit_code == 0, result.output
    for text in ("Netherlands", "Luxembourg", "Greece", "7.389956", "7.461314", "8.416"):
        assert text in result.output
    assert "scholz" in result.output


def test_cli_bad_csv_is_invalid_input_in_one_line(tmp_path: Path) -> None:
    from tocsin.cli import main

    path = _csv(tmp_path, "Actor,Capability,Position\nA,1,2\nB,1,3\n")
    result = CliRunner().invoke(main, ["actors", "simulate", str(path)])
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "missing column" in result.stderr
    assert "Traceback" not in result.output


def test_the_command_offers_exactly_the_models_variants() -> None:
    from tocsin.assess.actors import VARIANTS
    from tocsin.commands import actors as command

    assert command.VARIANTS == VARIANTS
