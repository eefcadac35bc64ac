"""The desk's assessments are the full ones: read with the linked articles' texts only,
the figures and timeline kept across decisions, they equal ``score`` on everything ``load``
reads, before and after a decision, now and as of earlier dates; on the demo store and on a
synthetic store of a few hundred articles (bench/synthetic_store.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench, make_good_article
from tests.serve.conftest import CASE

from tocsin.assess.assessment import load, to_dict
from tocsin.assess.case import parse_case
from tocsin.assess.score import score
from tocsin.config import Config
from tocsin.ingest.pipeline import ingest
from tocsin.serve import state
from tocsin.serve.state import Desk
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.desk import case_file
from tocsin.store.evidence import span_facts

DATES = (None, date(2022, 3, 1), date(2022, 9, 30))


def _full(db: Path, case_id: str, as_of: date | None) -> str:
    """The assessment from every article's text, as ``tocsin assess`` makes it."""
    with Store.open(db) as store:
        version = case_file(store, case_id)
        assert version is not None
        case = parse_case(version.text, case_id)
        return _json(to_dict(score(case, load(store, case), as_of)))


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str, sort_keys=True)


def _same_before_and_after_a_decision(db: Path, case_id: str) -> None:
    desk = Desk(db)
    try:
        for as_of in DATES:
            assert _json(to_dict(desk.assessment(case_id, as_of))) == _full(db, case_id, as_of)
        with Store.open(db) as store:
            first, second = (row.id for row in stored.link_rows(store, case_id)[:2])
            stored.decide(store, case_id, first, "reject", analyst="anna")
            stored.decide(store, case_id, second, "accept", analyst="ben")
        # At once after the decisions: the bottom line, from the last day alone.
        quick = desk.bottom_line(case_id)
        full = json.loads(_full(db, case_id, None))
        assert not quick.whole
        assert quick.posterior.probabilities == full["posterior"]
        assert len(quick.evidence) == len(full["evidence"])
        last = [{"date": d.isoformat(), "probabilities": p} for d, p in quick.trajectory]
        assert last == full["trajectory"][-1:]
        for as_of in DATES:
            assert _json(to_dict(desk.assessment(case_id, as_of))) == _full(db, case_id, as_of)
        assert desk.bottom_line(case_id) is desk.assessment(case_id)  # the whole, once held
    finally:
        desk.close()


def test_the_desk_assesses_the_demo_as_tocsin_assess_does(desk_db: Path) -> None:
    _same_before_and_after_a_decision(desk_db, CASE)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 synthetic articles, 2 cases of 60 links each, built once for the module."""
    builder = load_bench("synthetic_store")
    db = tmp_path_factory.mktemp("synthetic") / "store.db"
    builder.build(db, articles=400, cases=2, links=60, say=lambda _line: None)
    return db


def test_the_desk_assesses_a_larger_store_as_tocsin_assess_does(
    synthetic: Path, tmp_path: Path
) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(synthetic.read_bytes())
    _same_before_and_after_a_decision(db, "case-02")


def test_the_desk_reads_the_texts_of_linked_articles_only(synthetic: Path) -> None:
    with Store.open(synthetic) as store:
        version = case_file(store, "case-01")
        assert version is not None
        case = parse_case(version.text, "case-01")
        full, linked = load(store, case), load(store, case, texts="linked")
    assert [a.id for a in linked.articles] == [a.id for a in full.articles]
    quoted = {a.id for a in linked.articles if a.text}
    assert quoted == {row.key.article_id for row in linked.links}
    assert len(quoted) < len(full.articles)
    for mine, theirs in zip(linked.articles, full.articles, strict=True):
        assert (mine.title, mine.published, mine.outlet) == (
            theirs.title,
            theirs.published,
            theirs.outlet,
        )
        if mine.id in quoted:
            assert mine == theirs
        else:
            assert (mine.text, mine.sentences) == ("", ())
    # Span facts are read for the linked articles only: they are all the scoring reads.
    assert {f.article_id for f in linked.facts} <= {row.key.article_id for row in linked.links}


def test_span_facts_of_some_articles_are_theirs_among_all(synthetic: Path) -> None:
    with Store.open(synthetic) as store:
        every = span_facts(store)
        some = span_facts(store, [3, 5, 8, 400])
        assert span_facts(store, []) == []
    assert some == [f for f in every if f.article_id in {3, 5, 8, 400}]
    assert {f.kind for f in some} == {"entity", "figure", "day"}


def test_articles_arriving_in_a_large_store_are_read_in_the_background(
    desk_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept assessment is served at once; the new article joins it when the background
    read is done, with the numbers carried over (nothing they score from moved)."""
    monkeypatch.setattr(state, "SYNC_READ_SECONDS", 0.0)  # every store counts as large
    desk = Desk(desk_db)
    try:
        before = desk.assessment(CASE)
        page = tmp_path / "new.html"
        page.write_text(make_good_article(seed=77), encoding="utf-8")
        with Store.open(desk_db) as store:
            assert ingest([page], store=store, config=Config.load(workers=1)).added_count == 1
        assert desk.assessment(CASE) is before  # served at once, the read in the background
        desk.settle()
        after = desk.assessment(CASE)
        assert len(after.articles) == len(before.articles) + 1
        assert after.posterior is before.posterior  # carried over, not scored again
        assert _json(to_dict(after)) == _full(desk_db, CASE, None)
    finally:
        desk.settle()
        desk.close()
