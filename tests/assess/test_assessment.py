"""The assessment from the store: decisions survive, time travel, independence, the board."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tocsin.assess import bayes
from tocsin.assess.assessment import assess, to_dict
from tocsin.assess.case import Case, bundled_case_path, parse_case
from tocsin.assess.evidence import EvidenceRow
from tocsin.assess.evidence import evidence_rows as rows_of
from tocsin.assess.relink import relink
from tocsin.assess.score import rating_from_likelihoods
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.models.assessment import LinkKey, Resolution
from tocsin.store import assessment as queries
from tocsin.store.db import Store


def test_the_demo_assessment_is_filled_and_traceable(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        a = assess(store, belarus, link=True, record=True)
        texts = {art.id: art.text for art in a.articles}
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


def test_an_assessment_runs_the_actor_model_once(
    demo_db: Path, belarus: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.assess import actors
    from tocsin.assess import assessment as module
    from tocsin.assess.score import ActorResult

    calls: list[int] = []
    simulate = actors.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(actors, "simulate", counted)
    with Store.open(demo_db) as store:
        once = assess(store, belarus)
        per_run = len(calls)
        monkeypatch.setattr(module, "actor_model", lambda case: ActorResult())
        assert assess(store, belarus).actor_probabilities == {}  # score took the given run
    assert per_run > 0
    assert len(calls) == per_run  # the second assess ran no simulation of its own
    assert once.actor_probabilities


def test_decisions_survive_recomputation(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = flat_links(store, belarus.id)
        first, second, third = rows[0], rows[1], rows[2]
        queries.decide(store, belarus.id, first["id"], "reject", note="not evidence")
        queries.decide(store, belarus.id, second["id"], "relink", new_indicator="exercises")
        queries.decide(store, belarus.id, third["id"], "accept", polarity="negated")
        relink(store, belarus)  # new link ids, same spans
        after = {
            (r["article_id"], r["start"], r["indicator_id"]): r
            for r in flat_links(store, belarus.id)
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
    from tocsin.errors import NotFound

    with Store.open(":memory:") as store, pytest.raises(NotFound, match="no link L99"):
        queries.decide(store, "c", 99, "reject")


def test_time_travel_uses_only_what_was_published(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        before = assess(store, belarus, as_of=date(2022, 3, 1), relink_if_stale=True)
        spring = assess(store, belarus, as_of=date(2022, 5, 31), relink_if_stale=True)
        full = assess(store, belarus, relink_if_stale=True)
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
        a = assess(store, case, link=True)
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
        board = {i.id: i for i in assess(store, extra, link=True).indicators}
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
        assess(store, belarus, link=True, record=True)
        stored = queries.forecasts(store)
        outcomes = {r.question_id: r.outcome for r in queries.resolutions(store)}
        queries.record_resolution(
            store, Resolution(belarus.id, "main", "H1", date(2023, 12, 31), "what if")
        )
        changed = assess(store, belarus, relink_if_stale=True, record=True)
    assert outcomes["main"] == "H2"
    assert outcomes["mobilisation-2022"] == "no"
    assert {f.method for f in stored} >= {"bayes", "actors"}
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


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Any, model_id: str | None = None) -> None:
        self.inner = inner
        self.texts = 0
        self.model_id = model_id or inner.model_id

    def encode(self, texts: Any, batch_size: int = 8) -> Any:
        self.texts += len(texts)
        return self.inner.encode(texts)


def test_sentence_vectors_are_cached_in_the_store(
    demo_db: Path, belarus: Case, embedder: Any
) -> None:
    counting = CountingEmbedder(embedder)
    with Store.open(demo_db) as store:
        relink(store, belarus, counting)  # type: ignore[arg-type]
        first = flat_links(store, belarus.id)
        cold = counting.texts
        relink(store, belarus, counting)  # type: ignore[arg-type]
        second = flat_links(store, belarus.id)
        cached = store.conn.execute("SELECT count(*) FROM sentence_embeddings").fetchone()[0]
    indicator_texts = sum(1 + len(i.examples) for i in belarus.indicators)
    assert cold > 200 + indicator_texts
    assert counting.texts - cold == indicator_texts  # only the indicators, again
    assert cached == cold - indicator_texts
    strip = [{k: v for k, v in r.items() if k != "id"} for r in first]
    assert strip == [{k: v for k, v in r.items() if k != "id"} for r in second]


def test_a_look_back_shows_only_what_was_published_by_then(demo_db: Path, belarus: Case) -> None:
    cut = date(2022, 5, 31)
    with Store.open(demo_db) as store:
        a = assess(store, belarus, as_of=cut, link=True)
    assert {art.published for art in a.articles} <= {date(2022, 3, 23), date(2022, 5, 20)}
    assert len(a.articles) == 2
    assert all(t.published is not None and t.published <= cut for t in a.timeline)
    assert all(
        f.published is not None and f.published <= cut for d in a.disagreements for f in d.figures
    )


def test_an_assessment_through_an_article_leaves_out_what_later_ones_brought(
    demo_db: Path, belarus: Case
) -> None:
    with Store.open(demo_db) as store:
        full = assess(store, belarus, link=True, record=True)
        recorded = queries.forecasts(store)
        ids = sorted(a.id for a in full.articles)
        cut = ids[1]
        through = assess(store, belarus, through=cut)
        assert queries.forecasts(store) == recorded  # a look back records nothing
        with pytest.raises(ValueError, match="records nothing"):
            assess(store, belarus, through=cut, record=True)
        nothing = assess(store, belarus, through=0)
    links = [e for e in full.evidence if e.kind == "link"]
    assert any((e.article_id or 0) > cut for e in links)  # the cut leaves some out
    kept = [e for e in through.evidence if e.kind == "link"]
    assert kept
    # The same links, by the ids they have now.
    assert {e.id for e in kept} == {e.id for e in links if (e.article_id or 0) <= cut}
    assert sorted(a.id for a in through.articles) == [i for i in ids if i <= cut]
    assert all(f.article_id <= cut for d in through.disagreements for f in d.figures)
    assert all(t.article_id <= cut for t in through.timeline)
    assert [e for e in nothing.evidence if e.kind == "link"] == []
    assert through.posterior.probabilities != full.posterior.probabilities


UNDATED = (
    "  - {id: U1, text: an undated rumour, source: Pentagon,\n"
    "     likelihoods: {H1: 0.9, H2: 0.1, H3: 0.1}}\n"
)


def test_undated_evidence_counts_only_on_all_the_evidence(demo_db: Path, belarus: Case) -> None:
    text = bundled_case_path().read_text("utf-8")
    case = parse_case(text.replace("\n# Side questions", UNDATED + "\n# Side questions", 1))
    with Store.open(demo_db) as store:
        full = assess(store, case, link=True, record=True)
        recorded = queries.forecasts(store)
        last_date = full.trajectory[-1][0]
        on_the_day = assess(store, case, as_of=last_date, relink_if_stale=True)
        assert queries.forecasts(store) == recorded  # a look back records nothing
    assert "U1" in {e.id for e in full.evidence}
    assert "U1" not in {e.id for e in on_the_day.evidence}
    assert on_the_day.posterior.probabilities == pytest.approx(full.trajectory[-1][1])
    assert full.posterior.probabilities["H1"] > full.trajectory[-1][1]["H1"]


def test_link_ids_stay_while_the_link_is_made_and_are_never_reused(
    demo_db: Path, belarus: Case
) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        before = {
            (r["article_id"], r["start"], r["indicator_id"]): r["id"]
            for r in flat_links(store, belarus.id)
        }
        relink(store, belarus)
        again = {
            (r["article_id"], r["start"], r["indicator_id"]): r["id"]
            for r in flat_links(store, belarus.id)
        }
        assert again == before
        fewer = belarus.model_copy(update={"indicators": belarus.indicators[1:]})
        relink(store, fewer)
        relink(store, belarus)
        back = {
            (r["article_id"], r["start"], r["indicator_id"]): r["id"]
            for r in flat_links(store, belarus.id)
        }
    dropped = {k for k in before if k[2] == belarus.indicators[0].id}
    assert dropped
    assert all(back[k] > max(before.values()) for k in dropped)  # new ids, old ones unused
    assert all(back[k] == before[k] for k in before.keys() - dropped)


def test_an_accepted_link_outlives_the_linker_dropping_it(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        row = next(r for r in flat_links(store, belarus.id) if r["indicator_id"] == "exercises")
        queries.decide(store, belarus.id, row["id"], "accept", note="a real drill")
        no_drills = belarus.model_copy(
            update={"indicators": [i for i in belarus.indicators if i.id != "exercises"]}
        )
        relink(store, no_drills)
        kept = [r for r in flat_links(store, belarus.id) if r["indicator_id"] == "exercises"]
    assert [(r["id"], r["method"], r["decision"]) for r in kept] == [
        (row["id"], "analyst", "accept")
    ]
    assert "kept by the analyst's decision" in kept[0]["reason"]


def test_reusing_links_relinks_when_the_case_file_changed(demo_db: Path, belarus: Case) -> None:
    sources = [
        s.model_copy(update={"reliability": "E"}) if s.name == "The Guardian" else s
        for s in belarus.sources
    ]
    regraded = belarus.model_copy(update={"sources": sources})
    with Store.open(demo_db) as store:
        relink(store, belarus)
        same = assess(store, belarus, relink_if_stale=True)
        changed = assess(store, regraded, relink_if_stale=True)
    guardian = [e for e in changed.evidence if e.source == "The Guardian"]
    assert guardian
    assert {e.reliability for e in guardian} == {"E"}
    assert changed.posterior.probabilities != same.posterior.probabilities


def test_a_changed_case_file_outcome_replaces_its_copy_but_not_a_resolution(
    demo_db: Path, belarus: Case
) -> None:
    with Store.open(demo_db) as store:
        assess(store, belarus, relink_if_stale=True, record=True)
        flipped = belarus.model_copy(update={"outcome": "H1"})
        assess(store, flipped, relink_if_stale=True, record=True)
        main = {r.question_id: r for r in queries.resolutions(store)}["main"]
        assert (main.outcome, main.origin) == ("H1", "case")
        queries.record_resolution(store, Resolution(belarus.id, "main", "H3", date(2024, 1, 1)))
        assess(store, belarus, relink_if_stale=True, record=True)
        main = {r.question_id: r for r in queries.resolutions(store)}["main"]
    assert (main.outcome, main.origin) == ("H3", "resolve")


def test_relinking_to_a_linked_indicator_or_a_plain_one_is_sane(
    demo_db: Path, belarus: Case
) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = flat_links(store, belarus.id)
        pair = next(_shared_spans(rows))
        queries.decide(
            store, belarus.id, pair[0]["id"], "relink", new_indicator=pair[1]["indicator_id"]
        )
        negated = next(r for r in rows if r["polarity"] == "negated")
        queries.decide(
            store, belarus.id, negated["id"], "relink", new_indicator="public-opposition"
        )
        evidence = evidence_rows(store, belarus)
    keys = [(e.article_id, e.start, e.indicator) for e in evidence if e.kind == "link"]
    assert len(keys) == len(set(keys))
    moved = next(e for e in evidence if e.id == f"L{negated['id']}")
    assert (moved.indicator, moved.polarity) == ("public-opposition", "seen")


def _sorted_links(store: Store, case_id: str) -> list[tuple[Any, ...]]:
    return sorted(
        (r["article_id"], r["start"], r["indicator_id"], r["polarity"], r["score"])
        for r in flat_links(store, case_id)
    )


def test_linking_in_chunks_makes_the_same_links(
    demo_db: Path, belarus: Case, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tocsin.assess.relink as module

    def links(store: Store) -> list[tuple[Any, ...]]:
        return _sorted_links(store, belarus.id)

    with Store.open(demo_db) as store:
        relink(store, belarus, embedder)
        whole = links(store)
        monkeypatch.setattr(module, "LINK_CHUNK", 7)
        counting = CountingEmbedder(embedder)
        relink(store, belarus, counting)  # type: ignore[arg-type]
        chunked = links(store)
    assert chunked == whole
    assert counting.texts == sum(1 + len(i.examples) for i in belarus.indicators)


def test_a_failure_while_saving_links_keeps_the_old_ones(demo_db: Path, belarus: Case) -> None:
    from dataclasses import replace as copy

    from tocsin.assess.link import link_units, units

    with Store.open(demo_db) as store:
        relink(store, belarus)
        before = flat_links(store, belarus.id)
        links = link_units(belarus, list(units(store, belarus)))
        wanted = {
            LinkKey(k.unit.article.article_id, k.unit.start, k.unit.end, k.indicator_id): (
                k.stored()
            )
            for k in links
        }
        last = list(wanted)[-1]
        wanted[last] = copy(wanted[last], polarity="sideways")  # fails the CHECK
        with pytest.raises(sqlite3.IntegrityError):
            queries.save_links(store, belarus.id, wanted)
        assert flat_links(store, belarus.id) == before


def test_kill_9_while_linking_leaves_a_consistent_store(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = flat_links(store, belarus.id)
    first = belarus.indicators[0].id
    expected = sum(r["indicator_id"] == first for r in rows)
    assert expected > 0
    script = (
        "import sys\n"
        "from tocsin.store.db import Store\n"
        "from tocsin.assess.case import load_case, bundled_case_path\n"
        "from tocsin.assess.relink import relink\n"
        "case = load_case(bundled_case_path())\n"
        "with Store.open(sys.argv[1]) as store:\n"
        "    relink(store, case)\n"
        "    print('ready', flush=True)\n"
        "    while True:\n"
        "        relink(store, case.model_copy(update={'indicators': case.indicators[1:]}))\n"
        "        relink(store, case)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(demo_db)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    conn = sqlite3.connect(demo_db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        full = conn.execute(
            "SELECT count(*) FROM evidence_links WHERE indicator_id = ?", (first,)
        ).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM evidence_links").fetchone()[0]
        state = conn.execute("SELECT case_hash FROM link_runs").fetchall()
    finally:
        conn.close()
    assert len(state) == 1
    assert total > 0
    assert full in (0, expected)  # the whole of one run or of the other, never half


def _methods(store: Store, case: Case) -> set[str]:
    return {r["method"] for r in flat_links(store, case.id)}


def test_links_made_without_embeddings_are_stale_for_an_embedder(
    demo_db: Path, belarus: Case, embedder: Any
) -> None:
    edited = belarus.model_copy(update={"question": belarus.question + " (edited)"})
    with Store.open(demo_db) as store:
        relink(store, belarus, embedder)
        assess(store, belarus, relink_if_stale=True)  # current: reused as they are
        assert "embedding" in _methods(store, belarus)
        assess(store, edited, relink_if_stale=True)  # stale, relinked by patterns
        assert _methods(store, edited) == {"pattern"}
        assess(store, edited, embedder=embedder, relink_if_stale=True)
        assert "embedding" in _methods(store, edited)
        assert not assess_stale(store, edited, embedder)


def assess_stale(store: Store, case: Case, embedder: Any) -> bool:
    from tocsin.assess.assessment import embedder_name, links_stale

    return links_stale(store, case, embedder_name(embedder))


def test_a_new_article_makes_the_links_stale(demo_db: Path, belarus: Case, tmp_path: Path) -> None:
    page = tmp_path / "new.txt"
    page.write_text(
        "Fresh report\n\nRussian troops are arriving in Belarus by train, officials said today.\n",
        "utf-8",
    )
    with Store.open(demo_db) as store:
        relink(store, belarus)
        assert not assess_stale(store, belarus, None)
        ingest([page], store=store, config=Config.load(workers=1))
        assert assess_stale(store, belarus, None)


def test_a_restored_link_takes_todays_dates_and_grades(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        row = next(r for r in flat_links(store, belarus.id) if r["indicator_id"] == "exercises")
        queries.decide(store, belarus.id, row["id"], "accept")
        title = store.article(row["article_id"]).title  # type: ignore[union-attr]
        notes = [n for n in belarus.articles if n.title.casefold() not in (title or "").casefold()]
        notes.append(
            belarus.articles[0].model_copy(update={"title": title, "published": date(2022, 12, 1)})
        )
        edited = belarus.model_copy(
            update={
                "articles": notes,
                "indicators": [i for i in belarus.indicators if i.id != "exercises"],
            }
        )
        relink(store, edited)
        relink(store, edited)  # a second run does not nest the reason
        kept = next(r for r in flat_links(store, belarus.id) if r["id"] == row["id"])
    assert kept["published"] == "2022-12-01"
    assert kept["method"] == "analyst"
    assert kept["reason"].count("kept by the analyst's decision") == 1


def test_the_analysts_relink_wins_over_the_linkers_own_link(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus)
        rows = flat_links(store, belarus.id)
        for pair in _shared_spans(rows):
            for mover, target in ((pair[0], pair[1]), (pair[1], pair[0])):
                new = target["indicator_id"]
                queries.decide(
                    store, belarus.id, mover["id"], "relink", new_indicator=new, polarity="negated"
                )
                where = (mover["article_id"], mover["start"], new)
                shown = [
                    e
                    for e in evidence_rows(store, belarus)
                    if (e.article_id, e.start, e.indicator) == where
                ]
                assert [(e.id, e.polarity) for e in shown] == [(f"L{mover['id']}", "negated")]
                queries.decide(store, belarus.id, mover["id"], "accept")
            break


def test_an_unnamed_embedder_is_not_cached(demo_db: Path, belarus: Case, embedder: Any) -> None:
    class Unnamed:
        def encode(self, texts: Any, batch_size: int = 8) -> Any:
            return embedder.encode(texts)

    with Store.open(demo_db) as store:
        relink(store, belarus, Unnamed())  # type: ignore[arg-type]
        cached = store.conn.execute("SELECT count(*) FROM sentence_embeddings").fetchone()[0]
    assert cached == 0


def test_an_outcome_dropped_from_the_case_file_is_forgotten(demo_db: Path, belarus: Case) -> None:
    with Store.open(demo_db) as store:
        assess(store, belarus, relink_if_stale=True, record=True)
        assess(
            store, belarus.model_copy(update={"outcome": None}), relink_if_stale=True, record=True
        )
        left = {r.question_id for r in queries.resolutions(store)}
    assert "main" not in left
    assert "mobilisation-2022" in left


def test_a_look_back_uses_only_earlier_analyst_forecasts_and_every_outcome(
    demo_db: Path, belarus: Case
) -> None:
    questions = [
        q.model_copy(update={"forecasts": {date(2022, 4, 1): 0.2, date(2022, 11, 15): 0.05}})
        if q.id == "mobilisation-2022" else q
        for q in belarus.questions
    ]  # fmt: skip
    case = belarus.model_copy(update={"questions": questions, "outcome": None})
    with Store.open(demo_db) as store:
        queries.record_resolution(store, Resolution(case.id, "main", "H2", date(2023, 12, 31)))
        a = assess(store, case, as_of=date(2022, 6, 30), link=True)
    analyst = [s for s in a.track.scores if s.method == "analyst"]
    assert [s.last_as_of for s in analyst] == [date(2022, 4, 1)]
    assert any(s.question_id == "main" for s in a.track.scores)


def _shared_spans(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The links of each sentence that links to two indicators or more."""
    by_span: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in rows:
        by_span.setdefault((r["article_id"], r["start"]), []).append(r)
    return (links for links in by_span.values() if len(links) >= 2)


