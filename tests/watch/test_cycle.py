"""A cycle: only what is new goes through, only the cases it feeds are re-assessed, and
the store remembers each source and each cycle."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tocsin.assess.assessment import assess
from tocsin.assess.case import bundled_case_path
from tocsin.assess.relink import relink
from tocsin.ingest.pipeline import ingest
from tocsin.store import assessment as stored
from tocsin.store import watch as state
from tocsin.store.db import Store
from tocsin.store.desk import save_case_file
from tocsin.store.evidence import unextracted
from tocsin.watch.cycle import CycleOptions, CycleResult, due, run_cycle, stored_case
from tocsin.watch.sources import Source, parse_sources

from .conftest import CASE, RULES, copy_articles, demo_articles, folder_sources, watched_folder

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_second_cycle_with_nothing_new_does_nothing_and_a_new_file_is_taken(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    articles = demo_articles()
    folder, sources = watched_folder(tmp_path, articles[:3])

    first = run_cycle(case_store, sources, T0, options)
    assert first.ok, first.failures
    assert (first.new_articles, first.extracted) == (3, 3)
    before, after = first.cases[CASE]
    assert before is None  # never assessed before
    assert after.case.id == CASE
    recorded = len(stored.forecasts(case_store))
    assert recorded > 0  # the forecasts are kept, as `tocsin assess --record` keeps them

    # Not due yet: nothing is polled.
    early = run_cycle(case_store, sources, T0 + timedelta(seconds=10), options)
    assert (early.polls, early.cases) == ([], {})

    # Due, nothing new: polled, nothing ingested, extracted or assessed.
    idle = run_cycle(case_store, sources, T0 + timedelta(seconds=31), options)
    assert [p.name for p in idle.polls] == ["drop"]
    assert (idle.new_articles, idle.extracted, idle.cases) == (0, 0, {})
    assert idle.polls[0].unchanged == 3
    assert len(stored.forecasts(case_store)) == recorded

    # A new file: ingested, extracted, the case re-assessed from where it was.
    shutil.copy(articles[3], folder / articles[3].name)
    fresh = run_cycle(case_store, sources, T0 + timedelta(seconds=62), options)
    assert fresh.ok, fresh.failures
    assert (fresh.new_articles, fresh.extracted) == (1, 1)
    before, _again = fresh.cases[CASE]
    assert before is not None
    assert before.posterior.probabilities == pytest.approx(after.posterior.probabilities)
    assert len(case_store.conn.execute("SELECT id FROM articles").fetchall()) == 4
    assert len(stored.forecasts(case_store)) > recorded

    rows = state.cycles(case_store)
    assert [r.status for r in rows] == ["done"] * 4
    assert [(r.new_articles, r.extracted, r.cases_assessed) for r in rows] == [
        (1, 1, 1), (0, 0, 0), (0, 0, 0), (3, 3, 1)
    ]  # fmt: skip
    kept = state.source_state(case_store, "drop")
    assert kept is not None
    assert kept.last_polled == T0 + timedelta(seconds=62)
    assert kept.next_due == T0 + timedelta(seconds=92)
    assert kept.last_error is None


def test_a_source_feeds_only_its_cases(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    copy_articles(folder, demo_articles()[:1])
    text = f"sources:\n  - {{name: d, kind: folder, path: '{folder}', every: 1m, cases: [other]}}\n"
    result = run_cycle(case_store, parse_sources(text).sources, T0, options)
    assert result.new_articles == 1
    assert CASE not in result.cases
    # The source names a case the store does not keep: said, and the rest is done.
    assert result.failures == [
        ("case other", "no case 'other' in the store: give its file with --case, or assess it once")
    ]
    assert state.cycles(case_store)[0].status == "done"


def test_a_source_that_cannot_be_read_is_recorded_and_the_cycle_goes_on(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    copy_articles(folder, demo_articles()[:1])
    text = (
        "sources:\n"
        f"  - {{name: broken, kind: gdelt, path: '{tmp_path / 'none.csv'}', every: 1m}}\n"
        f"  - {{name: drop, kind: folder, path: '{folder}', every: 1m}}\n"
    )
    sources = parse_sources(text).sources
    result = run_cycle(case_store, sources, T0, options)
    assert result.new_articles == 1
    assert [w for w, _why in result.failures] == ["source broken"]
    broken = state.source_state(case_store, "broken")
    assert broken is not None
    assert broken.last_error is not None
    assert "cannot read" in broken.last_error
    assert broken.last_ok is None
    assert broken.next_due == T0 + timedelta(minutes=1)  # tried again next time, not at once
    assert [s.name for s in due(sources, case_store, T0 + timedelta(seconds=30))] == []
    # Within its slack (a tenth of the interval) a source counts as due.
    assert len(due(sources, case_store, T0 + timedelta(seconds=55))) == 2


def test_a_cycle_found_running_is_marked_interrupted_and_its_cases_redone(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    copy_articles(folder, demo_articles()[:1])
    sources = folder_sources(folder)
    run_cycle(case_store, sources, T0, options)
    killed = state.start_cycle(case_store, T0 + timedelta(seconds=40))  # as a kill leaves it
    later = run_cycle(case_store, sources, T0 + timedelta(seconds=41), options)
    assert later.recovered
    assert later.new_articles == 0
    assert CASE in later.cases  # every case re-assessed: the lost cycle may have reached it
    rows = {r.id: r for r in state.cycles(case_store)}
    assert (rows[killed].status, rows[killed].error) == ("failed", state.INTERRUPTED)
    assert rows[later.cycle_id].status == "done"


def test_an_input_that_fails_is_told_once_and_the_rest_is_stored(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    copy_articles(folder, demo_articles()[:1])
    (folder / "empty.txt").write_bytes(b"")
    sources = folder_sources(folder)
    first = run_cycle(case_store, sources, T0, options)
    assert first.new_articles == 1
    assert [(w.rsplit("/", 1)[-1], why.split(":")[0]) for w, why in first.failures] == [
        ("empty.txt", "empty")
    ]
    assert first.polls[0].failed == 1
    again = run_cycle(case_store, sources, T0 + timedelta(minutes=1), options)
    assert again.failures == []  # recorded in the store (`tocsin status`), told once
    assert again.polls[0].failed == 1


def test_a_stop_ends_the_cycle_after_its_step_and_the_next_redoes_it(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    import threading

    from tocsin.watch.loop import watch

    sources = folder_sources(tmp_path / "nothing-yet")
    stop = threading.Event()
    stop.set()
    stopped = run_cycle(case_store, sources, T0, options, stop=stop)
    assert stopped.stopped
    assert (stopped.polls, stopped.cases) == ([], {})
    assert (state.cycles(case_store)[0].status, state.cycles(case_store)[0].error) == (
        "failed", "stopped"
    )  # fmt: skip
    # The loop: one cycle, then the stop set by whoever reads the result ends it at once.
    seen = []
    stop = threading.Event()

    def on_cycle(result: object) -> None:
        seen.append(result)
        stop.set()

    assert watch(case_store, sources, options, stop=stop, on_cycle=on_cycle) == 1
    assert seen[0].recovered  # the stopped cycle's cases are re-assessed
    assert CASE in seen[0].cases


def test_the_last_cycles_assessment_is_the_next_ones_before_while_it_holds(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    articles = demo_articles()
    folder, sources = watched_folder(tmp_path, articles[:2])
    _, first = run_cycle(case_store, sources, T0, options).cases[CASE]
    case = stored_case(case_store, CASE)

    # A new article, nothing else: 'before' is the last cycle's assessment, and it is what
    # scoring the store afresh gives (the new article carries no link yet).
    copy_articles(folder, articles[2:3])
    second = run_cycle(case_store, sources, T0 + timedelta(seconds=31), options).cases[CASE]
    assert second[0] is first
    copy_articles(folder, articles[3:4])
    ingest([folder / articles[3].name], store=case_store, config=options.config)
    fresh = assess(case_store, case)
    kept = options.last[CASE].assessment
    assert kept is second[1]
    assert [r.id for r in fresh.evidence] == [r.id for r in kept.evidence]
    assert fresh.posterior.probabilities == kept.posterior.probabilities
    assert fresh.trajectory == kept.trajectory

    # An analyst's decision between cycles: the kept one no longer holds; scored again.
    link = next(r for r in stored.link_rows(case_store, CASE) if r.decision is None)
    stored.decide(case_store, CASE, link.id, "reject")
    copy_articles(folder, articles[4:5])
    third = run_cycle(case_store, sources, T0 + timedelta(seconds=62), options)
    before, _ = third.cases[CASE]
    assert before is not None
    assert before is not kept
    assert f"L{link.id}" not in {r.id for r in before.evidence if r.weight > 0}


QUIET = (
    "The regional harvest of potatoes came in above last year's figure, the cooperative said. "
    "Rain in September slowed the work on the northern fields for a week. Prices at the "
    "market in the town held steady through the month. Number {n} of a quiet series.\n"
)


def _ruled(store: Store, tmp_path: Path) -> tuple[list[Path], Path, list[Source]]:
    """The demo's articles; the case kept with two indicator rules; a watched folder
    holding the first article."""
    text = bundled_case_path().read_text(encoding="utf-8") + RULES
    save_case_file(store, CASE, text, origin="case file")
    articles = demo_articles()
    return (articles, *watched_folder(tmp_path, articles[:1]))


def test_the_articles_a_rule_waits_for_are_read_linked_and_rung_first(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    articles, folder, sources = _ruled(case_store, tmp_path)
    run_cycle(case_store, sources, T0, options)  # the case's links made

    # Stored before the urgent articles (a folder is read in name order): those are read
    # ahead of articles not yet extracted.
    for n in range(6):
        (folder / f"0-quiet-{n}.txt").write_text(QUIET.format(n=n), encoding="utf-8")
    copy_articles(folder, articles[1:])
    staged: list[tuple[CycleResult, list[int]]] = []
    options.on_stage = lambda result: staged.append((result, unextracted(case_store)))
    result = run_cycle(case_store, sources, T0 + timedelta(seconds=31), options)
    assert result.ok, result.failures

    ((early, waiting),) = staged
    assert early.stage == "urgent"
    (before, after) = early.cases[CASE]
    watched = {"russian-troops-arrive", "joint-grouping"}
    fresh = {r.article_id for r in after.evidence if r.indicator in watched} - {
        r.article_id for r in before.evidence
    }
    assert fresh  # the urgent articles' links are in
    assert len(waiting) >= 6  # ... while the quiet ones wait to be extracted
    assert not fresh & set(waiting)
    final_before, final = result.cases[CASE]
    assert final_before is after  # the final stage starts from the urgent one
    assert result.stage == "done"
    assert unextracted(case_store) == []

    # Linked in two stages, the links are those a whole relink makes.
    staged_links = {r.key for r in stored.link_rows(case_store, CASE)}
    relink(case_store, stored_case(case_store, CASE))
    assert {r.key for r in stored.link_rows(case_store, CASE)} == staged_links
    assert len([r for r in final.evidence if r.kind == "link"]) == len(staged_links)


def test_a_cycle_yields_to_a_due_source_and_the_next_one_finishes_the_work(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    articles = demo_articles()
    folder, sources = watched_folder(tmp_path, articles[:1])
    run_cycle(case_store, sources, T0, options)
    for n in range(10):
        (folder / f"quiet-{n}.txt").write_text(QUIET.format(n=n), encoding="utf-8")
    copy_articles(folder, articles[1:])

    # The source falls due again while the cycle extracts: it stops after a batch.
    later = T0 + timedelta(seconds=31)
    options.clock = lambda: later + timedelta(seconds=40)
    cut = run_cycle(case_store, sources, later, options, defer=True)
    assert cut.ok, cut.failures
    assert cut.deferred == len(unextracted(case_store)) > 0
    assert cut.extracted < 14
    state = stored.link_state(case_store, CASE)
    assert state is not None
    assert state.last_article < stored.last_article(case_store)  # linked as far as extracted
    assert CASE in cut.cases

    # The next cycle finds nothing new in the folder and finishes the work left.
    done = run_cycle(case_store, sources, later + timedelta(seconds=40), options)
    assert done.ok, done.failures
    assert (done.new_articles, done.deferred) == (0, 0)
    assert done.extracted == cut.deferred
    assert unextracted(case_store) == []
    assert CASE in done.cases
    links = {r.key for r in stored.link_rows(case_store, CASE)}
    relink(case_store, stored_case(case_store, CASE))
    assert {r.key for r in stored.link_rows(case_store, CASE)} == links


def test_the_newest_article_when_the_first_unfinished_cycle_began_is_kept(
    case_store: Store, options: CycleOptions
) -> None:
    articles = demo_articles()
    assert state.unfinished_since(case_store) is None  # no cycle yet
    first = state.start_cycle(case_store, T0)
    assert state.unfinished_since(case_store) == 0  # the running cycle's: no article yet
    state.finish_cycle(case_store, first, T0, new_articles=0, extracted=0, cases_assessed=0)
    assert state.unfinished_since(case_store) is None  # every cycle done
    ingest([articles[0]], store=case_store, config=options.config)
    had = stored.last_article(case_store)
    state.start_cycle(case_store, T0 + timedelta(seconds=30))  # killed after its ingest:
    ingest([articles[1]], store=case_store, config=options.config)
    state.start_cycle(case_store, T0 + timedelta(seconds=60))  # ... and this one too
    assert stored.last_article(case_store) > had > 0
    assert state.unfinished_since(case_store) == had


def test_a_cycle_lost_before_its_bell_rang_rings_in_the_next(
    case_store: Store, options: CycleOptions, tmp_path: Path
) -> None:
    from tocsin.assess.alerts import evaluate

    articles, folder, sources = _ruled(case_store, tmp_path)
    _, first = run_cycle(case_store, sources, T0, options).cases[CASE]
    had = stored.last_article(case_store)

    # The next cycle links and assesses the other articles, then dies before its bell rings.
    copy_articles(folder, articles[1:])

    def crash(_result: CycleResult) -> None:
        raise KeyboardInterrupt

    options.on_assessed = crash
    with pytest.raises(KeyboardInterrupt):
        run_cycle(case_store, sources, T0 + timedelta(seconds=31), options)
    lost = state.cycles(case_store)[0]
    assert (lost.status, lost.error) == ("failed", state.INTERRUPTED)
    linked = {r.key.article_id for r in stored.link_rows(case_store, CASE)}
    assert max(linked) > had  # its links were made

    # A new watcher (nothing kept in memory): 'before' is the case before the lost articles.
    again = run_cycle(case_store, sources, T0 + timedelta(seconds=62), CycleOptions(
        config=options.config))  # fmt: skip
    assert again.recovered
    assert again.new_articles == 0
    before, after = again.cases[CASE]
    assert before is not None
    assert {r.article_id for r in before.evidence if r.kind == "link"} <= set(range(had + 1))
    assert {r.id for r in before.evidence} == {r.id for r in first.evidence}
    assert before.posterior.probabilities == pytest.approx(first.posterior.probabilities)
    case = stored_case(case_store, CASE)
    fired = [a for a in evaluate(case, before, after, T0) if a.kind == "indicator"]
    assert fired  # the rules fire on what the lost cycle brought
    assert {a.rule_id for a in fired} <= {"troops", "grouping"}
    brought = {r.id for r in after.evidence} - {r.id for r in before.evidence}
    assert all(e.id in brought for a in fired for e in a.evidence)
    # Scored from the links as they are, 'before' would be 'after': nothing would ring.
    assert [a for a in evaluate(case, after, after, T0) if a.kind == "indicator"] == []
