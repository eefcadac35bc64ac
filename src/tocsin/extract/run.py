"""Extract evidence from stored articles: spaCy in worker processes, the store in this one.

Workers load the model once and run ``nlp.pipe`` over batches of articles, then the
evidence rules over each Doc; they return plain records. Only this process writes: one
transaction per article, so an interrupted run keeps whole articles, and re-running does
the rest. Entities are resolved to shared canonical entities here, since that needs the
store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from tocsin.extract.claims import extract_claims
from tocsin.extract.entities import add_gazetteer, find_mentions
from tocsin.extract.events import extract_events
from tocsin.extract.names import AliasTable
from tocsin.extract.nlp import load_model
from tocsin.extract.quantities import find_quantities
from tocsin.extract.quotes import extract_quotes
from tocsin.extract.records import Evidence
from tocsin.extract.report import EXTRACTOR_VERSION, ExtractReport, Options, Progress
from tocsin.extract.timex import resolve_dates
from tocsin.extract.tokenizer_guard import guard_tokenizer
from tocsin.parallel import chunks, ordered_map
from tocsin.store.db import Store
from tocsin.store.evidence import pending_articles, save_evidence, save_failure

BATCH = 16  # articles per worker task: nlp.pipe batches within it


@dataclass(frozen=True)
class Job:
    article_id: int
    text: str
    anchor: date | None


@lru_cache(maxsize=2)
def pipeline(model: str = "sm", alias_files: tuple[Path, ...] = ()) -> tuple[Language, AliasTable]:
    """The model with tocsin's gazetteer, and the alias table (cached per process)."""
    aliases = AliasTable.load(*alias_files)
    nlp = load_model(model)
    add_gazetteer(nlp, aliases)
    guard_tokenizer(nlp)
    return nlp, aliases


def analyse(doc: Doc, aliases: AliasTable, anchor: date | None) -> Evidence:
    """Every kind of evidence in one parsed article."""
    mentions = find_mentions(doc, aliases)
    quotes = extract_quotes(doc, mentions)
    dates = resolve_dates(doc, anchor) if anchor is not None else []
    return Evidence(
        mentions=mentions,
        quotes=quotes,
        claims=extract_claims(doc, quotes, mentions),
        quantities=find_quantities(doc),
        dates=dates,
        events=extract_events(doc, mentions, quotes, dates),
    )


def analyse_text(text: str, anchor: date | None = None, options: Options | None = None) -> Evidence:
    """Evidence from one text, in this process (for tests and the library user)."""
    options = options or Options()
    nlp, aliases = pipeline(options.model, options.alias_files)
    return analyse(nlp(text), aliases, anchor)


Results = list[tuple[int, Evidence | str]]


def _work(batch: list[Job], options: Options) -> Results:
    nlp, aliases = pipeline(options.model, options.alias_files)
    out: Results = []
    docs = nlp.pipe((job.text for job in batch), batch_size=len(batch))
    for job, doc in zip(batch, docs, strict=True):
        try:
            out.append((job.article_id, analyse(doc, aliases, job.anchor)))
        except Exception as exc:  # one article's failure must not lose the batch
            out.append((job.article_id, f"{type(exc).__name__}: {exc}"))
    return out


def _died(batch: list[Job]) -> Results:
    return [(job.article_id, "the worker extracting it died") for job in batch]


def extract(
    store: Store,
    *,
    workers: int = 1,
    options: Options | None = None,
    redo: bool = False,
    progress: Progress | None = None,
) -> ExtractReport:
    """Extract evidence from articles not yet extracted (or all of them with ``redo``)."""
    options = options or Options()
    report = ExtractReport(model=options.model)
    started = time.perf_counter()
    jobs = (Job(a, t, d) for a, t, d in pending_articles(store, redo=redo))
    try:
        results = ordered_map(
            _work,
            chunks(jobs, BATCH),
            options,
            workers,
            _died,
        )
        for batch_result in results:
            for article_id, result in batch_result:
                if isinstance(result, str):
                    save_failure(store, article_id, result, EXTRACTOR_VERSION, options.model)
                    report.failed.append((article_id, result))
                else:
                    counts = save_evidence(
                        store, article_id, result, EXTRACTOR_VERSION, options.model
                    )
                    for name, n in counts.items():
                        report.counts[name] = report.counts.get(name, 0) + n
                report.processed += 1
                if progress:
                    progress(article_id, "failed" if isinstance(result, str) else "ok")
    except KeyboardInterrupt:
        report.interrupted = True
    report.seconds = time.perf_counter() - started
    return report
