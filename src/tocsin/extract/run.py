"""Extract evidence from stored articles: the models in worker processes, the store in this one.

Each article goes to the pipeline of its language (``tocsin.extract.languages``): English to
spaCy and tocsin's English rules, Russian to natasha and tocsin's Russian rules; an article
in any other language is marked "not extracted (language xx)" and read by neither. Workers
load a model once, when its first article comes, and take articles in small batches; each
article is read on its own (``tocsin.extract.article``), under a time budget and in bounded
pieces, so that one article that fails, however it fails, costs only itself. Only this
process writes: one transaction per article, so an interrupted run keeps whole articles, and
re-running does the rest. A failed article is recorded with its reason and is not tried
again unless ``redo``; nor is one not extracted. Entities are resolved to shared canonical
entities here, since that needs the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from datetime import date

from tocsin.engine import Engine, LocalEngine
from tocsin.errors import InvalidInput
from tocsin.extract.article import extract_article, pipeline, time_budget
from tocsin.extract.languages import ENGLISH, RUSSIAN, not_extracted, route
from tocsin.extract.overrides import Overrides
from tocsin.extract.quantities import measure_key
from tocsin.extract.report import EXTRACTOR_VERSION, ExtractReport, Options, Progress
from tocsin.extract.resolve import resolve_clusters
from tocsin.models.evidence import ArticleText, Evidence, NotExtracted
from tocsin.parallel import chunks
from tocsin.store.db import Store
from tocsin.store.evidence import (
    pending_articles,
    save_failure,
    save_not_extracted,
    write_evidence,
)
from tocsin.text import segment

BATCH = 4  # articles per worker task: few, so that a slow one holds little else back


def analyse_text(
    text: str,
    anchor: date | None = None,
    options: Options | None = None,
    language: str | None = ENGLISH,
) -> Evidence:
    """Evidence from one text in ``language`` (None: tell by its letters), in this process
    (for tests and the library user); InvalidInput for a language with no pipeline."""
    found = read_article(ArticleText(0, text, anchor, language), options or Options())
    if isinstance(found, NotExtracted):
        raise InvalidInput(f"no pipeline reads this text: {not_extracted(found.reason)}")
    return found


Result = Evidence | NotExtracted | str  # a str is why the article failed
Results = list[tuple[int, Result]]


def read_article(job: ArticleText, options: Options) -> Evidence | NotExtracted:
    """One article through the pipeline of its language, or why none reads it."""
    way = route(job.language, job.text)
    if way.language == RUSSIAN:
        from tocsin.extract.russian import analyse_russian  # natasha loads here

        with time_budget(options.budget):
            return analyse_russian(job.text, job.published, options.alias_files)
    if way.language is None:
        return NotExtracted(way.reason or "language unknown", segment(job.text).sentences)
    nlp, aliases = pipeline(options.model, options.alias_files)
    return extract_article(nlp, aliases, job.text, job.published, options.budget)


def _work(batch: list[ArticleText], options: Options) -> Results:
    out: Results = []
    for job in batch:
        try:
            found = read_article(job, options)
        except Exception as exc:  # one article's failure must not lose the batch
            out.append((job.article_id, _reason(exc)))
        else:
            out.append((job.article_id, found))
    return out


def _reason(exc: Exception) -> str:
    if type(exc).__name__ == "OverBudget":
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _died(batch: list[ArticleText]) -> Results:
    return [(job.article_id, "the worker extracting it died") for job in batch]


def extract(
    store: Store,
    *,
    workers: int = 1,
    options: Options | None = None,
    redo: bool = False,
    progress: Progress | None = None,
    engine: Engine | None = None,
    only: Collection[int] | None = None,
    until: Callable[[], bool] | None = None,
) -> ExtractReport:
    """Extract evidence from articles never tried (or all of them with ``redo``), of
    ``only`` when given, read by ``engine`` (default: ``workers`` local processes) and
    stored by this process. ``until`` is asked after each batch stored: when it says so,
    the run ends there (``ExtractReport.cut_short``), the batches in flight dropped; the
    articles not stored are extracted by a later run."""
    options = options or Options()
    report = ExtractReport(model=options.model)
    started = time.perf_counter()
    jobs = pending_articles(store, redo=redo, only=only)
    # Closed on the way out: on Ctrl-C the workers are killed, not waited for.
    engine = engine or LocalEngine(workers)
    results = engine.map(_work, chunks(jobs, BATCH), options, _died)
    try:
        for batch_result in results:
            for article_id, result in batch_result:
                _keep(store, report, article_id, result, options)
                if progress:
                    progress(article_id, _outcome(result))
            if until is not None and until():
                report.cut_short = True
                break
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        results.close()
    report.seconds = time.perf_counter() - started
    return report


def _outcome(result: Result) -> str:
    if isinstance(result, str):
        return "failed"
    return "not extracted" if isinstance(result, NotExtracted) else "ok"


def _keep(
    store: Store, report: ExtractReport, article_id: int, result: Result, options: Options
) -> None:
    if isinstance(result, str):
        save_failure(store, article_id, result, EXTRACTOR_VERSION, options.model)
        report.failed.append((article_id, result))
    elif isinstance(result, NotExtracted):
        save_not_extracted(store, article_id, result, EXTRACTOR_VERSION)
        report.not_extracted[result.reason] = report.not_extracted.get(result.reason, 0) + 1
    else:
        model = result.pipeline or options.model
        for name, n in save(store, article_id, result, model).items():
            report.counts[name] = report.counts.get(name, 0) + n
    report.processed += 1


def save(store: Store, article_id: int, ev: Evidence, model: str) -> dict[str, int]:
    """Resolve the article's entities and write its evidence, in one transaction; returns
    how many records of each kind."""
    with store.transaction():
        overrides = Overrides.read(store)  # the analysts' merges and splits come first
        ev = overrides.apply(ev)
        ids = resolve_clusters(store, ev.mentions, overrides)
        groups = [measure_key(q) for q in ev.quantities]
        write_evidence(store, article_id, ev, ids, groups, EXTRACTOR_VERSION, model)
    return {
        "mentions": len(ev.mentions),
        "entities": len(set(ids.values())),
        "quotes": len(ev.quotes),
        "claims": len(ev.claims),
        "quantities": len(ev.quantities),
        "dates": len(ev.dates),
        "events": len(ev.events),
    }
