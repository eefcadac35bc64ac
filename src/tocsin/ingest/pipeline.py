"""The ingest pipeline: expand inputs, clean them in worker processes, store them in order.

Workers are pure (bytes in, cleaned record out); only the main process writes, one
transaction per batch, so an interrupted run leaves whole items or nothing, and re-running
the same command skips what is already stored. A batch is committed after ``BATCH`` items
or ``BATCH_SECONDS``, whichever comes first, before each fetch over the network and before
waiting for a worker: the store's other writers (the desk's analysts) never wait long for
the write lock.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from tocsin.config import Config
from tocsin.engine import Engine, LocalEngine
from tocsin.errors import TRANSIENT, FailureCode, InputError
from tocsin.ingest import dedupe
from tocsin.ingest.fetch import make_client
from tocsin.ingest.polite import Polite
from tocsin.ingest.sources import (
    Expanded,
    Failed,
    Known,
    Listed,
    Skipped,
    expand_fetched,
    expand_file,
    fetch_target,
    is_url,
    list_files,
)
from tocsin.models import CleanOptions, NewArticle, Processed, RawItem
from tocsin.parallel import threaded_map
from tocsin.store.db import Store, compress_raw

BATCH = 64  # items per transaction: small enough to lose little on a crash
# Seconds a batch may hold the write lock, so that a decision on the desk during an ingest
# waits this long at most, plus one item (64 items held it 3.5 s on a busy 2-core machine).
BATCH_SECONDS = 0.5
REPORT_ROWS = 1000  # articles listed in a report; counts are always complete


@dataclass
class ArticleRow:
    id: int
    locator: str
    title: str | None
    outlet: str | None
    published: date | None
    estimated: bool
    precision: str | None
    words: int
    duplicate_of: int | None
    similarity: float | None


@dataclass
class IngestReport:
    """Counts, failures and the articles added by one ingest run.

    Counts are complete; ``added`` lists the first REPORT_ROWS articles only, so that a
    report's memory does not grow with the corpus (``tocsin export`` lists them all).
    """

    added: list[ArticleRow] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    added_count: int = 0
    warning_count: int = 0
    near_duplicates: int = 0
    unchanged: int = 0
    skipped: int = 0
    interrupted: bool = False
    seconds: float = 0.0

    def add(self, row: ArticleRow) -> None:
        self.added_count += 1
        self.near_duplicates += row.duplicate_of is not None
        if len(self.added) < REPORT_ROWS:
            self.added.append(row)

    def warn(self, locator: str, warnings: list[str]) -> None:
        """Count an article's warnings; the first REPORT_ROWS are kept to be listed."""
        self.warning_count += len(warnings)
        room = REPORT_ROWS - len(self.warnings)
        self.warnings.extend((locator, w) for w in warnings[: max(0, room)])

    @property
    def ok(self) -> bool:
        return not self.failures and not self.interrupted

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added_count,
            "near_duplicates": self.near_duplicates,
            "duplicates": len(self.duplicates),
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": len(self.failures),
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
            "articles": [
                {
                    "id": a.id,
                    "source": a.locator,
                    "title": a.title,
                    "outlet": a.outlet,
                    "published": a.published.isoformat() if a.published else None,
                    "published_estimated": a.estimated,
                    "published_precision": a.precision,
                    "words": a.words,
                    "duplicate_of": a.duplicate_of,
                }
                for a in self.added
            ],
            "articles_listed": len(self.added),
            "duplicate_sources": [{"source": s, "duplicate_of": i} for s, i in self.duplicates],
            "failures": [{"source": s, "code": c, "reason": r} for s, c, r in self.failures],
            "warned": self.warning_count,
            "warnings": [{"source": s, "warning": w} for s, w in self.warnings],
        }


Progress = Callable[[str, str], None]


