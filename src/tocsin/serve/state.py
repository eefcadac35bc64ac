"""The desk's hold on the store: one connection per worker thread, the cases the store
keeps, and each case's assessment, cached until something it reads changes.

Pages are rendered in Starlette's thread pool, so each thread keeps its own SQLite
connection (WAL: readers never wait for a writer). Every write is one short transaction
that waits for the write lock up to the store's busy timeout, so a decision made while
``ingest`` writes waits its turn instead of failing with "database is locked".

An assessment reads every stored article, which on a large store takes seconds; the desk
reads the texts of the articles the case's links point into only (``load(texts="linked")``),
keeps what it read (``CaseData``) per case and re-reads only what moved: the links after a
decision, the other cases' forecasts and the outcomes when they change, everything when the
links were remade. Articles that arrive (an ``ingest`` running) are read at once on a small
store; on a large one (a whole read over ``SYNC_READ_SECONDS``) in a thread, the kept
assessment served meanwhile, then carried over to them without scoring again, since
nothing it scores from moved. The store's grouped figures and dated events, the same for
every case, are read once for all cases. The parts of an assessment no link moves (the
conflicting figures and the timeline, from every stored article) are kept per date beside
it and reused after a decision, so that scoring the links is what a decision costs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

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
from tocsin.models.evidence import EventRow, FigureRow
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.db import Store
from tocsin.store.evidence import dated_events, grouped_figures

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder
    from tocsin.store.desk import CaseVersion

LOG = logging.getLogger("tocsin.serve")
MAX_CACHED_VIEWS = 64  # as-of assessments kept per desk (time travel), least recent dropped
T = TypeVar("T")


# A whole read of a case's data that took less than this is done again at once when articles
# arrive; a longer one (a large store) is done in a thread, the kept data serving meanwhile.
SYNC_READ_SECONDS = 1.0


@dataclass
class _CaseCache:
    """What one case's assessments were computed from, and the latest of them."""

    sha: str
    case: Case
    actors: ActorResult | None = None  # the actor model, run when first assessed
    data: CaseData | None = None
    marks: stored.Marks | None = None
    linked: frozenset[int] = frozenset()  # the articles whose texts and facts data holds
    read_seconds: float = 0.0  # what the last whole read took
    refresh: threading.Thread | None = None  # a whole read running in the background
    views: dict[date | None, Assessment] = field(default_factory=dict)
    backgrounds: dict[date | None, Background] = field(default_factory=dict)
    quick: Assessment | None = None  # the bottom line of data now, while no view is whole


@dataclass(frozen=True)
class _Common:
    """What every case reads alike, read once for all: the store's grouped figures and
    dated events, as of its articles mark."""

    mark: tuple[object, ...]
    figures: list[FigureRow]
    events: list[EventRow]


