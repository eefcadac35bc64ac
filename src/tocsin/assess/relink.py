"""Relinking: the first of an assessment's three steps, and the only one that writes links.

The linker's links replace the case's stored links; a link the analyst accepted or
relinked that the linker no longer makes is rebuilt from its sentence, with today's dates
and grades, and the analyst's polarity and score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tocsin.assess.candidates import texts as candidate_texts
from tocsin.assess.case import Case
from tocsin.assess.link import (
    LINKER_VERSION,
    Link,
    Match,
    Unit,
    indicator_texts,
    make_link,
    units,
)
from tocsin.assess.link_jobs import (
    JOB_SENTENCES,
    LinkJob,
    LinkSetup,
    elsewhere,
    job_vectors,
    link_chunks,
    unit_key,
)
from tocsin.assess.link_model import Lessons, fingerprint
from tocsin.assess.multilabel import fit_wording
from tocsin.assess.sources import SourceBook
from tocsin.models.assessment import LinkFields, LinkKey, LinkState
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.evidence import extracted_through

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder
    from tocsin.engine import Engine

LINK_CHUNK = 4096  # sentences linked at a time: memory stays flat however large the store
_KEPT = "kept by the analyst's decision; no longer linked"


def _key(link: Link) -> LinkKey:
    u = link.unit
    return LinkKey(u.article.article_id, u.start, u.end, link.indicator_id)


def relink(
    store: Store, case: Case, embedder: Embedder | None = None, engine: Engine | None = None
) -> int:
    """Recompute and store the case's links; return how many the linker made. ``engine``
    runs the linking (``link_jobs``; default: this process); the links are the same."""
    model = embedder_name(embedder)
    taught = lessons(store, case)
    # The indicators' vectors once, not per chunk.
    targets = embedder.encode(indicator_texts(case, taught)) if embedder else None
    kept = stored.kept_decisions(store, case.id)
    spans = {(k.article_id, k.start, k.end) for k in kept}
    found: dict[tuple[int, int, int], Unit] = {}
    # The model weighs words by their TF-IDF over the whole store, not over one chunk.
    wording = (
        fit_wording(case, candidate_texts(store), taught)
        if embedder and case.linker == "model"
        else None
    )

    def seen(chunk: Sequence[Unit]) -> None:
        found.update({s: u for u in chunk if (s := unit_key(u)) in spans})

    setup = LinkSetup(case, embedder, targets, taught, wording, model)
    chunks = article_chunks(units(store, case), _chunk_size(engine))
    links = link_chunks(store, chunks, setup, engine, seen)
    wanted = {_key(link): link.stored() for link in links}
    book = SourceBook(case.sources)
    for key, snapshot in kept.items():
        if key not in wanted:
            unit = found.get((key.article_id, key.start, key.end))
            wanted[key] = _restored(unit, key.indicator_id, snapshot, book)
    state = LinkState(
        case_hash(case, taught), linker_version(case), model, stored.last_article(store)
    )
    stored.save_links(store, case.id, wanted, state)
    return len(links)


def link_new(
    store: Store,
    case: Case,
    embedder: Embedder | None = None,
    articles: Collection[int] | None = None,
    engine: Engine | None = None,
) -> int | None:
    """Link the articles stored since the case's links were made, as far as extraction has
    tried every one of them (``extracted_through``), and add their links to the stored
    ones; None when the links must be made afresh instead (``relink``): none stored yet, or
    made from another case file, lessons, linker or embedding model, or by the link model
    (whose word weights are fitted on the whole store). Otherwise the rules linker reads
    each article alone, so the links are those a whole relink would make
    (tests/assess/test_link_new.py); ``tocsin watch`` links what a cycle brought this way.

    ``articles``: link these (extracted) articles only, ahead of the rest, and leave the
    links' state as it is: the later call without ``articles`` links them again with the
    rest, which adds nothing twice (a stored link is left as it is). The watcher links the
    articles an alert rule waits for this way first (``watch.cycle``). ``engine`` runs the
    linking, as for ``relink``."""
    state = stored.link_state(store, case.id)
    if state is None or case.linker == "model":
        return None
    model = embedder_name(embedder)
    taught = lessons(store, case)
    if (state.case_hash, state.linker_version, state.embedder) != (
        case_hash(case, taught), linker_version(case), model
    ):  # fmt: skip
        return None
    upto = extracted_through(store, state.last_article)
    if articles is None and upto == state.last_article:
        return 0
    targets = embedder.encode(indicator_texts(case, taught)) if embedder else None
    ahead = articles is not None  # extracted out of order: not bounded by ``upto``
    found = units(store, case, after=state.last_article, upto=None if ahead else upto,
                  only=articles)  # fmt: skip
    setup = LinkSetup(case, embedder, targets, taught, None, model)
    links = link_chunks(store, article_chunks(found, _chunk_size(engine)), setup, engine)
    made = (
        None
        if articles is not None
        else LinkState(state.case_hash, state.linker_version, model, upto)
    )
    stored.add_links(store, case.id, {_key(link): link.stored() for link in links}, made)
    return len(links)


def _chunk_size(engine: Engine | None) -> int:
    """Sentences per chunk: many in this process, fewer given an engine, so that its
    workers share the work."""
    return LINK_CHUNK if elsewhere(engine) is None else JOB_SENTENCES


def article_chunks(candidates: Iterable[Unit], size: int) -> Iterator[list[Unit]]:
    """The candidates in lists, each closed at the first article boundary once it holds
    ``size``: an article is never split (a sentence's neighbours are context for the link
    model)."""
    chunk: list[Unit] = []
    for unit in candidates:
        if len(chunk) >= size and chunk[-1].article.article_id != unit.article.article_id:
            yield chunk
            chunk = []
        chunk.append(unit)
    if chunk:
        yield chunk


def lessons(store: Store, case: Case) -> Lessons:
    """What the linker learns for ``case``: its evidence entered by hand for an indicator and
    every decision the analyst took on its links."""
    return Lessons.of(case, stored.decided_texts(store, case.id))


def _restored(
    unit: Unit | None, indicator_id: str, snapshot: LinkFields, book: SourceBook
) -> LinkFields:
    """The stored fields of a decided link the linker no longer makes."""
    reason = snapshot.reason
    if not reason.startswith(_KEPT):
        reason = f"{_KEPT} ({reason})"
    if unit is None:  # the sentence itself is gone from the candidates: keep the copy
        return LinkFields(**{**snapshot.as_dict(), "method": "analyst", "reason": reason})
    found = Match(float(snapshot.score), "analyst", reason, snapshot.polarity == "negated")
    return make_link(unit, indicator_id, found, book).stored()


def embedder_name(embedder: Any) -> str:
    """What links were made with: the model's id, 'none' for patterns only."""
    if embedder is None:
        return "none"
    return str(getattr(embedder, "model_id", None) or "unnamed")


