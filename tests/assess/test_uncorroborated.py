"""Claims that need corroboration: one low-graded source that would move the forecast by
more than 10 points is shown as uncorroborated and counts at a discount."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tocsin.assess.assessment import assess
from tocsin.assess.bayes import (
    UNCORROBORATED_WEIGHT,
    Item,
    discounted,
    posterior,
    uncorroborated,
)
from tocsin.assess.case import parse_case
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

PRIORS = {"H1": 0.25, "H2": 0.75}
JOINS = {"H1": 0.95, "H2": 0.05}
MILD = {"H1": 0.4, "H2": 0.6}
DAY = date(2022, 10, 20)


def _item(id: str, key: str, grade: str, likelihoods: dict[str, float], cluster: str = "") -> Item:
    return Item(id, DAY, key, grade, 2 if grade in "AB" else 6, likelihoods, cluster=cluster)


def test_one_ungraded_site_claiming_belarus_joined_the_war_is_uncorroborated() -> None:
    base = [_item(f"m{n}", f"k{n}", "B", MILD) for n in range(3)]
    claim = _item("fake", "joins|outlet:some site", "F", JOINS, cluster="joins|seen|2022-10-20")
    items = [*base, claim]
    assert uncorroborated(PRIORS, items) == {"joins|seen|2022-10-20"}
    full = posterior(PRIORS, items).probabilities["H1"]
    kept = discounted(items, {"joins|seen|2022-10-20"})
    assert kept[-1].weight == pytest.approx(UNCORROBORATED_WEIGHT)
    assert posterior(PRIORS, kept).probabilities["H1"] < full


def test_an_independent_confirmation_or_a_good_grade_needs_no_corroboration() -> None:
    base = [_item(f"m{n}", f"k{n}", "B", MILD) for n in range(3)]
    cluster = "joins|seen|2022-10-20"
    one = _item("fake", "joins|outlet:some site", "F", JOINS, cluster=cluster)
    other = _item("second", "joins|ministry of defence", "E", JOINS, cluster=cluster)
    assert uncorroborated(PRIORS, [*base, one, other]) == set()
    graded = _item("wire", "joins|outlet:wire", "A", JOINS, cluster=cluster)
    assert uncorroborated(PRIORS, [*base, graded]) == set()
    small = _item("small", "x|outlet:site", "F", {"H1": 0.5, "H2": 0.48})
    assert uncorroborated(PRIORS, [*base, small]) == set()  # moves the forecast too little


CASE = parse_case(
    """\
id: joins
question: Will Belarus's army enter the war?
resolution: {criteria: c, deadline: 2023-12-31}
hypotheses: [{id: H1, title: joins, prior: 0.25}, {id: H2, title: stays out, prior: 0.75}]
indicators:
  - id: joins-war
    description: Belarus officially joins the war
    patterns: ['belarus (has )?officially join(s|ed) the war']
    likelihoods: {H1: 0.95, H2: 0.05}
sources:
  - {name: Wire Service, kind: outlet, reliability: A, credibility: 2}
"""
)


def test_a_false_report_from_an_ungraded_site_is_shown_and_discounted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fake.jsonl").write_text(
        '{"url": "https://rumours.example/1", "outlet": "Rumour Mill", "published": '
        '"2022-10-20", "title": "Breaking", "text": "Breaking news. Belarus officially joins '
        'the war against Ukraine, sources say. More soon."}\n',
        "utf-8",
    )
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        ingest([folder], store=store, config=Config.load(workers=1))
        extract(store, workers=1)
        found = assess(store, CASE, link=True)
    flagged = [e for e in found.evidence if e.uncorroborated]
    assert len(flagged) == 1
    assert "officially joins" in flagged[0].text
    # Discounted: the update moves less than the plain one would.
    assert (
        found.posterior.probabilities["H1"]
        < posterior(CASE.priors(), [_item("x", "k", "F", JOINS)]).probabilities["H1"]
    )


def test_the_reports_say_uncorroborated(tmp_path: Path) -> None:
    from dataclasses import replace

    from tocsin.report.markdown import render_markdown as brief

    test_a_false_report_from_an_ungraded_site_is_shown_and_discounted(tmp_path)
    with Store.open(tmp_path / "s.db") as store:
        found = assess(store, CASE)
    assert "(uncorroborated)" in brief(found)
    plain = replace(found, evidence=[replace(e, uncorroborated=False) for e in found.evidence])
    assert "(uncorroborated)" not in brief(plain)


def test_evidence_the_analyst_entered_by_hand_is_never_discounted() -> None:
    base = [_item(f"m{n}", f"k{n}", "B", MILD) for n in range(3)]
    note = Item("N1", DAY, "manual:N1", "F", 6, JOINS)
    rumour = _item("fake", "joins|outlet:some site", "F", JOINS)
    assert uncorroborated(PRIORS, [*base, note]) == set()
    assert uncorroborated(PRIORS, [*base, rumour]) == {"joins|outlet:some site"}


def test_a_trajectory_point_is_the_assessment_as_of_its_date(tmp_path: Path) -> None:
    """Each point of the trajectory is what the assessment as of that day says: its
    developments and its uncorroborated discount decided on what was known by then."""
    test_a_false_report_from_an_ungraded_site_is_shown_and_discounted(tmp_path)
    with Store.open(tmp_path / "s.db") as store:
        found = assess(store, CASE)
        assert found.trajectory
        for day, point in found.trajectory:
            then = assess(store, CASE, as_of=day)
            assert point == pytest.approx(then.posterior.probabilities), day


WORDS = {
    1: "Armoured columns were seen moving west of Vitsebsk overnight.",
    2: "Witnesses filmed tanks on a highway outside Vitsebsk.",
    3: "Engineers repaired a bridge by Vitsebsk for heavy trucks.",
    4: "Railway wagons with howitzers arrived at Vitsebsk station.",
    5: "Field hospitals opened in tents near Vitsebsk airport.",
    6: "Fuel depots around Vitsebsk doubled their guards.",
    7: "Paratroopers jumped over a range south of Vitsebsk.",
}


def test_later_reports_do_not_regroup_what_a_day_knew() -> None:
    """Two reports of one development on 1 and 2 January, tied by the entity they share;
    five February reports naming it too make it the question's topic, which would split
    the January pair. A trajectory point for 2 January must still see them as one."""
    from tocsin.assess.evidence import EvidenceRow, items
    from tocsin.assess.score import as_known

    def row(n: int, day: date, source: str) -> EvidenceRow:
        return EvidenceRow(
            id=f"L{n}", kind="link", text=WORDS[n],
            when=day, indicator="joins", polarity="seen", status=None, source=source,
            reliability="B", credibility=2, score=1.0, weight=1.0, reason="test",
            source_key=f"joins|{source}", likelihoods=dict(JOINS),
            entities=("Vitsebsk", f"Unit {n}"),
        )  # fmt: skip

    january = [row(1, date(2022, 1, 1), "a"), row(2, date(2022, 1, 2), "b")]
    february = [row(n, date(2022, 2, n), f"s{n}") for n in range(3, 8)]
    day = date(2022, 1, 2)
    alone = items(january)
    assert alone[0].cluster == alone[1].cluster  # one development, as 2 January knew it
    assert as_known(PRIORS, [*january, *february], day) == pytest.approx(
        as_known(PRIORS, january, day)
    )
    together = {i.id: i.cluster for i in items([*january, *february])}
    # What the whole set would have made of them (the leak this test guards against).
    assert together["L1"] != together["L2"]
