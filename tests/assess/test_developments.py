"""One development, one observation: reports of one indicator within days of each other form
a cluster that counts once, confirmed only by independent original sources; and an update
that admits its own error (tempered, mixed with the prior)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from tocsin.assess.bayes import Item, Update, original_source, posterior, sensitivity
from tocsin.assess.developments import origins, same_source
from tocsin.assess.evidence import EvidenceRow, clusters, items, with_facts
from tocsin.models.evidence import SpanFact

PRIORS = {"H1": 0.5, "H2": 0.5}
L = {"H1": 0.8, "H2": 0.2}
DAY = date(2022, 10, 10)


def _item(n: int, key: str, cluster: str = "") -> Item:
    return Item(f"L{n}", DAY, key, "A", 1, L, cluster=cluster)


def _row(n: int, when: date, indicator: str = "joint-grouping", **kw: object) -> EvidenceRow:
    base = EvidenceRow(
        id=f"L{n}",
        kind="link",
        text=f"report {n}",
        when=when,
        indicator=indicator,
        polarity="seen",
        status="reported",
        source=None,
        reliability="B",
        credibility=2,
        score=1.0,
        weight=1.0,
        reason="",
        source_key=f"{indicator}|outlet:outlet {n}",
        likelihoods=L,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_eleven_outlets_carrying_one_development_count_once() -> None:
    outlets = [_item(n, f"joint|outlet:o{n}") for n in range(11)]
    clustered = [replace(i, cluster="joint|seen|2022-10-10") for i in outlets]
    one = posterior(PRIORS, outlets[:1]).probabilities["H1"]
    separate = posterior(PRIORS, outlets).probabilities["H1"]
    together = posterior(PRIORS, clustered).probabilities["H1"]
    assert separate > 0.999  # eleven "independent" observations: the old saturation
    assert together == pytest.approx(one)  # one development, one observation
    assert len(posterior(PRIORS, clustered).groups) == 1


def test_independent_sources_confirm_a_development_with_decaying_weight() -> None:
    cluster = "joint|seen|2022-10-10"
    two = [_item(1, "joint|lukashenko", cluster), _item(2, "joint|ministry of defence", cluster)]
    one = posterior(PRIORS, two[:1]).probabilities["H1"]
    full = posterior(PRIORS, two).probabilities["H1"]
    half = posterior(PRIORS, two, update=Update(confirm=0.5)).probabilities["H1"]
    none = posterior(PRIORS, two, update=Update(confirm=0.0)).probabilities["H1"]
    assert none == pytest.approx(one)
    assert one < half < full
    assert full == pytest.approx(posterior(PRIORS, [replace(i, cluster="") for i in two])
                                 .probabilities["H1"])  # fmt: skip


def test_tempering_and_the_prior_mixture_keep_the_forecast_off_the_bounds() -> None:
    many = [_item(n, f"k{n}") for n in range(30)]
    plain = posterior(PRIORS, many).probabilities["H1"]
    tempered = posterior(PRIORS, many, update=Update(temper=0.1)).probabilities["H1"]
    mixed = posterior(PRIORS, many, update=Update(prior_mix=0.06)).probabilities["H1"]
    assert plain > 0.9999
    assert 0.5 < tempered < plain
    assert mixed == pytest.approx(0.94 * plain + 0.06 * 0.5)
    assert mixed <= 0.97
    assert sum(posterior(PRIORS, many, update=Update(prior_mix=0.06)).probabilities.values()) \
        == pytest.approx(1.0)  # fmt: skip


def test_sensitivity_uses_the_same_update() -> None:
    many = [_item(n, f"k{n}") for n in range(3)]
    update = Update(temper=0.5, prior_mix=0.1)
    base = sensitivity(PRIORS, many, update=update)
    assert base.base.probabilities == posterior(PRIORS, many, update=update).probabilities
    without = base.groups[0].without["H1"]
    assert without == pytest.approx(posterior(PRIORS, many[1:], update=update).probabilities["H1"])


@pytest.mark.parametrize(
    "bad", [{"temper": 0.0}, {"temper": 1.5}, {"prior_mix": 1.0}, {"confirm": -0.1}]
)
def test_an_update_out_of_range_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="is not in"):
        Update(**bad)


def test_reports_within_the_window_form_one_development() -> None:
    rows = [
        _row(1, DAY),
        _row(2, DAY + timedelta(days=1)),
        _row(3, DAY + timedelta(days=3)),
        _row(4, DAY + timedelta(days=4)),  # past the window of the first report
        _row(5, DAY, indicator="exercises"),
        _row(6, DAY, polarity="negated"),
        _row(7, DAY, kind="manual"),
    ]
    found = clusters(rows, window=3)
    members = sorted(c.members for c in found)
    assert members == [("L1", "L2", "L3"), ("L4",), ("L5",), ("L6",)]
    first = next(c for c in found if "L1" in c.members)
    assert first.key == "joint-grouping|seen|2022-10-10"
    assert first.why(3) == (
        "3 reports of joint-grouping (seen) within 3 days of 2022-10-10: "
        "near-identical wording 1.00"
    )
    by_id = {i.id: i.cluster for i in items(rows, window=3)}
    assert by_id["L1"] == by_id["L2"] == by_id["L3"] == first.key
    assert by_id["L4"] != first.key
    assert by_id["L7"] == ""  # hand-entered: a development of its own


def test_outlets_in_one_development_share_one_source_but_named_speakers_do_not() -> None:
    rows = [
        _row(1, DAY),
        _row(2, DAY),
        _row(3, DAY, source_key="joint-grouping|lukashenko"),
    ]
    result = posterior(PRIORS, items(rows))
    (group,) = result.groups.values()
    assert len(group) == 3
    press_and_lukashenko = posterior(PRIORS, items([rows[0], rows[2]])).probabilities
    assert result.probabilities == pytest.approx(press_and_lukashenko)


def test_a_negative_window_joins_nothing() -> None:
    rows = [_row(1, DAY), _row(2, DAY)]
    assert clusters(rows, window=-1) == []
    assert {i.cluster for i in items(rows, window=-1)} == {""}


def test_the_bundled_case_ends_on_h2_without_its_regular_expressions(
    belarus: object, demo_db: object, embedder: object
) -> None:
    """#11, item 7: descriptions and examples alone still lead to what happened."""
    from pathlib import Path

    from tocsin.assess.assessment import assess
    from tocsin.assess.case import Case
    from tocsin.store.db import Store

    assert isinstance(belarus, Case)
    assert isinstance(demo_db, Path)
    bare = belarus.model_copy(
        update={"indicators": [i.model_copy(update={"patterns": []}) for i in belarus.indicators]}
    )
    with Store.open(demo_db) as store:
        found = assess(store, bare, embedder=embedder, link=True)  # type: ignore[arg-type]
    assert found.leader == "H2"
    assert all(e.reason.startswith("similarity") for e in found.evidence if e.kind == "link")
    assert any(e.kind == "link" for e in found.evidence)


