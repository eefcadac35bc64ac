"""Bayesian posterior: hand-checked updates, discounting, independence, time travel, sensitivity."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.assess import bayes
from tocsin.assess.bayes import (
    Item,
    effective_likelihoods,
    posterior,
    sensitivity,
    trajectory,
    trust,
)

PRIORS = {"a": 0.5, "b": 0.3, "c": 0.2}
L = {"a": 0.8, "b": 0.4, "c": 0.1}  # mean L̄ = 1.3 / 3 = 0.4333…
D1, D2, D3 = date(2022, 1, 10), date(2022, 1, 20), date(2022, 2, 1)


def item(
    id: str,
    likelihoods: Mapping[str, float] = L,
    *,
    key: str | None = None,
    grade: tuple[str, int] = ("A", 1),
    when: date | None = None,
    weight: float = 1.0,
) -> Item:
    return Item(
        id=id,
        when=when,
        source_key=key or id,
        reliability=grade[0],
        credibility=grade[1],
        likelihoods=likelihoods,
        weight=weight,
    )


@pytest.fixture
def perfect(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Admiralty grade is perfect (A/1 is 0.95 × 0.95): make A/1 exactly 1 for textbook cases."""
    monkeypatch.setattr(bayes, "RELIABILITY", {**bayes.RELIABILITY, "A": 1.0})
    monkeypatch.setattr(bayes, "CREDIBILITY", {**bayes.CREDIBILITY, 1: 1.0})


def approx(d: Mapping[str, float]) -> object:
    return pytest.approx(dict(d), abs=1e-12)


@pytest.mark.usefixtures("perfect")
def test_perfectly_reliable_item_is_the_textbook_update() -> None:
    # P(H)·P(E|H): 0.5·0.8 = 0.40, 0.3·0.4 = 0.12, 0.2·0.1 = 0.02; Σ = 0.54
    p = posterior(PRIORS, [item("x")])
    assert trust(item("x")) == 1.0
    assert p.probabilities == approx({"a": 0.40 / 0.54, "b": 0.12 / 0.54, "c": 0.02 / 0.54})
    assert p.leader == "a"
    assert p.ranking == ["a", "b", "c"]


def test_best_admiralty_grade_is_almost_but_not_fully_trusted() -> None:
    # t = 0.95 · 0.95 = 0.9025; L' = 0.9025·L + 0.0975·0.4333…
    #   a: 0.722 + 0.04225 = 0.76425, b: 0.361 + 0.04225 = 0.40325, c: 0.09025 + 0.04225 = 0.1325
    # × priors: 0.382125, 0.120975, 0.0265; Σ = 0.5296
    assert trust(item("x")) == pytest.approx(0.9025)
    p = posterior(PRIORS, [item("x")])
    expected = {"a": 0.382125 / 0.5296, "b": 0.120975 / 0.5296, "c": 0.0265 / 0.5296}
    assert p.probabilities == approx(expected)


def test_trust_zero_leaves_the_prior_unchanged() -> None:
    p = posterior({"a": 2.0, "b": 1.0, "c": 1.0}, [item("x", weight=0.0)])
    assert p.probabilities == approx({"a": 0.5, "b": 0.25, "c": 0.25})  # priors normalised


def test_unjudged_source_and_information_halve_the_information_twice() -> None:
    # F = 0.5 and 6 = 0.5: t = 0.25, so L' − L̄ is a quarter of L − L̄.
    x = item("x", grade=("F", 6))
    assert trust(x) == 0.25
    mean = 1.3 / 3
    eff = effective_likelihoods(x)
    for h in L:
        assert eff[h] - mean == pytest.approx(0.25 * (L[h] - mean))
    # L' = 0.2 + 0.325 = 0.525, 0.1 + 0.325 = 0.425, 0.025 + 0.325 = 0.35
    # × priors: 0.2625, 0.1275, 0.07; Σ = 0.46
    p = posterior(PRIORS, [x])
    assert p.probabilities == approx({"a": 0.2625 / 0.46, "b": 0.1275 / 0.46, "c": 0.07 / 0.46})
    # Either unjudged grade alone halves the trust the other grade would give.
    assert trust(item("y", grade=("F", 1))) == pytest.approx(0.5 * 0.95)
    assert trust(item("z", grade=("A", 6))) == pytest.approx(0.95 * 0.5)


