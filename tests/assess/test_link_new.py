"""Linking only what is new: the articles stored since a case's links were made are linked
and added (``relink.link_new``, what `tocsin watch` does each cycle), and the case's links
are then those a whole relink makes; anything else changed asks for a whole relink."""

from __future__ import annotations

import shutil
from pathlib import Path

from tocsin.assess.case import Case
from tocsin.assess.relink import link_new, links_stale, relink
from tocsin.config import Config
from tocsin.demo import articles_dir
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store import assessment as stored
from tocsin.store.db import Store


def _links(db: Path, case: Case) -> dict[object, object]:
    with Store.open(db) as store:
        return {r.key: r.fields for r in stored.link_rows(store, case.id)}


def _split_demo(tmp_path: Path) -> tuple[Path, Path]:
    """The demo's articles in two folders: the first two, then the other three."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for n, path in enumerate(sorted(articles_dir().glob("*.txt"))):
        shutil.copy(path, (first if n < 2 else later) / path.name)
    return first, later


def _store(db: Path, *folders: Path) -> None:
    with Store.open(db) as store:
        ingest(list(folders), store=store, config=Config.load(workers=1))
        extract(store, workers=1)


def test_new_articles_linked_alone_give_the_links_of_a_whole_relink(
    tmp_path: Path, belarus: Case
) -> None:
    first, later = _split_demo(tmp_path)
    db = tmp_path / "step.db"
    _store(db, first)
    with Store.open(db) as store:
        relink(store, belarus)
        assert link_new(store, belarus) == 0  # nothing new
        kept = {r.key: r.id for r in stored.link_rows(store, belarus.id)}
    _store(db, later)
    with Store.open(db) as store:
        assert links_stale(store, belarus)
        added = link_new(store, belarus)
        assert added is not None
        assert added > 0
        assert not links_stale(store, belarus)
        # The links made before keep their ids: alerts and decisions still point at them.
        assert {r.key: r.id for r in stored.link_rows(store, belarus.id) if r.key in kept} == kept
    whole = tmp_path / "whole.db"
    _store(whole, first, later)
    with Store.open(whole) as store:
        relink(store, belarus)
    assert _links(db, belarus) == _links(whole, belarus)


def test_anything_else_changed_asks_for_a_whole_relink(tmp_path: Path, belarus: Case) -> None:
    first, later = _split_demo(tmp_path)
    db = tmp_path / "step.db"
    _store(db, first)
    with Store.open(db) as store:
        assert link_new(store, belarus) is None  # never linked
        relink(store, belarus)
        link = stored.link_rows(store, belarus.id)[0]
        stored.decide(store, belarus.id, link.id, "reject")  # the linker learns from it
    _store(db, later)
    with Store.open(db) as store:
        assert link_new(store, belarus) is None
        other = belarus.model_copy(update={"linker": "model"})
        assert link_new(store, other) is None
