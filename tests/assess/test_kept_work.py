"""What scoring keeps from one day to the next and from one call to the next (issue #12's
decision in 300 ms): each kept result must be the one computing afresh gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped, unused-ignore]

from tocsin.assess import developments, score
from tocsin.assess.assessment import load
from tocsin.assess.bayes import (
    LOW_RELIABILITY,
    MANUAL_KEY,
    UNCORROBORATED_SHIFT,
    Item,
    sensitivity,
    uncorroborated,
)
from tocsin.assess.case import Case
from tocsin.assess.evidence import EvidenceRow
from tocsin.store.db import Store

PRIORS = {"H1": 0.2, "H2": 0.5, "H3": 0.3}
START = date(2022, 3, 1)


def _uncorroborated_as_defined(priors: dict[str, float], items: list[Item]) -> set[str]:
    """The definition, from the whole sensitivity analysis of every group."""
    found = sensitivity(priors, items)
    out = set()
    for g in found.groups:
        group = [i for i in items if i.group == g.source_key]
        if any(m.source_key.startswith(MANUAL_KEY) for m in group):
            continue
        low = all(m.reliability in LOW_RELIABILITY for m in group)
        moved = abs(g.best[found.leader] - g.without[found.leader])
        if len({m.source_key for m in group}) == 1 and low and moved > UNCORROBORATED_SHIFT:
            out.add(g.source_key)
    return out


def _random_items(rng: random.Random, count: int) -> list[Item]:
    out = []
    for n in range(count):
        grade = rng.choice("ABCDEF")
        source = rng.choice(["outlet:a", "outlet:b", "ministry", "manual:x", f"s{n}"])
        cluster = rng.choice(["", "", "joins|seen|2022-03-01", "drills|seen|2022-03-02"])
        likelihoods = {h: rng.uniform(0.02, 1.0) for h in PRIORS}
        out.append(
            Item(f"i{n}", START, f"k|{source}", grade, rng.randint(1, 6), likelihoods,
                 weight=rng.uniform(0.3, 1.0), cluster=cluster)
        )  # fmt: skip
    return out


def test_uncorroborated_weighs_the_candidates_as_the_whole_analysis_would() -> None:
    rng = random.Random(12)
    flagged = 0
    for _ in range(60):
        items = _random_items(rng, rng.randint(1, 9))
        found = uncorroborated(PRIORS, items)
        assert found == _uncorroborated_as_defined(PRIORS, items)
        flagged += len(found)
    assert flagged > 5  # the comparison met groups of both kinds


def test_tfidf_rows_are_the_vectorisers() -> None:
    texts = [
        "Belarusian troops moved to the border near Brest on Monday.",
        "Troops of Belarus moved towards the border, near Brest.",
        "",
        "the and of",  # stop words only
        "Lukashenko said the army would not enter the war war war.",
    ]
    mine = developments.tfidf(texts)
    vectoriser = TfidfVectorizer(sublinear_tf=True, stop_words=developments._STOP_WORDS)
    matrix = vectoriser.fit_transform(texts).tocsr()
    names = vectoriser.get_feature_names_out()
    ours = sorted({w for t in texts for w, _ in developments._terms(t)})
    for row, found in enumerate(mine):
        theirs = {
            names[c]: v
            for c, v in zip(matrix[row].indices, matrix[row].data, strict=True)
        }  # fmt: skip
        assert {ours[c]: v for c, v in found.items()} == theirs  # to the last bit
    assert developments.tfidf(["", "the"]) == [{}, {}]


def _row(n: int, day: date, polarity: str = "seen") -> EvidenceRow:
    likelihoods = {"H1": 0.9, "H2": 0.2, "H3": 0.4} if polarity == "seen" else {
        "H1": 0.1, "H2": 0.8, "H3": 0.6
    }  # fmt: skip
    return EvidenceRow(
        id=f"L{n}", kind="link", text=f"Report {n} of troops at the border near town {n % 4}.",
        when=day, indicator="troops", polarity=polarity, status=None, source=f"s{n % 5}",
        reliability="BCDEF"[n % 5], credibility=1 + n % 6, score=0.9, weight=0.8,
        reason="test", source_key=f"troops|s{n % 5}", likelihoods=likelihoods,
        entities=(f"Town {n % 4}",),
    )  # fmt: skip


def test_days_met_again_are_looked_up_and_equal_a_fresh_computation() -> None:
    rows = [_row(n, START + timedelta(days=n // 2)) for n in range(40)]
    days = sorted({r.when for r in rows if r.when is not None})
    score._point.cache_clear()
    first = score.trajectory(PRIORS, rows, days)
    # A decision flips a report of day 12: the days before it are met again, whole.
    changed = list(rows)
    changed[24] = replace(rows[24], polarity="negated",
                          likelihoods={"H1": 0.1, "H2": 0.8, "H3": 0.6})  # fmt: skip
    before = score._point.cache_info()
    kept = score.trajectory(PRIORS, changed, days)
    after = score._point.cache_info()
    assert changed[24].when is not None
    earlier = sum(d < changed[24].when for d in days)
    assert after.hits - before.hits == earlier
    assert after.misses - before.misses == len(days) - earlier
    assert kept[:earlier] == first[:earlier]
    assert kept[earlier:] != first[earlier:]
    score._point.cache_clear()
    assert score.trajectory(PRIORS, changed, days) == kept  # afresh


def test_a_row_flagged_uncorroborated_is_the_same_row_to_the_days() -> None:
    rows = [_row(n, START + timedelta(days=n)) for n in range(6)]
    days = sorted({r.when for r in rows if r.when is not None})
    score._point.cache_clear()
    score.trajectory(PRIORS, rows, days)
    flagged = [replace(r, uncorroborated=True) for r in rows]
    hits = score._point.cache_info().hits
    score.trajectory(PRIORS, flagged, days)
    assert score._point.cache_info().hits - hits == len(days)


def test_the_last_day_alone_gives_the_whole_bottom_line(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        data = load(store, belarus)
    whole = score.score(belarus, data)
    last = score.score(belarus, data, days="last")
    assert whole.whole
    assert not last.whole
    assert last.trajectory == whole.trajectory[-1:]
    assert len(whole.trajectory) > 1
    assert last.posterior == whole.posterior
    assert last.evidence == whole.evidence
    assert last.sensitivity == whole.sensitivity
    assert last.ach == whole.ach
    assert last.indicators == whole.indicators
