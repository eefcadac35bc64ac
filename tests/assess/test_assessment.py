"""The assessment from the store: decisions survive, time travel, independence, the board."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tocsin.assess import bayes
from tocsin.assess.assessment import (
    assess,
    evidence_rows,
    rating_from_likelihoods,
    relink,
    to_dict,
)
from tocsin.assess.case import Case, parse_case
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store import assessment as queries
from tocsin.store.db import Store


def test_the_demo_assessment_is_filled_and_traceable(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        a = assess(store, belarus)
        texts = {art["id"]: art["text"] for art in a.articles}
    assert sum(a.posterior.probabilities.values()) == pytest.approx(1.0)
    assert a.leader == "H2"
    links = [e for e in a.evidence if e.kind == "link"]
    assert len(links) >= 30
    for e in links:
        assert e.article_id is not None
        assert e.start is not None
        assert texts[e.article_id][e.start : e.end] == e.text
        assert e.reason
    assert {e.id for e in a.evidence if e.kind == "manual"} == {"M1", "M2", "M3"}
    assert a.trajectory[-1][1] == pytest.approx(a.posterior.probabilities)
    assert len(a.actor_rounds) == belarus.actor_model.rounds + 1  # type: ignore[union-attr]
    assert sum(a.actor_probabilities.values()) == pytest.approx(1.0)
    assert a.disagreements
    assert a.timeline
    assert {s.question_id for s in a.track.scores} >= {"main", "joint-grouping-2022"}
    assert to_dict(a)["leader"] == "H2"


def test_decisions_survive_recomputation(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = queries.link_rows(store, belarus.id)
        first, second, third = rows[0], rows[1], rows[2]
        queries.decide(store, belarus.id, first["id"], "reject", note="not evidence")
        queries.decide(store, belarus.id, second["id"], "relink", new_indicator="exercises")
        queries.decide(store, belarus.id, third["id"], "accept", polarity="negated")
        relink(store, belarus)  # new link ids, same spans
        after = {
            (r["article_id"], r["start"], r["indicator_id"]): r
            for r in queries.link_rows(store, belarus.id)
        }
        assert (
            after[(first["article_id"], first["start"], first["indicator_id"])]["decision"]
            == "reject"
        )
        kept = evidence_rows(store, belarus)
    spans = {(e.article_id, e.start, e.indicator, e.polarity, e.decision) for e in kept}
    assert not any(
        s[:2] == (first["article_id"], first["start"]) and s[2] == first["indicator_id"]
        for s in spans
    )
    assert (
        second["article_id"],
        second["start"],
        "exercises",
        second["polarity"],
        "relink",
    ) in spans
    assert (
        third["article_id"],
        third["start"],
        third["indicator_id"],
        "negated",
        "accept",
    ) in spans


def test_a_decision_needs_a_known_link() -> None:
    from tocsin.errors import ConfigError

    with Store.open(":memory:") as store, pytest.raises(ConfigError, match="no link 99"):
        queries.decide(store, "c", 99, "reject")


def test_time_travel_uses_only_what_was_published(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        before = assess(store, belarus, as_of=date(2022, 3, 1), link=False, record=False)
        spring = assess(store, belarus, as_of=date(2022, 5, 31), link=False, record=False)
        full = assess(store, belarus, link=False, record=False)
    assert before.evidence == []
    assert before.posterior.probabilities == pytest.approx(belarus.priors())
    assert spring.evidence
    assert all(e.when is not None and e.when <= date(2022, 5, 31) for e in spring.evidence)
    assert len(spring.evidence) < len(full.evidence)
    assert {e.when for e in spring.evidence} <= {date(2022, 3, 23), date(2022, 5, 20)}
    spring_point = dict(full.trajectory)[date(2022, 5, 20)]
    assert spring.posterior.probabilities == pytest.approx(spring_point)


SMALL_CASE = """\
id: small
question: Will Belarus join?
resolution: {criteria: c, deadline: 2023-12-31}
hypotheses: [{id: H1, title: joins, prior: 0.5}, {id: H2, title: stays out, prior: 0.5}]
indicators:
  - id: arrivals
    description: Russian troops arrive in Belarus
    patterns: ['russian troops (are )?arriv']
    likelihoods: {H1: 0.9, H2: 0.3}
sources:
  - {name: Hajun Project, kind: organisation, reliability: B, credibility: 2}