def ingest(
    targets: Iterable[str | Path],
    *,
    store: Store,
    config: Config | None = None,
    period: tuple[date, date] | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    retry_failed: bool = False,
    engine: Engine | None = None,
) -> IngestReport:
    """Ingest files, folders and URLs into ``store``; never raises for a bad input.

    Inputs stored before are skipped. Inputs that failed before with the same bytes are
    reported again but not re-processed, unless ``retry_failed``; network failures are
    always retried. Items are cleaned by ``engine`` (default: ``config.worker_count``
    local processes); this process alone writes.
    """
    config = config or Config.load()
    report = IngestReport()
    started = time.perf_counter()
    options = CleanOptions(period, today or date.today(), config)
    writer = _Writer(store, config, report, progress, retry_failed)
    try:
        expanded = _expand_all(targets, config, store, report, writer.flush)
        items = _new_items(expanded, store, report, writer, retry_failed)
        # Closed on the way out: on Ctrl-C the workers are killed, not waited for.
        engine = engine or LocalEngine(config.worker_count)
        with closing(_process_all(items, options, engine, writer.flush)) as results:
            for processed in results:
                writer.write(processed)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        writer.flush()
        report.seconds = time.perf_counter() - started
    return report


def count_inputs(targets: Iterable[str | Path]) -> int:
    """How many files and URLs ``targets`` name (folders walked), for a progress total.

    Containers (feeds, WARC, JSONL) count once though they hold many items.
    """
    count = 0
    for target in targets:
        text = str(target)
        if is_url(text) or not Path(text).exists():
            count += 1
        else:
            count += sum(1 for _ in list_files(Path(text)))
    return count


def _expand_all(
    targets: Iterable[str | Path],
    config: Config,
    store: Store,
    report: IngestReport,
    before_fetch: Callable[[], None],
) -> Iterator[Expanded]:
    urls = _UrlExpander(config, store, report, before_fetch)
    try:
        yield from urls.expand_all(_named(targets, config))
    finally:
        urls.close()


def _named(targets: Iterable[str | Path], config: Config) -> Iterator[str | Expanded]:
    """Each input of ``targets`` in order: a URL to fetch (a str: named, or listed in a file
    of URLs), or an item read from a file."""
    for target in targets:
        text = str(target)
        if is_url(text):
            yield text
            continue
        path = Path(text)
        if not path.exists():
            yield Failed(text, "file", InputError(FailureCode.NOT_FOUND, "no such file or folder"))
            continue
        # Absolute paths, so that re-running from another folder finds the same sources.
        for file in list_files(path.resolve()):
            for entry in expand_file(file, config):
                if isinstance(entry, Listed):
                    yield from entry.urls
                else:
                    yield entry