def test_a_later_opposite_report_supersedes_an_earlier_development() -> None:
    arrived = replace(_item(1, "troops|minister", "troops|seen|2022-10-10"), when=DAY)
    left = Item(
        "L2", DAY + timedelta(days=20), "troops|ministry", "A", 1, {"H1": 0.3, "H2": 0.7},
        cluster="troops|negated|2022-10-30",
    )  # fmt: skip
    both = [arrived, left]
    gone = posterior(PRIORS, both, update=Update(supersede=0.0)).probabilities
    assert gone == pytest.approx(posterior(PRIORS, [left]).probabilities)
    half = posterior(PRIORS, both, update=Update(supersede=0.5))
    assert half.ages == {"troops|seen|2022-10-10": 0.5, "troops|negated|2022-10-30": 1.0}
    # Before the later report, nothing is superseded.
    early = posterior(PRIORS, both, as_of=DAY, update=Update(supersede=0.0)).probabilities
    assert early == pytest.approx(posterior(PRIORS, [arrived]).probabilities)


def test_a_development_ages_by_its_half_life() -> None:
    old = replace(_item(1, "k1", "i|seen|2022-10-10"), when=DAY)
    later = DAY + timedelta(days=30)
    aged = posterior(PRIORS, [old], as_of=later, update=Update(half_life=30.0))
    assert aged.ages == {"i|seen|2022-10-10": pytest.approx(0.5)}
    fresh = posterior(PRIORS, [old], as_of=later)
    assert aged.contributions["i|seen|2022-10-10"]["H1"] == pytest.approx(
        fresh.contributions["i|seen|2022-10-10"]["H1"] / 2
    )
    with pytest.raises(ValueError, match="half_life"):
        Update(half_life=-1.0)


# -- joined by what the reports say (issue #11, item 3) --------------------------------

WIRE = (
    "Belarus and Russia will deploy a joint regional grouping of troops, President "
    "Alexander Lukashenko said on Monday."
)


def test_a_wire_copy_in_two_outlets_joins_and_says_why() -> None:
    rows = [
        _row(1, DAY, text=WIRE, entities=("Alexander Lukashenko", "Belarus")),
        _row(2, DAY + timedelta(days=1), text=WIRE),  # the same text, another outlet
    ]
    (found,) = clusters(rows)
    assert found.members == ("L1", "L2")
    (join,) = found.joins
    assert join.reason == "near-identical wording 1.00"
    assert "near-identical wording" in found.why(7)


