"""The desk's hold on the store: one connection per worker thread, the cases the store
keeps, and each case's assessment, cached until something it reads changes.

Pages are rendered in Starlette's thread pool, so each thread keeps its own SQLite
connection (WAL: readers never wait for a writer). Every write is one short transaction
that waits for the write lock up to the store's busy timeout, so a decision made while
``ingest`` writes waits its turn instead of failing with "database is locked".

An assessment reads every stored article, which on a large store takes seconds; the desk
reads the texts of the articles the case's links point into only (``load(texts="linked")``),
keeps what it read (``CaseData``) per case and re-reads only what moved: the links after a
decision (a query on one case's rows), everything when an article was added or the links
were remade. The parts of an assessment no link moves (the conflicting figures and the
timeline, from every stored article) are kept per date beside it and reused after a
decision, so that scoring the links is what a decision costs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tocsin.assess.assessment import load
from tocsin.assess.case import Case, parse_case
from tocsin.assess.score import (
    ActorResult,
    Assessment,
    CaseData,
    Disagreement,
    TimelineEvent,
    actor_model,
    disagreements,
    score,
    timeline,
)
from tocsin.errors import NotFound
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.db import Store

if TYPE_CHECKING:
    from tocsin.store.desk import CaseVersion

MAX_CACHED_VIEWS = 64  # as-of assessments kept per desk (time travel), least recent dropped
T = TypeVar("T")


@dataclass
class _CaseCache:
    """What one case's assessments were computed from, and the latest of them."""

    sha: str
    case: Case
    actors: ActorResult | None = None  # the actor model, run when first assessed
    data: CaseData | None = None
    data_mark: tuple[object, ...] = ()
    links_mark: tuple[object, ...] = ()
    views: dict[date | None, Assessment] = field(default_factory=dict)
    backgrounds: dict[date | None, Background] = field(default_factory=dict)


class Desk:
    """The store behind one ``tocsin serve``: connections, cases and cached assessments."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._local = threading.local()
        self._lock = threading.Lock()  # guards _cases; scoring itself runs outside it
        self._cases: dict[str, _CaseCache] = {}
        self._stores: list[Store] = []
        with self.store() as store:  # created and migrated once, before any request
            store.conn.execute("SELECT 1")

    # -- connections --------------------------------------------------------------------

    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's connection to the store, opened on first use."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.db, any_thread=True)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        yield store

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()

    # -- cases --------------------------------------------------------------------------

    def case_ids(self) -> list[str]:
        with self.store() as store:
            return kept.case_ids(store)

    def case(self, case_id: str) -> Case:
        """The case as its newest saved version says; NotFound if the store has none."""
        return self._cache(case_id).case

    def _cache(self, case_id: str) -> _CaseCache:
        with self.store() as store:
            version = kept.case_file(store, case_id)
        if version is None:
            raise NotFound(f"no case {case_id!r} in this store")
        with self._lock:
            cached = self._cases.get(case_id)
            if cached is not None and cached.sha == version.sha256:
                return cached
        fresh = self._parse(version)
        with self._lock:
            self._cases[case_id] = fresh
        return fresh

    @staticmethod
    def _parse(version: CaseVersion) -> _CaseCache:
        case = parse_case(version.text, f"{version.case_id} v{version.version}")
        return _CaseCache(version.sha256, case)

    # -- assessments --------------------------------------------------------------------

    def assessment(self, case_id: str, as_of: date | None = None) -> Assessment:
        """The case's assessment as of ``as_of`` from what the store holds now."""
        cached = self._cache(case_id)
        with self.store() as store:
            data_mark, links_mark = _marks(store, case_id)
            data = cached.data
            if data is None or cached.data_mark != data_mark:
                data = load(store, cached.case, texts="linked")
            elif cached.links_mark != links_mark:
                data = replace(data, links=stored.link_rows(store, case_id))
        with self._lock:
            if cached.data is not data:
                if cached.data is None or cached.data.figures is not data.figures:
                    cached.backgrounds = {}  # read again: the figures and events may differ
                cached.data, cached.views = data, {}
            cached.data_mark, cached.links_mark = data_mark, links_mark
            view = cached.views.get(as_of)
            background = cached.backgrounds.get(as_of)
        if view is not None:
            return view
        if background is None:
            background = _background(data, as_of)
        # Scored without figures and events, which only the background reads (``score``):
        # after a decision the background of the same data is reused as it is.
        if cached.actors is None:  # its Monte Carlo takes a second: not for the cases page
            cached.actors = actor_model(cached.case)
        core = score(cached.case, replace(data, figures=[], events=[]), as_of, cached.actors)
        view = replace(core, disagreements=background[0], timeline=background[1])
        with self._lock:
            if cached.data is data:
                _keep(cached.views, as_of, view)
                _keep(cached.backgrounds, as_of, background)
        return view

    def forget(self, case_id: str) -> None:
        """Drop what the desk keeps of the case (after its case file changed)."""
        with self._lock:
            self._cases.pop(case_id, None)


Background = tuple[list[Disagreement], list[TimelineEvent]]


def _background(data: CaseData, as_of: date | None) -> Background:
    """The parts of an assessment no link moves: the conflicting figures and the timeline,
    from the store's articles as of ``as_of`` (``score`` makes them so)."""
    articles = {a.id: a for a in data.articles}
    return disagreements(data.figures, articles, as_of), timeline(data.events, articles, as_of)


def _keep(kept: dict[date | None, T], as_of: date | None, value: T) -> None:
    """Keep ``value`` for ``as_of``, dropping the oldest beyond ``MAX_CACHED_VIEWS``."""
    if as_of not in kept and len(kept) >= MAX_CACHED_VIEWS:
        kept.pop(next(iter(kept)))
    kept[as_of] = value


def _marks(store: Store, case_id: str) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """What the case's kept data depends on: (articles, extraction and the case's link
    run; the analysts' decisions on its links). A change of the first re-reads everything,
    of the second only the links."""
    row = store.conn.execute(
        """SELECT (SELECT max(id) FROM articles),
                  (SELECT count(*) FROM extractions),
                  (SELECT linked_at FROM link_runs WHERE case_id = :case),
                  (SELECT max(made_at) FROM forecasts WHERE case_id != :case),
                  (SELECT max(recorded_at) FROM resolutions),
                  (SELECT max(id) FROM audit_log WHERE case_id = :case
                     AND action LIKE 'link.%')""",
        {"case": case_id},
    ).fetchone()
    return tuple(row[:5]), (row[2], row[5])