def linker_version(case: Case) -> str:
    """What made the case's links: the linker's version, and for the link model the shipped
    models' fingerprint (a refitted model makes the links stale)."""
    if case.linker == "model":
        return f"{LINKER_VERSION}+model:{fingerprint()}"
    return LINKER_VERSION


def case_hash(case: Case, taught: Lessons | None = None) -> str:
    """A fingerprint of the case file's content and of what the linker learned: links made
    from another one, or before the analyst's latest decision, are stale."""
    content = case.model_dump_json()
    if taught is not None and (taught.examples or taught.counter):
        learned = sorted((k, sorted(v)) for k, v in taught.examples.items())
        unlearned = sorted((k, sorted(v)) for k, v in taught.counter.items())
        content += repr((learned, unlearned))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def links_stale(store: Store, case: Case, embedder: str | None = None) -> bool:
    """Whether the stored links were made from another case file or linker, or before the
    latest article, or (when ``embedder`` names one, as ``embedder_name`` does) with
    another embedding model or none. ``embedder`` None: any model will do."""
    state = stored.link_state(store, case.id)
    if state is None:
        return True
    made = (state.case_hash, state.linker_version, state.last_article)
    current = (case_hash(case, lessons(store, case)), linker_version(case))
    if made != (*current, stored.last_article(store)):
        return True
    return embedder is not None and state.embedder != embedder


def sentence_vectors(
    store: Store, candidates: Sequence[Unit], embedder: Any, model: str = "unnamed"
) -> Any:
    """The candidates' embeddings, from the store's cache where it has them (the rest are
    embedded and cached). The cache is keyed by the model's id; an embedder without one
    ('unnamed') is never cached."""
    if model == "unnamed":
        return None  # link_units embeds them itself
    cached = stored.cached_vectors(store, [unit_key(u) for u in candidates], model)
    vectors, fresh = job_vectors(LinkJob(list(candidates), cached), embedder)
    if fresh:
        stored.store_vectors(store, fresh, model)
    return vectors