def test_a_translation_joins_by_its_entities_and_figures() -> None:
    """The sentence model is English-only: a Russian report of the same announcement shares
    no words with the English one, but the evidence layer names the same entities."""
    english = _row(
        1,
        DAY,
        text="Lukashenko said 9,000 Russian troops will arrive in Vitebsk for the grouping.",
        entities=("Alexander Lukashenko", "Vitebsk"),
        figures=("9000",),
    )
    russian = _row(
        2,
        DAY,
        text="Лукашенко заявил, что в Витебск прибудут 9000 российских военных.",
        entities=("Alexander Lukashenko", "Vitebsk"),
        figures=("9000",),
    )
    (found,) = clusters([english, russian])
    assert found.members == ("L1", "L2")
    assert "shared entities Alexander Lukashenko, Vitebsk" in found.joins[0].reason


def test_two_events_of_one_indicator_in_one_week_stay_apart() -> None:
    """Troops arriving in Vitebsk and troops arriving in Gomel, three days apart, told by
    different actors in different words: two developments, two observations."""
    rows = [
        _row(
            1,
            DAY,
            text="A Russian battalion arrived at the Vitebsk rail station overnight.",
            entities=("Vitebsk",),
        ),
        _row(
            2,
            DAY + timedelta(days=3),
            text="Columns of armour were seen near Gomel, the monitoring group Hajun said.",
            entities=("Gomel", "Hajun"),
        ),
    ]
    found = clusters(rows)
    assert [c.members for c in found] == [("L1",), ("L2",)]
    assert len({c.key for c in found}) == 2
    assert len(posterior(PRIORS, items(rows)).groups) == 2


def test_two_developments_of_one_day_get_distinct_keys() -> None:
    rows = [
        _row(1, DAY, text="Troops arrived in Vitebsk.", entities=("Vitebsk",)),
        _row(2, DAY, text="Jets landed at Baranovichi airfield.", entities=("Baranovichi",)),
    ]
    keys = [c.key for c in clusters(rows)]
    assert keys == ["joint-grouping|seen|2022-10-10", "joint-grouping|seen|2022-10-10#2"]


def test_the_entities_of_a_row_are_those_found_inside_its_sentence() -> None:
    row = _row(1, DAY, article_id=3, start=100, end=160)
    facts = [
        SpanFact(3, 90, 99, "entity", "Minsk"),  # before the sentence
        SpanFact(3, 105, 115, "entity", "Alexander Lukashenko"),
        SpanFact(3, 120, 125, "figure", "9000"),
        SpanFact(3, 130, 140, "day", "2022-10-10"),
        SpanFact(4, 105, 115, "entity", "Vitebsk"),  # another article
    ]
    (found,) = with_facts([row], facts)
    assert found.entities == ("Alexander Lukashenko",)
    assert found.figures == ("9000", "2022-10-10")


def test_an_according_to_chain_ends_at_one_original_source() -> None:
    """'Reuters, citing the Belarusian defence ministry' and 'the ministry said' are one
    original source: the second does not confirm the first."""
    assert same_source("the ministry", "Belarusian defence ministry")
    assert same_source("Belarusian Defense Ministry", "the Belarusian defence ministry")
    assert not same_source("Belarusian defence ministry", "Ukrainian defence ministry")
    rows = [
        _row(
            1,
            DAY,
            text="Reuters, citing the Belarusian defence ministry, said troops would deploy.",
            source="Belarusian defence ministry",
            source_key="joint-grouping|belarusian defence ministry",
            entities=("Belarus",),
        ),
        _row(
            2,
            DAY,
            text="The troops will deploy within days, the ministry said.",
            source="the ministry",
            source_key="joint-grouping|ministry",
            entities=("Belarus",),
        ),
    ]
    together = items(rows)
    assert {original_source(i) for i in together} == {"joint-grouping|belarusian defence ministry"}
    one = posterior(PRIORS, items(rows[:1])).probabilities["H1"]
    assert posterior(PRIORS, together).probabilities["H1"] == pytest.approx(one)


def test_a_bare_name_with_two_fuller_readings_stays_itself() -> None:
    found = origins(["the ministry", "Belarusian defence ministry", "Russian defence ministry"], [])
    assert found == ["the ministry", "Belarusian defence ministry", "Russian defence ministry"]


def test_a_named_source_that_is_an_outlet_of_the_development_is_the_press() -> None:
    """'Reuters reported' in one article, and Reuters's own article: one source."""
    rows = [
        _row(1, DAY, text=WIRE, source="Reuters", source_key="joint-grouping|outlet:reuters"),
        _row(
            2,
            DAY,
            text=WIRE + " Reuters reported.",
            source="Reuters",
            source_key="joint-grouping|reuters",
        ),
    ]
    assert {original_source(i) for i in items(rows)} == {"joint-grouping|press"}