class _UrlExpander:
    """Expands URLs named on the command line or listed in a file, with one HTTP client
    made on first use and one ``Polite`` pacer (robots.txt, per-host turns) for the run;
    a URL already stored is counted unchanged and not fetched again. The URLs are fetched
    ``config.fetch_threads`` at a time, within each host's turns, and expanded in order.
    ``before_fetch`` runs before a URL is handed to a fetching thread and before waiting
    for one (the writer commits: no lock held while the network is waited for)."""

    def __init__(
        self,
        config: Config,
        store: Store,
        report: IngestReport,
        before_fetch: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        self.store = store
        self.report = report
        self.before_fetch = before_fetch
        self.client: httpx.Client | None = None
        self.polite = Polite(config)

    def expand_all(self, named: Iterator[str | Expanded]) -> Iterator[Expanded]:
        fetched = threaded_map(self._fetched, self._wanted(named),
                               max(1, self.config.fetch_threads), self.before_fetch)  # fmt: skip
        with closing(fetched):
            for entry, item in fetched:
                if not isinstance(entry, str):
                    yield entry  # an item read from a file
                elif item is not None and self.client is not None:
                    yield from expand_fetched(entry, item, self.client, self.config,
                                              self.polite, self.store.url_stored)  # fmt: skip

    def _wanted(self, named: Iterator[str | Expanded]) -> Iterator[str | Expanded]:
        """The inputs, less the URLs already stored (read on the caller's thread, which
        alone may use the store)."""
        for entry in named:
            if isinstance(entry, str):
                if self.store.url_stored(entry):
                    self.report.unchanged += 1
                    continue
                self.client = self.client or make_client(self.config)
                self.before_fetch()
            yield entry

    def _fetched(self, entry: str | Expanded) -> tuple[str | Expanded, RawItem | Failed | None]:
        """On a fetching thread: a URL and what fetching it gave; an item as it is."""
        if not isinstance(entry, str):
            return entry, None
        assert self.client is not None
        return entry, fetch_target(entry, self.client, self.config, self.polite)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def _new_items(
    expanded: Iterator[Expanded],
    store: Store,
    report: IngestReport,
    writer: _Writer,
    retry_failed: bool,
) -> Iterator[RawItem]:
    """Items not yet stored; failures and skips are recorded on the way."""
    for entry in expanded:
        if isinstance(entry, Skipped):
            report.skipped += 1
            continue
        if isinstance(entry, Known):
            report.unchanged += 1
            continue
        if isinstance(entry, Failed):
            writer.fail(entry)
            continue
        sha = sha256(entry.data)
        seen = store.source(entry.locator, sha)
        # The same input named twice in one run counts as stored while its first copy is
        # still with a worker.
        if (entry.locator, sha) in writer.in_flight or (seen and seen.status != "failed"):
            report.unchanged += 1
        elif seen and not retry_failed:
            reason = f"{seen.error} (recorded before)"
            report.failures.append((entry.locator, seen.error_code or "?", reason))
        else:
            writer.in_flight.add((entry.locator, sha))
            yield entry.model_copy(update={"sha256": sha})


def _process_all(
    items: Iterator[RawItem], options: CleanOptions, engine: Engine, on_wait: Callable[[], None]
) -> Generator[Processed, None, None]:
    """Clean items with ``engine``, in input order; a crashed worker fails its item.
    ``on_wait`` runs before waiting for a worker (the writer commits)."""
    return engine.map(_run, items, options, lambda item: failed_result(item, _WORKER_DIED), on_wait)


_WORKER_DIED = "the worker processing this input died"


def _run(item: RawItem, options: CleanOptions) -> Processed:
    """Clean one item. The cleaner is imported here, so only the processes that clean pay
    for trafilatura, lxml and the language model."""
    from tocsin.ingest.clean import process

    return process(item, options)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def failed_result(item: RawItem, reason: str) -> Processed:
    return Processed(
        item=item.model_copy(update={"data": b""}),
        sha256=item.sha256 or sha256(item.data),
        size=len(item.data),
        compressed=compress_raw(item.data),
        error=InputError(FailureCode.INTERNAL, reason),
    )


class _Writer:
    """Writes processed items in batches; the only code that touches the store during ingest."""

    def __init__(
        self,
        store: Store,
        config: Config,
        report: IngestReport,
        progress: Progress | None,
        retry_failed: bool = False,
    ):
        self.store = store
        self.retry_failed = retry_failed
        # Items handed to workers and not yet written: bounded by the pool's window.
        self.in_flight: set[tuple[str, str]] = set()
        self.config = config
        self.report = report
        self.progress = progress
        self.pending = 0
        self.opened = 0.0  # when the batch's first item was written (time.monotonic)

    def _tick(self, locator: str, outcome: str) -> None:
        self.pending += 1
        now = time.monotonic()
        if self.pending == 1:
            self.opened = now
        if self.pending >= BATCH or now - self.opened >= BATCH_SECONDS:
            self.flush()
        if self.progress:
            self.progress(locator, outcome)

    def flush(self) -> None:
        self.store.commit_batch()
        self.pending = 0

    def fail(self, failed: Failed) -> None:
        sha = sha256(failed.data) if failed.data else None
        known = self.store.source(failed.locator, sha)
        code = failed.error.code
        if (
            known is not None
            and known.error_code == code.value
            and code not in TRANSIENT
            and not self.retry_failed
        ):
            reason = f"{known.error} (recorded before)"
            self.report.failures.append((failed.locator, code.value, reason))
            return
        with self.store.item():
            if failed.data is not None and sha:
                self.store.put_blob(sha, len(failed.data), compress_raw(failed.data))
            self.store.record_source(
                locator=failed.locator,
                kind=failed.kind,
                status="failed",
                sha256=sha,
                size=len(failed.data) if failed.data is not None else None,
                error_code=failed.error.code.value,
                error=failed.error.reason,
            )
        self.report.failures.append((failed.locator, failed.error.code.value, failed.error.reason))
        self._tick(failed.locator, "failed")

    def write(self, p: Processed) -> None:
        with self.store.item():
            outcome = self._store(p)
        self.in_flight.discard((p.item.locator, p.sha256))
        item = p.item
        if isinstance(outcome, ArticleRow):
            self.report.add(outcome)
            self._tick(item.locator, "near-duplicate" if outcome.duplicate_of else "added")
        elif isinstance(outcome, int):
            self.report.duplicates.append((item.locator, outcome))
            self._tick(item.locator, "duplicate")
        else:
            self.report.failures.append((item.locator, outcome.code.value, outcome.reason))
            self._tick(item.locator, "failed")

    def _store(self, p: Processed) -> ArticleRow | int | InputError:
        """Write one item; return the new article, the id it duplicates, or its failure."""
        item = p.item
        self.store.put_blob(p.sha256, p.size, p.compressed)
        common: dict[str, Any] = {
            "locator": item.locator,
            "kind": item.kind,
            "sha256": p.sha256,
            "size": p.size,
            "url": item.url,
            "content_type": item.content_type,
            "meta": item.hints,
        }
        if p.error is not None or p.article is None:
            error = p.error or InputError(FailureCode.INTERNAL, "no result")
            self.store.record_source(
                **common, status="failed", error_code=error.code.value, error=error.reason
            )
            return error
        existing = self.store.article_by_text_hash(p.text_sha256)
        if existing is not None:
            self.store.record_source(**common, status="duplicate", article_id=existing)
            return existing
        source_id = self.store.record_source(**common, status="ok")
        row = self._add_article(source_id, p)
        self.report.warn(item.locator, p.article.warnings)
        self.store.set_source_article(source_id, row.id)
        return row

    def _add_article(self, source_id: int, p: Processed) -> ArticleRow:
        a = p.article
        assert a is not None
        # The signature is computed here, not in the workers, so that only this process
        # loads datasketch (and scipy with it).
        signature = dedupe.minhash_of(np.frombuffer(p.shingles, dtype=np.uint32))
        minhash, bands = signature.tobytes(), dedupe.band_keys(signature)
        original, sim = self._near_duplicate(minhash, bands)
        pub = a.published
        words = p.words
        new = NewArticle(
            source_id=source_id,
            url=a.url,
            title=a.title,
            authors=a.authors,
            published=pub,
            outlet=a.outlet,
            language=a.language,
            text=a.text,
            text_sha256=p.text_sha256,
            words=words,
            minhash=minhash,
            duplicate_of=original,
            similarity=sim,
            removed=a.removed,
            warnings=a.warnings,
        )
        article_id = self.store.add_article(new, bands)
        return ArticleRow(
            id=article_id,
            locator=p.item.locator,
            title=a.title,
            outlet=a.outlet,
            published=pub.value if pub else None,
            estimated=bool(pub and pub.estimated),
            precision=pub.precision if pub else None,
            words=words,
            duplicate_of=original,
            similarity=sim,
        )

    def _near_duplicate(
        self, minhash: bytes, bands: list[tuple[int, int]]
    ) -> tuple[int | None, float | None]:
        """The first-seen original this article nearly repeats, with the similarity."""
        for candidate in self.store.candidates(bands):
            sim = dedupe.similarity(minhash, candidate.minhash)
            if sim >= self.config.near_duplicate_threshold:
                return self.store.original_of(candidate.article_id), round(sim, 4)
        return None, None