@pytest.mark.usefixtures("perfect")
def test_same_source_counts_once_independent_sources_twice() -> None:
    single = posterior(PRIORS, [item("x")]).probabilities
    same = posterior(PRIORS, [item("x", key="wire"), item("y", key="wire")])
    assert same.probabilities == approx(single)
    assert same.groups == {"wire": ("x", "y")}
    # Independent: P ∝ P(H)·L²: 0.5·0.64 = 0.32, 0.3·0.16 = 0.048, 0.2·0.01 = 0.002; Σ = 0.37
    both = posterior(PRIORS, [item("x"), item("y")]).probabilities
    assert both == approx({"a": 0.32 / 0.37, "b": 0.048 / 0.37, "c": 0.002 / 0.37})
    assert both["a"] > single["a"]


@pytest.mark.usefixtures("perfect")
def test_a_group_is_the_geometric_mean_of_its_members() -> None:
    other = {"a": 0.2, "b": 0.4, "c": 0.4}
    p = posterior(PRIORS, [item("x", key="k"), item("y", other, key="k")])
    # Geometric means: a √(0.8·0.2) = 0.4, b √(0.4·0.4) = 0.4, c √(0.1·0.4) = 0.2
    # × priors: 0.2, 0.12, 0.04; Σ = 0.36
    assert p.probabilities == approx({"a": 0.2 / 0.36, "b": 0.12 / 0.36, "c": 0.04 / 0.36})
    # Contributions are centred logs: a − b = log(0.4 / 0.4) = 0, a − c = log 2.
    c = p.contributions["k"]
    assert c["a"] - c["b"] == pytest.approx(0.0)
    assert c["a"] - c["c"] == pytest.approx(math.log(2.0))
    assert sum(c.values()) == pytest.approx(0.0)


def test_as_of_excludes_later_items_and_keeps_undated() -> None:
    items = [item("early", when=D1), item("late", when=D3), item("undated")]
    p = posterior(PRIORS, items, as_of=D2)
    assert p.groups == {"early": ("early",), "undated": ("undated",)}
    assert p.as_of == D2
    expected = posterior(PRIORS, [item("early"), item("undated")]).probabilities
    assert p.probabilities == approx(expected)
    # Within one source group too: only the members published by then count.
    grouped = [item("x", key="k", when=D1), item("y", key="k", when=D3)]
    assert posterior(PRIORS, grouped, as_of=D2).groups == {"k": ("x",)}


def test_trajectory_is_monotone_for_supporting_evidence() -> None:
    items = [
        item("i3", when=D3, key="s3"),
        item("i1", when=D1, key="s1"),
        item("i2", when=D2, key="s2"),
        item("i2b", when=D2, key="s2"),  # same source, same day: one observation
    ]
    points = trajectory(PRIORS, items)
    assert [d for d, _ in points] == [D1, D2, D3]
    shares = [p["a"] for _, p in points]
    assert shares == sorted(shares)
    assert len(set(shares)) == 3  # strictly increasing
    assert points[-1][1] == posterior(PRIORS, items).probabilities
    assert trajectory(PRIORS, items, [D2])[0] == (D2, posterior(PRIORS, items, D2).probabilities)
    assert trajectory(PRIORS, [item("undated")]) == []


