"""The developments of a crowded window, computed with arrays (``ties``), are exactly the
pairwise scan's: the same members, the same joins, the same reasons, on random reports
built to meet every rule (wire copies, one article, one source in two spellings, key
and topical entities, figures, close wording, and nothing at all)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.conftest import load_bench

from tocsin.assess import evidence
from tocsin.assess.developments import Likeness
from tocsin.assess.evidence import Cluster, EvidenceRow, Join, _named, _report, clusters

DAY = date(2024, 3, 1)
# Random reports built to meet every rule (bench/developments_speed.py makes them).
_speed = load_bench("developments_speed")


def _rows(seed: int, n: int) -> list[EvidenceRow]:
    rows: list[EvidenceRow] = _speed.reports(n, seed, varied=True)
    return rows


def reference(rows: list[EvidenceRow], window: int) -> list[Cluster]:
    """The definition: each dated row, in date order, against every report of every open
    development of its indicator and polarity, the strongest tie winning, the first met
    if equal (tocsin before the array form)."""
    dated = sorted(
        (r for r in rows if r.kind == "link" and r.when is not None and r.indicator),
        key=lambda r: (r.when, r.id),
    )
    likeness = Likeness([_report(r) for r in dated])
    found: list[tuple[list[int], list[Join]]] = []
    open_: dict[tuple[str | None, str], list[int]] = {}
    for i, row in enumerate(dated):
        assert row.when is not None
        key = (row.indicator, row.polarity)
        live = []
        for k in open_.get(key, []):
            first = dated[found[k][0][0]].when
            assert first is not None
            if (row.when - first).days <= window:
                live.append(k)
        open_[key] = live
        best: tuple[float, int, Join] | None = None
        for k in live:
            for j in found[k][0]:
                why = likeness.reason(j, i)
                if why is not None and (best is None or why.strength > best[0]):
                    best = (why.strength, k, Join(row.id, dated[j].id, why.text))
        if best is None:
            live.append(len(found))
            found.append(([i], []))
        else:
            found[best[1]][0].append(i)
            found[best[1]][1].append(best[2])
    return _named([([dated[i] for i in members], joins) for members, joins in found])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("window", [0, 3, 7])
def test_arrays_and_the_pairwise_scan_find_the_same_developments(
    seed: int, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(seed, 160)
    expected = reference(rows, window)
    monkeypatch.setattr(evidence, "CROWDED", 0)  # every indicator through ``ties``
    with_arrays = clusters(rows, window)
    monkeypatch.setattr(evidence, "CROWDED", 10**9)  # every indicator pair by pair
    scanned = clusters(rows, window)
    assert with_arrays == expected
    assert scanned == expected
    assert any(len(c.members) > 1 for c in expected)


def test_the_random_reports_meet_every_rule() -> None:
    heads = {
        " ".join(j.reason.split(" ")[:2])
        for seed in range(12)
        for c in reference(_rows(seed, 160), 7)
        for j in c.joins
    }
    assert heads >= {
        "near-identical wording", "same article", "same original", "shared entities",
        "same figure", "close wording", "same window,",
    }  # fmt: skip


def test_a_crowded_day_goes_through_the_arrays_and_a_quiet_one_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    for name in ("_arrays", "_scanned"):
        real = getattr(evidence, name)

        def spy(*args: object, _real: object = real, _name: str = name) -> object:
            calls.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(evidence, name, spy)
    quiet = _rows(1, evidence.CROWDED)
    clusters([replace(r, indicator="a", polarity="seen", kind="link") for r in quiet])
    assert calls == ["_scanned"]
    calls.clear()
    crowded = _rows(2, 3 * evidence.CROWDED)
    clusters([replace(r, indicator="a", polarity="seen", kind="link", when=DAY) for r in crowded])
    assert calls == ["_arrays"]


def test_the_array_form_keeps_the_unless_apart_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.assess import developments

    rows = _rows(5, 120)
    monkeypatch.setattr(developments, "UNLESS_APART", False)
    expected = reference(rows, 7)
    monkeypatch.setattr(evidence, "CROWDED", 0)
    assert clusters(rows, 7) == expected
    assert not any("no entity tells them apart" in j.reason for c in expected for j in c.joins)