def flat_links(store: Store, case_id: str) -> list[dict[str, Any]]:
    """The stored links of a case as `evidence list --json` prints them."""
    return [r.as_dict() for r in queries.link_rows(store, case_id)]


def evidence_rows(store: Store, case: Case) -> list[EvidenceRow]:
    return rows_of(case, queries.link_rows(store, case.id))


def test_the_link_model_links_the_same_in_chunks(
    demo_db: Path, belarus: Case, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tocsin.assess.relink as module

    case = belarus.model_copy(update={"linker": "model"})
    with Store.open(demo_db) as store:
        relink(store, case, embedder)
        whole = _sorted_links(store, case.id)
        monkeypatch.setattr(module, "LINK_CHUNK", 7)
        relink(store, case, embedder)
        chunked = _sorted_links(store, case.id)
        methods = _methods(store, case)
    # The same links; the scores equal but for float rounding in matrix products of
    # another shape.
    assert [r[:4] for r in chunked] == [r[:4] for r in whole]
    assert [r[4] for r in chunked] == pytest.approx([r[4] for r in whole], abs=1e-3)
    assert methods == {"model"}
    # Multi-label: some sentence is linked to more than one indicator.
    spans = [(a, s) for a, s, *_ in whole]
    assert len(spans) > len(set(spans))


def test_a_decision_makes_the_links_stale_and_the_linker_learns_from_it(
    demo_db: Path, belarus: Case, embedder: Any
) -> None:
    from tocsin.assess.relink import links_stale

    case = belarus.model_copy(update={"linker": "model"})
    with Store.open(demo_db) as store:
        relink(store, case, embedder)
        assert not links_stale(store, case)
        before = assess(store, case)
        assert "learned from 0 analyst decisions" in before.linking
        weakest = min(flat_links(store, case.id), key=lambda r: r["score"])
        queries.decide(store, case.id, weakest["id"], "reject")
        assert links_stale(store, case)  # what the linker learned has changed
        after = assess(store, case, embedder=embedder, relink_if_stale=True)
        assert not links_stale(store, case)
        assert "learned from 1 analyst decision and" in after.linking
        # The rejected sentence is now a counter-example of its indicator: it is nearer to
        # itself than to any example, so its probability is weighed down...
        again = [
            r
            for r in flat_links(store, case.id)
            if (r["article_id"], r["start"], r["indicator_id"])
            == (weakest["article_id"], weakest["start"], weakest["indicator_id"])
            and r["method"] == "model"
        ]
        # The weakest link's probability sat just over the threshold; multiplied by the
        # shipped counter-example factor (below 1) it falls under it.
        assert again == []


def test_each_trajectory_point_is_the_assessment_as_of_its_date(
    demo_db: Path, belarus: Case, embedder: Any
) -> None:
    with Store.open(demo_db) as store:
        relink(store, belarus, embedder)
        full = assess(store, belarus)
        assert len(full.trajectory) >= 3
        for day, point in full.trajectory:
            then = assess(store, belarus, as_of=day)
            assert point == pytest.approx(then.posterior.probabilities), day
