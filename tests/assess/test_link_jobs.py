"""Linking as an engine's work (``assess.link_jobs``): an engine elsewhere makes the links and
caches the vectors that linking here does, the embedder travels as its recipe, and a run
whose worker keeps dying leaves the case's links as they were. Ray itself:
tests/engine/test_ray_engine.py."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from tocsin.assess import link_jobs
from tocsin.assess.case import Case
from tocsin.assess.embed import Embedder, worker_embedder
from tocsin.assess.link import units
from tocsin.assess.link_jobs import LinkingDied, elsewhere
from tocsin.assess.link_model import Lessons
from tocsin.assess.relink import relink
from tocsin.engine import LocalEngine
from tocsin.engine.base import Closing
from tocsin.errors import ConfigError
from tocsin.store import assessment as queries
from tocsin.store.db import Store

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


def _across(value: T) -> T:
    """``value`` as a process elsewhere receives it."""
    copy: T = pickle.loads(pickle.dumps(value))
    return copy


class PickledEngine(Closing):
    """An engine elsewhere, played in this process: the setup and each job cross by pickle,
    as they reach a Ray worker, and so does each result on its way back. ``dies`` names
    the jobs (by their number, from 0) whose worker dies on every try."""

    name = "pickled"

    def __init__(self, dies: frozenset[int] = frozenset()) -> None:
        self.jobs = 0
        self.dies = dies

    def map(
        self,
        fn: Callable[[T, A], R],
        items: Iterator[T],
        extra: A,
        on_broken: Callable[[T], R],
        on_wait: Callable[[], None] | None = None,
    ) -> Generator[R, None, None]:
        shipped = _across(extra)
        for item in items:
            n, self.jobs = self.jobs, self.jobs + 1
            yield on_broken(item) if n in self.dies else _across(fn(_across(item), shipped))


def _links(store: Store, case_id: str) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in r.as_dict().items() if k != "id"}
        for r in queries.link_rows(store, case_id)
    ]


def _vectors(store: Store) -> list[tuple[Any, ...]]:
    return store.conn.execute(
        'SELECT article_id, start, "end", model, vector FROM sentence_embeddings '
        'ORDER BY article_id, start, "end", model'
    ).fetchall()


@pytest.mark.parametrize("linker", ["rules", "model"])
def test_an_engine_elsewhere_makes_the_same_links_and_caches_the_same_vectors(
    demo_db: Path,
    belarus: Case,
    embedder: Embedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    linker: str,
) -> None:
    case = belarus.model_copy(update={"linker": linker})
    other = tmp_path / "elsewhere.db"
    shutil.copy(demo_db, other)
    with Store.open(demo_db) as store:
        made = relink(store, case, embedder)
        here, here_vectors = _links(store, case.id), _vectors(store)
    monkeypatch.setattr("tocsin.assess.relink.JOB_SENTENCES", 40)  # several jobs out of five
    engine = PickledEngine()
    with Store.open(other) as store:
        assert relink(store, case, embedder, engine) == made  # type: ignore[arg-type]
        there, there_vectors = _links(store, case.id), _vectors(store)
    assert engine.jobs > 3
    assert made > 20
    assert there == here
    assert len(here_vectors) > 200
    assert there_vectors == here_vectors


def test_a_run_whose_worker_keeps_dying_leaves_the_links_as_they_were(
    demo_db: Path, belarus: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tocsin.assess.relink.JOB_SENTENCES", 40)
    with Store.open(demo_db) as store:
        relink(store, belarus)
        before = _links(store, belarus.id)
        store.conn.execute(
            "DELETE FROM evidence_links WHERE rowid IN (SELECT rowid FROM evidence_links LIMIT 3)"
        )
        trimmed = _links(store, belarus.id)
        with pytest.raises(LinkingDied, match=r"the worker linking articles \d.* died"):
            relink(store, belarus, None, PickledEngine(dies=frozenset({2})))  # type: ignore[arg-type]
        assert _links(store, belarus.id) == trimmed  # nothing saved, nothing lost
        relink(store, belarus, None, PickledEngine())  # type: ignore[arg-type]
        assert _links(store, belarus.id) == before


def test_the_local_engine_links_in_this_process() -> None:
    engine = PickledEngine()
    assert elsewhere(engine) is engine  # type: ignore[arg-type,comparison-overlap]
    assert elsewhere(LocalEngine(2)) is None
    assert elsewhere(None) is None


def test_an_embedder_travels_as_its_recipe_and_loads_once_per_process(
    embedder: Embedder,
) -> None:
    shipped = pickle.dumps(embedder)
    assert len(shipped) < 1000  # the recipe, not the model's 90 MB
    first, second = pickle.loads(shipped), pickle.loads(shipped)
    assert first is second is worker_embedder(None, None)
    assert first is not embedder
    assert (first.threads, first.model_id) == (1, embedder.model_id)
    texts = ["Belarus moved troops to the border.", "Talks resumed in Minsk on Monday."]
    assert np.allclose(first.encode(texts), embedder.encode(texts), atol=1e-6)


def test_a_worker_with_another_embedding_model_refuses_to_link(
    demo_db: Path, belarus: Case, embedder: Embedder
) -> None:
    with Store.open(demo_db) as store:
        some = list(units(store, belarus))[:3]
    setup = link_jobs.LinkSetup(belarus, embedder, None, Lessons.of(belarus), model="other-model")
    with pytest.raises(ConfigError, match=r"embedding model is .* not other-model"):
        link_jobs.link_job(link_jobs.LinkJob(some), setup)
    same = link_jobs.LinkSetup(
        belarus, embedder, None, Lessons.of(belarus), model=embedder.model_id
    )
    done = link_jobs.link_job(link_jobs.LinkJob(some), same)
    assert set(done.fresh) == {link_jobs.unit_key(u) for u in some}  # embedded, to be cached