# Pivotal: priors favour a (0.6 / 0.4); one strong A/1 report for b (L a 0.1, b 0.9) flips it.
#   k1: t = 0.9025, L̄ = 0.5 → L' a 0.139, b 0.861
#   k2: C/3 t = 0.36, L̄ = 0.45 → L' a 0.468, b 0.432
#   all:     a 0.6·0.139·0.468 = 0.0390312, b 0.4·0.861·0.432 = 0.1487808 → P(b) = 0.792180
#   w/o k1:  a 0.2808, b 0.1728 → P(b) = 0.380952 → leader a: pivotal, delta = +0.411228
#   w/o k2:  a 0.0834, b 0.3444 → P(b) = 0.805049 → delta = −0.012869
PIVOTAL = [
    item("strong", {"a": 0.1, "b": 0.9}, key="k1"),
    item("weak", {"a": 0.5, "b": 0.4}, key="k2", grade=("C", 3)),
]


def test_sensitivity_flags_a_pivotal_group() -> None:
    s = sensitivity({"a": 0.6, "b": 0.4}, PIVOTAL)
    assert (s.leader, s.runner_up) == ("b", "a")
    assert s.base.probabilities["b"] == pytest.approx(0.1487808 / 0.187812)
    assert s.pivotal == ("k1",)
    k1, k2 = s.groups
    assert k1.without == approx({"a": 0.2808 / 0.4536, "b": 0.1728 / 0.4536})
    assert k1.delta == pytest.approx(0.1487808 / 0.187812 - 0.1728 / 0.4536)
    assert k2.delta == pytest.approx(0.1487808 / 0.187812 - 0.3444 / 0.4278)
    assert k1.log_odds == pytest.approx(math.log(0.861 / 0.139))
    # At E/5 (t = 0.04) the strong report no longer outweighs the prior; at A/1 it still leads.
    assert (k1.best_flips, k1.worst_flips) == (False, True)
    assert not k2.pivotal


def test_sensitivity_of_a_robust_case() -> None:
    support = {"a": 0.9, "b": 0.2}
    items = [item(f"i{n}", support) for n in range(3)]
    s = sensitivity({"a": 0.5, "b": 0.5}, items)
    assert s.leader == "a"
    assert s.pivotal == ()
    assert not any(g.best_flips or g.worst_flips for g in s.groups)
    assert all(g.delta > 0 and g.log_odds > 0 for g in s.groups)


def test_tornado_is_sorted_by_absolute_contribution() -> None:
    items = [
        item("mild", {"a": 0.6, "b": 0.5}),
        item("against", {"a": 0.3, "b": 0.7}),
        item("strong", {"a": 0.9, "b": 0.1}),
        item("noise", {"a": 0.5, "b": 0.5}),
    ]
    s = sensitivity({"a": 0.5, "b": 0.5}, items)
    assert s.leader == "a"
    sizes = [abs(g.delta) for g in s.tornado]
    assert sizes == sorted(sizes, reverse=True)
    assert [g.source_key for g in s.tornado] == ["strong", "against", "mild", "noise"]
    against = next(g for g in s.groups if g.source_key == "against")
    assert against.delta < 0
    # t = 0.9025, L̄ = 0.5: L' a 0.27075 + 0.04875 = 0.3195, b 0.63175 + 0.04875 = 0.6805
    assert against.log_odds == pytest.approx(math.log(0.3195 / 0.6805))
    assert [g.source_key for g in s.groups] == sorted(g.source_key for g in s.groups)


def test_sensitivity_respects_as_of_and_single_hypothesis() -> None:
    late = item("late", {"a": 0.99, "b": 0.01}, when=D3)
    assert sensitivity({"a": 0.6, "b": 0.4}, [*PIVOTAL, late]).leader == "a"
    s = sensitivity({"a": 0.6, "b": 0.4}, [*PIVOTAL, late], as_of=D2)
    assert s.leader == "b"
    assert [g.source_key for g in s.groups] == ["k1", "k2"]
    assert s.base.as_of == D2
    one = sensitivity({"only": 1.0}, [item("x", {"only": 0.5})])
    assert one.runner_up is None
    assert one.groups[0].log_odds == 0.0
    assert one.base.probabilities == {"only": 1.0}


