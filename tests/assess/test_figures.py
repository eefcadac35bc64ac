"""Conflicting figures: compared as ranges, in one unit, between articles only (issue #10)."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.assess.figures import (
    comparable,
    conflict,
    conflicting_pairs,
    has_conflict,
    rounding,
    value_range,
)
from tocsin.assess.score import ArticleView, disagreements
from tocsin.models.evidence import FigureRow


def _row(
    article: int,
    value: float | None,
    unit: str | None = None,
    qualifier: str | None = None,
    low: float | None = None,
    high: float | None = None,
    key: str = "length:border",
) -> FigureRow:
    return FigureRow(article, 0, 1, "x", value, low, high, unit, qualifier, None, key)


@pytest.mark.parametrize(
    ("value", "half_place"),
    [(1300, 50), (800, 50), (2.5, 0.05), (25e6, 5e5), (1287, 0.5), (9000, 500), (0.75, 0.005)],
)
def test_rounding_is_half_the_last_significant_place(value: float, half_place: float) -> None:
    assert rounding(value) == pytest.approx(half_place)


def test_units_are_converted_before_comparing() -> None:
    km, miles = _row(1, 1300, "km"), _row(2, 800, "mile")
    assert value_range(miles)[0] == "km"  # type: ignore[index]
    assert not conflict(km, miles)  # 800 miles is 1,287 km
    assert conflict(km, _row(2, 500, "mile"))
    assert not conflict(_row(1, 1.5e9, "USD"), _row(2, 1.4e9, "EUR"))  # no rate: not compared


def test_qualifiers_and_ranges_widen_a_figure() -> None:
    assert not conflict(_row(1, 6000, qualifier="at least"), _row(2, 7000, qualifier="more than"))
    assert conflict(_row(1, 7000, qualifier="more than"), _row(2, 2500))
    assert not conflict(_row(1, 500, qualifier="about"), _row(2, 520, qualifier="about"))
    assert conflict(_row(1, 500), _row(2, 620))
    assert not conflict(_row(1, None, low=400, high=500), _row(2, 450))
    assert conflict(_row(1, 30_000), _row(2, 9000, qualifier="up to"))


def test_one_article_does_not_conflict_with_itself() -> None:
    assert not conflict(_row(1, 30_000), _row(1, 9000))
    rows = [_row(1, 30_000), _row(1, 9000), _row(2, 29_000)]
    assert not has_conflict(rows[:2])
    assert conflicting_pairs(rows[:2]) == []
    assert has_conflict(rows)
    assert conflicting_pairs(rows) == [(1, 2)]  # the 9,000 of one against the other's


def test_has_conflict_agrees_with_every_pair() -> None:
    import random

    rng = random.Random(42)
    for _ in range(300):
        rows = [
            _row(rng.randint(1, 3), rng.choice([100, 120, 200, 1000]), rng.choice([None, "km"]))
            for _ in range(rng.randint(0, 6))
        ]
        assert has_conflict(rows) == bool(conflicting_pairs(rows))


def test_only_groups_with_a_conflict_are_shown_side_by_side() -> None:
    articles = {
        n: ArticleView(n, f"article {n}", date(2023, 3, n), "outlet", "text") for n in (1, 2, 3)
    }
    figures = [
        _row(1, 1300, "km"),
        _row(2, 800, "mile"),
        _row(1, 30_000, key="count:troop [Russia, in Belarus]"),
        _row(2, 9000, key="count:troop [Russia, in Belarus]"),
        _row(3, 2.5, "times", key="ratio:spend"),
    ]
    found = disagreements(figures, articles, None)
    assert [d.measure for d in found] == ["count:troop"]
    assert [f.value for f in found[0].figures] == [30_000, 9000]
    assert disagreements(figures, articles, date(2023, 3, 1)) == []
    # Belarusian troops are not compared with Russian ones; an unsaid place is no conflict.
    figures += [
        _row(3, 65_000, key="count:troop [Belarus]"),
        _row(3, 31_000, key="count:troop [Russia]"),
    ]
    found = disagreements(figures, articles, None)
    assert [f.key for f in found[0].figures] == [
        "count:troop [Russia, in Belarus]",
        "count:troop [Russia, in Belarus]",
        "count:troop [Russia]",
    ]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("count:troop [Russia, in Belarus]", "count:troop [Russia]", True),
        ("count:troop [Russia, in Belarus]", "count:troop [Russia, in Ukraine]", False),
        ("count:troop [Russia]", "count:troop [Belarus]", False),
        ("count:troop [Russia]", "count:troop", False),
        ("count:people [detain]", "count:people [detain, in Minsk]", True),
        ("count:people [detain]", "count:people [protest]", False),
        ("count:troop", "percent:troop", False),
        ("length:border [Belarus, Ukraine]", "length:border [Belarus, Ukraine]", True),
    ],
)
def test_comparable_scopes(a: str, b: str, expected: bool) -> None:
    assert comparable(a, b) is expected
    assert comparable(b, a) is expected