class Desk:
    """The store behind one ``tocsin serve``: connections, cases and cached assessments."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._local = threading.local()
        self._lock = threading.Lock()  # guards _cases; scoring itself runs outside it
        self._cases: dict[str, _CaseCache] = {}
        self._common: _Common | None = None
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
        """The case's assessment as of ``as_of`` from what the store holds now (articles
        that just arrived in a large store join it when their background read is done)."""
        cached = self._cache(case_id)
        data = self._data(cached)
        with self._lock:
            view = cached.views.get(as_of) if cached.data is data else None
        if view is not None:
            return view
        view = self._scored(cached, data, as_of, "all")
        with self._lock:
            if cached.data is data:
                _keep(cached.views, as_of, view)
        return view

    def bottom_line(self, case_id: str) -> Assessment:
        """The case's assessment as of now, whole if the desk holds it, else with the last
        day of its trajectory only (``score(days="last")``): what a decision's reply and
        summary.json give at once, the whole being scored when a page needs it (a decision
        moves the trajectory from its link's date on: some days of work)."""
        cached = self._cache(case_id)
        data = self._data(cached)
        with self._lock:
            current = cached.data is data
            view = cached.views.get(None) if current else None
            quick = cached.quick if current else None
        if view is not None:
            return view
        if quick is not None:
            return quick
        quick = self._scored(cached, data, None, "last")
        with self._lock:
            if cached.data is data:
                cached.quick = quick
        return quick

    def _scored(
        self, cached: _CaseCache, data: CaseData, as_of: date | None, days: Literal["all", "last"]
    ) -> Assessment:
        """``score`` of the case's ``data``, without the figures and events, which only the
        background reads: after a decision the background of the same data is reused."""
        with self._lock:
            background = cached.backgrounds.get(as_of) if cached.data is data else None
        if background is None:
            background = _background(data, as_of)
            with self._lock:
                if cached.data is data:
                    _keep(cached.backgrounds, as_of, background)
        if cached.actors is None:  # its Monte Carlo takes a second: not for the cases page
            cached.actors = actor_model(cached.case)
        core = score(cached.case, replace(data, figures=[], events=[]), as_of, cached.actors,
                     days=days)  # fmt: skip
        return replace(core, disagreements=background[0], timeline=background[1])

    def _data(self, cached: _CaseCache) -> CaseData:
        """The case's data as the store holds it: read again in part (the links after a
        decision; the forecasts and outcomes) or whole (the links remade, or evidence added
        on an article not read); new articles are read at once on a small store, in the
        background on a large one."""
        with self.store() as store:
            marks = stored.marks(store, cached.case.id)
            with self._lock:
                data, held = cached.data, cached.marks
            if data is None or held is None or held.run != marks.run:
                return self._read(store, cached, marks)
            kept = data
            if held.decisions != marks.decisions:
                links = stored.link_rows(store, cached.case.id)
                if not {row.key.article_id for row in links} <= cached.linked:
                    return self._read(store, cached, marks)
                data = replace(data, links=links)
            if held.others != marks.others:
                forecasts = [f for f in stored.forecasts(store) if f.case_id != cached.case.id]
                data = replace(data, forecasts=forecasts, resolutions=stored.resolutions(store))
            arrived = held.articles != marks.articles
            if arrived and cached.read_seconds < SYNC_READ_SECONDS:
                return self._read(store, cached, marks)
        with self._lock:
            if cached.data is kept and data is not kept:  # else another thread moved on
                cached.data, cached.views, cached.quick = data, {}, None
                cached.marks = replace(marks, articles=held.articles)
        if arrived:
            self._refresh_later(cached)
        return data

    def _read(self, store: Store, cached: _CaseCache, marks: stored.Marks) -> CaseData:
        """Read the case's data whole and keep it, with its background as of now. Views of
        the kept data carry over when nothing they score from moved (new articles only)."""
        started = time.perf_counter()
        common = self._common_of(store, marks.articles)
        data = load(store, cached.case, texts="linked", figures=common.figures,
                    events=common.events)  # fmt: skip
        background = _background(data, None)
        seconds = time.perf_counter() - started
        with self._lock:
            views = _carried(cached.data, cached.views.get(None), data, background)
            cached.data, cached.marks, cached.read_seconds = data, marks, seconds
            cached.linked = frozenset(row.key.article_id for row in data.links)
            cached.views, cached.backgrounds = views, {None: background}
            cached.quick = None
        return data

    def _common_of(self, store: Store, mark: tuple[object, ...]) -> _Common:
        """The figures and events of the store as of ``mark``, read once for every case."""
        with self._lock:
            common = self._common
        if common is None or common.mark != mark:
            common = _Common(mark, grouped_figures(store), dated_events(store))
            with self._lock:
                self._common = common
        return common

    def _refresh_later(self, cached: _CaseCache) -> None:
        """Read the case's data whole in a thread of its own, unless one does already."""
        with self._lock:
            if cached.refresh is not None:
                return
            cached.refresh = threading.Thread(
                target=self._refresh, args=(cached,), name=f"desk-{cached.case.id}", daemon=True
            )
            cached.refresh.start()

    def _refresh(self, cached: _CaseCache) -> None:
        try:
            with closing(Store.open(self.db)) as store:
                self._read(store, cached, stored.marks(store, cached.case.id))
        except Exception:  # a store gone or failing: the next request reads it and says so
            LOG.warning("reading %s in the background failed", cached.case.id, exc_info=True)
        finally:
            with self._lock:
                cached.refresh = None

    def settle(self, timeout: float | None = None) -> None:
        """Wait for the background reads running now (for tests and orderly shutdowns)."""
        with self._lock:
            running = [c.refresh for c in self._cases.values() if c.refresh is not None]
        for thread in running:
            thread.join(timeout)

    def forget(self, case_id: str) -> None:
        """Drop what the desk keeps of the case (after its case file changed)."""
        with self._lock:
            self._cases.pop(case_id, None)


class Embedding:
    """The desk's embedding model for relinking, as ``tocsin assess`` links (by meaning as
    well as by pattern) when ``enabled``: loaded on the first relink (a few seconds), then
    kept. One relink at a time uses it (an ``Embedder`` serves one thread)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    @contextmanager
    def using(self) -> Iterator[Embedder | None]:
        """The model (None when disabled), held for this thread until the block ends."""
        with self._lock:
            if self.enabled and self._model is None:
                from tocsin.assess.embed import Embedder
                from tocsin.config import Config

                self._model = Embedder(threads=Config.load().worker_count)
            yield self._model


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


def _carried(
    old: CaseData | None, view: Assessment | None, new: CaseData, background: Background
) -> dict[date | None, Assessment]:
    """The assessment as of now, carried over to ``new`` data when the old only lacked
    articles: what ``score`` reads besides the articles, figures and events is the same,
    so its numbers are; the articles and the background are the new ones."""
    if old is None or view is None:
        return {}
    same = (old.links, old.facts, old.forecasts, old.resolutions, old.linking) == (
        new.links, new.facts, new.forecasts, new.resolutions, new.linking
    )  # fmt: skip
    if not same:
        return {}
    articles = list(new.articles)  # every article counts as of now (``score``)
    return {None: replace(view, articles=articles, disagreements=background[0],
                          timeline=background[1])}  # fmt: skip