"""
REPORT = "According to the Hajun Project, Russian troops are arriving in Belarus by train."
FILLER = [
    "The weather in Minsk was cold and grey for most of the week in question.",
    "Farmers in the south complained about the price of fuel and fertiliser this season.",
    "A new bridge over the river was opened by local officials after long delays.",
    "Schools reopened after the holidays with fewer pupils than the year before.",
]
OTHER = [
    "Ice hockey fans filled the arena in Grodno on Saturday night for the final.",
    "The central bank left its interest rate unchanged, citing stable inflation.",
    "Museum curators announced an exhibition of nineteenth-century paintings.",
]


def _store_with(tmp_path: Path, texts: list[str]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    for n, body in enumerate(texts):
        (folder / f"{n}.txt").write_text(f"Report number {n}\n\n{body}\n", "utf-8")
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        ingest([folder], store=store, config=Config.load(workers=1))
        extract(store, workers=1)
    return db


def _posterior(db: Path, case: Case) -> tuple[dict[str, float], list[str]]:
    with Store.open(db) as store:
        a = assess(store, case, record=False)
    return a.posterior.probabilities, [e.source_key for e in a.evidence]


def test_near_duplicate_articles_count_once(tmp_path: Path) -> None:
    case = parse_case(SMALL_CASE)
    one = _store_with(tmp_path / "one", [" ".join([REPORT, *FILLER])])
    dup = _store_with(
        tmp_path / "dup", [" ".join([REPORT, *FILLER]), " ".join([REPORT, *FILLER, "Updated."])]
    )
    with Store.open(dup) as store:
        assert sum(a.duplicate_of is not None for a in store.articles()) == 1
    assert _posterior(dup, case)[0] == pytest.approx(_posterior(one, case)[0])


def test_reports_tracing_to_one_source_count_once(tmp_path: Path) -> None:
    case = parse_case(SMALL_CASE)
    one = _store_with(tmp_path / "one", [" ".join([REPORT, *FILLER])])
    two = _store_with(
        tmp_path / "two",
        [" ".join([REPORT, *FILLER]), " ".join([*OTHER, REPORT])],
    )
    p_one, _ = _posterior(one, case)
    p_two, keys_two = _posterior(two, case)
    assert len(keys_two) == 2
    assert len(set(keys_two)) == 1  # both trace to the Hajun Project
    assert p_two == pytest.approx(p_one)
    assert p_one["H1"] > 0.5


def test_independent_sources_corroborate(tmp_path: Path) -> None:
    case = parse_case(
        SMALL_CASE
        + "  - {name: Daily Planet, kind: organisation, reliability: B, credibility: 2}\n"
    )
    other = REPORT.replace("the Hajun Project", "the Daily Planet")
    one = _store_with(tmp_path / "one", [" ".join([REPORT, *FILLER])])
    both = _store_with(
        tmp_path / "both", [" ".join([REPORT, *FILLER]), " ".join([other, *FILLER[:2]])]
    )
    assert _posterior(both, case)[0]["H1"] > _posterior(one, case)[0]["H1"]


def test_the_indicator_board_tells_seen_negated_and_absent(tmp_path: Path) -> None:
    case = parse_case(
        SMALL_CASE + "  - {name: Watcher, kind: organisation, reliability: C, credibility: 3}\n"
    ).model_copy()
    text = "The Watcher said there are no Russian troops arriving in Belarus at all this month."
    db = _store_with(tmp_path, [" ".join([text, *FILLER])])
    extra = parse_case(
        SMALL_CASE.replace(
            "sources:",
            "  - id: drills\n    description: drills\n    patterns: ['drills']\n"
            "    likelihoods: {H1: 0.6, H2: 0.5}\nsources:",
        )
    )
    with Store.open(db) as store:
        board = {i.id: i for i in assess(store, extra, record=False).indicators}
    assert board["arrivals"].state == "seen negated"
    assert board["arrivals"].negated == 1
    assert board["drills"].state == "not seen"
    assert case.id == "small"


def test_ratings_from_likelihoods_follow_their_ratio() -> None:
    ratings = rating_from_likelihoods({"H1": 0.9, "H2": 0.45, "H3": 0.05})
    assert ratings == {"H1": "CC", "H2": "N", "H3": "II"}  # ratios 1.93, 0.96, 0.11
    assert set(rating_from_likelihoods({"H1": 0.5, "H2": 0.5}).values()) == {"N"}


def test_forecasts_and_case_outcomes_are_recorded(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        assess(store, belarus)
        stored = queries.forecasts(store)
        outcomes = {r["question_id"]: r["outcome"] for r in queries.resolutions(store)}
        queries.record_resolution(store, belarus.id, "main", "H1", date(2023, 12, 31), "what if")
        changed = assess(store, belarus, link=False)
    assert outcomes["main"] == "H2"
    assert outcomes["mobilisation-2022"] == "no"
    assert {f["method"] for f in stored} >= {"bayes", "actors"}
    main = next(s for s in changed.track.scores if s.question_id == "main" and s.method == "bayes")
    assert main.outcome == "H1"  # the store's resolution wins over the case file's


def test_bayes_items_carry_grades_and_weights(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = evidence_rows(store, belarus)
    for row in rows:
        assert row.reliability in bayes.RELIABILITY
        assert 0 < row.weight <= 1
        assert set(row.likelihoods) == {"H1", "H2", "H3"}