@pytest.mark.parametrize(
    "priors",
    [{}, {"a": -0.1, "b": 0.3, "c": 0.2}, {"a": 0.0, "b": 0.0, "c": 0.0}, {"a": math.nan}],
)
def test_bad_priors_are_rejected(priors: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="priors"):
        posterior(priors, [])


def test_hypotheses_must_match() -> None:
    with pytest.raises(ValueError, match="likelihoods name"):
        posterior({"a": 0.5, "b": 0.5}, [item("x")])
    with pytest.raises(ValueError, match="duplicate"):
        posterior(PRIORS, [item("x"), item("x", key="other")])


@pytest.mark.parametrize("value", [0.0, -0.2, 1.01, math.nan, math.inf])
def test_likelihoods_outside_unit_interval_are_rejected(value: float) -> None:
    with pytest.raises(ValueError, match=r"not in \(0, 1\]"):
        item("x", {"a": value, "b": 0.5, "c": 0.5})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reliability": "G"}, "reliability"),
        ({"credibility": 7}, "credibility"),
        ({"credibility": True}, "credibility"),
        ({"weight": 1.5}, "weight"),
        ({"likelihoods": {}}, "no likelihoods"),
    ],
)
def test_bad_grades_are_rejected(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "id": "x",
        "when": None,
        "source_key": "s",
        "reliability": "A",
        "credibility": 1,
        "likelihoods": L,
    }
    with pytest.raises(ValueError, match=message):
        Item(**(fields | kwargs))  # type: ignore[arg-type]


def test_zero_prior_stays_zero() -> None:
    p = posterior({"a": 0.0, "b": 1.0}, [item("x", {"a": 1.0, "b": 0.01})])
    assert p.probabilities == {"a": 0.0, "b": 1.0}


HYPS = ("a", "b", "c")
likelihood = st.floats(min_value=1e-9, max_value=1.0)
items_strategy = st.lists(
    st.tuples(
        st.sampled_from(["s1", "s2", "s3", "s4"]),
        st.sampled_from(sorted(bayes.RELIABILITY)),
        st.sampled_from(sorted(bayes.CREDIBILITY)),
        st.tuples(likelihood, likelihood, likelihood),
        st.floats(min_value=0.0, max_value=1.0),
        st.none() | st.dates(date(2022, 1, 1), date(2022, 12, 31)),
    ),
    max_size=8,
).map(
    lambda rows: [
        Item(f"i{n}", when, key, rel, cred, dict(zip(HYPS, ls, strict=True)), weight)
        for n, (key, rel, cred, ls, weight, when) in enumerate(rows)
    ]
)
priors_strategy = st.tuples(*[st.floats(min_value=1e-3, max_value=100.0)] * 3).map(
    lambda ps: dict(zip(HYPS, ps, strict=True))
)


@given(priors=priors_strategy, items=items_strategy, data=st.data())
def test_posterior_is_a_distribution_independent_of_item_order(
    priors: dict[str, float], items: list[Item], data: st.DataObject
) -> None:
    p = posterior(priors, items).probabilities
    assert math.fsum(p.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(0.0 <= v <= 1.0 for v in p.values())
    shuffled = data.draw(st.permutations(items))
    assert posterior(priors, shuffled).probabilities == p


def test_sensitivity_without_a_group_equals_the_posterior_without_it() -> None:
    priors = {"A": 0.3, "B": 0.5, "C": 0.2}
    items = [
        Item(f"i{n}", None, f"k{n % 7}", "BC"[n % 2], 2 + n % 3,
             {"A": 0.2 + 0.1 * (n % 5), "B": 0.5, "C": 0.9 - 0.1 * (n % 4)})
        for n in range(40)
    ]  # fmt: skip
    result = sensitivity(priors, items)
    for group in result.groups:
        rest = [i for i in items if i.source_key != group.source_key]
        assert group.without == pytest.approx(posterior(priors, rest).probabilities, abs=1e-12)
