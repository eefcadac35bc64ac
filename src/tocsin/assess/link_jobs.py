"""Linking as an engine's work: a run of candidate sentences is one job that any engine runs.

The calling process stays the store's single writer. It reads the candidates in runs that
never split an article, with the vectors the store has cached for them, and hands each run
to the engine with the case's setup (put once: the case, what the linker learned, the
indicators' vectors, the link model's word weights, the embedder). A job embeds the
sentences the cache lacks and links the run; its result, the links and the fresh vectors,
comes back in input order and the writer caches the vectors. A job computes and writes
nothing else, so the engine may run it again after its worker died.

The linker's rules do not depend on how the candidates are cut into runs (every sentence is
linked on its own, an article's sentences stay together, and the link model's word weights
are fitted on the whole store beforehand), so a local run and a distributed one make the
same links: ``tests/assess/test_link_jobs.py`` and ``tests/engine/test_ray_engine.py``. The
one difference is the embedder's float noise: a sentence embedded in another batch, or on
another thread count, may differ in the last bits, which the cache's float16 rounds away
in all but rare cases.

The embedder travels by its recipe, not its loaded model (``Embedder.__reduce__``): each
worker process loads the model once, on its first job, and reuses it. A job checks that
the worker's model is the one the links are recorded against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tocsin.assess.case import Case
from tocsin.assess.link import Link, Unit, link_units
from tocsin.assess.link_model import Lessons
from tocsin.errors import ConfigError, TocsinError
from tocsin.store import assessment as stored
from tocsin.store.db import Store

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder
    from tocsin.engine import Engine

VectorKey = tuple[int, int, int]  # (article id, start, end) of a sentence
JOB_SENTENCES = 512  # sentences per job given to an engine: enough work to pay for the trip


class LinkingDied(TocsinError):
    """A run of sentences whose worker kept dying: the case's links are left as they were
    (exit status 1, as any failure of the work itself)."""


@dataclass(frozen=True)
class LinkSetup:
    """What every job of one linking run shares (the engine ships it once)."""

    case: Case
    embedder: Embedder | None
    targets: np.ndarray | None  # the indicators' vectors (``indicator_texts``)
    lessons: Lessons
    wording: Any = None  # the link model's TF-IDF, fitted on the whole store
    model: str = "none"  # the embedder's id, what the cache is keyed by ("unnamed": none)


@dataclass(frozen=True)
class LinkJob:
    """One run of candidates, never splitting an article, and the vectors the store has."""

    units: list[Unit]
    cached: dict[VectorKey, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkDone:
    """A job's result: its links and the vectors it computed, for the store's cache."""

    links: list[Link]
    fresh: dict[VectorKey, np.ndarray] = field(default_factory=dict)


def unit_key(unit: Unit) -> VectorKey:
    return (unit.article.article_id, unit.start, unit.end)


def link_job(job: LinkJob, setup: LinkSetup) -> LinkDone:
    """Link one run of candidates: embed what the cache lacks, then ``link_units``."""
    vectors: np.ndarray | None = None
    fresh: dict[VectorKey, np.ndarray] = {}
    if setup.embedder is not None and setup.model != "unnamed" and job.units:
        here = getattr(setup.embedder, "model_id", None)
        if here != setup.model:  # a node with another model file or another tocsin
            raise ConfigError(
                f"this worker's embedding model is {here}, not {setup.model} as the links' "
                "run: every node needs the same tocsin and model wheels (docs/engine.md)"
            )
        vectors, fresh = job_vectors(job, setup.embedder)
    links = link_units(
        setup.case,
        job.units,
        setup.embedder,
        vectors,
        setup.targets,
        lessons=setup.lessons,
        wording=setup.wording,
    )
    return LinkDone(links, fresh)


def elsewhere(engine: Engine | None) -> Engine | None:
    """The engine linking is handed to: a distributed one. The local engine links in this
    process instead: its embedder already runs on every core (``Embedder(threads=...)``),
    and a pool of processes would load the model again for every run."""
    return None if engine is None or engine.name == "local" else engine


def job_vectors(job: LinkJob, embedder: Embedder) -> tuple[np.ndarray, dict[VectorKey, np.ndarray]]:
    """The job's sentence vectors, one row per unit, and those of them the cache lacked,
    embedded now (as computed: the cache keeps them as float16)."""
    keys = [unit_key(u) for u in job.units]
    missing = [i for i, key in enumerate(keys) if key not in job.cached]
    found = dict(job.cached)
    fresh: dict[VectorKey, np.ndarray] = {}
    if missing:
        encoded = embedder.encode([job.units[i].text for i in missing])
        fresh = {keys[i]: encoded[n] for n, i in enumerate(missing)}
        # As the cache will give them back, so that a later run links the same.
        found.update({k: v.astype(np.float16).astype(np.float32) for k, v in fresh.items()})
    return np.stack([found[key] for key in keys]), fresh


def _died(job: LinkJob) -> LinkDone:
    ids = sorted({u.article.article_id for u in job.units})
    shown = ", ".join(map(str, ids[:10])) + (" …" if len(ids) > 10 else "")
    raise LinkingDied(
        f"the worker linking articles {shown} died on every try; the case's links are "
        "unchanged (link again, or link on the local engine to see the error)"
    )


def link_chunks(
    store: Store,
    chunks: Iterable[Sequence[Unit]],
    setup: LinkSetup,
    engine: Engine | None = None,
    seen: Callable[[Sequence[Unit]], None] | None = None,
) -> list[Link]:
    """Every link of the candidates in ``chunks``, made by ``engine`` (``elsewhere``; else
    here, in this process), with the store's vector cache read before and filled after each
    job. ``seen(chunk)`` is told of each chunk as it is read."""
    engine = elsewhere(engine)
    if engine is None:
        from tocsin.engine import LocalEngine

        engine = LocalEngine(1)  # in this process: nothing is pickled
    jobs = _jobs(store, chunks, setup.model if setup.embedder is not None else "none", seen)
    links: list[Link] = []
    # Closed on the way out, whatever happened: the jobs in flight are stopped.
    with closing(engine.map(link_job, jobs, setup, _died)) as results:
        for done in results:
            if done.fresh:
                stored.store_vectors(store, done.fresh, setup.model)
            links += done.links
    return links


def _jobs(
    store: Store,
    chunks: Iterable[Sequence[Unit]],
    model: str,
    seen: Callable[[Sequence[Unit]], None] | None,
) -> Iterator[LinkJob]:
    for chunk in chunks:
        if seen is not None:
            seen(chunk)
        cached = {}
        if model not in ("none", "unnamed"):
            cached = stored.cached_vectors(store, [unit_key(u) for u in chunk], model)
        yield LinkJob(list(chunk), cached)
