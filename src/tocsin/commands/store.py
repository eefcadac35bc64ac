"""Commands of the store: ``ingest``, ``extract``, ``status``, ``show``, ``search``,
``entities``, ``quotes`` and ``export``.

Each parses its options, calls one function of the library and hands the result to
``tocsin.report.terminal`` (or prints it as JSON with ``--json``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

import click

from tocsin.commands.common import (
    EXIT_FAILED_INPUTS,
    EXIT_INTERRUPTED,
    MAX_LIMIT,
    ROW_ID,
    allow_option,
    db_option,
    emit,
    engine_option,
    json_option,
    open_store,
    ray_address_option,
    show,
    with_allowed,
    with_progress,
    workers_option,
)
from tocsin.config import GIB, Config
from tocsin.engine import Engine, make_engine
from tocsin.errors import NotFound
from tocsin.export import export_jsonl, export_parquet, extraction_record
from tocsin.extract.report import EXTRACTOR_VERSION, MODELS, ExtractReport, Options
from tocsin.files import atomic_write, database_files, refuse_overwrite
from tocsin.ingest.pipeline import IngestReport, count_inputs, ingest
from tocsin.parallel import steady_malloc
from tocsin.report import terminal
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table, extraction_counts, extraction_state, quote_table
from tocsin.store.status import status

model_option = click.option(
    "--model",
    type=click.Choice(MODELS),
    default="sm",
    show_default=True,
    envvar="TOCSIN_MODEL",
    help="spaCy English model for extraction: en_core_web_sm or en_core_web_md 3.8.0.",
)
aliases_option = click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Alias table (TOML) merged over the shipped one; repeatable.",
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def parse_period(value: str | None) -> tuple[date, date] | None:
    """``START..END`` (or one day) as two dates; a usage error otherwise."""
    if not value:
        return None
    start, sep, end = value.partition("..")
    try:
        period = date.fromisoformat(start), date.fromisoformat(end if sep else start)
    except ValueError as exc:
        raise click.BadParameter(
            f"expected YYYY-MM-DD..YYYY-MM-DD, got {value!r}", param_hint="--period"
        ) from exc
    if period[0] > period[1]:
        raise click.BadParameter(f"{value!r} ends before it starts", param_hint="--period")
    return period


@click.command("ingest")
@click.argument("targets", nargs=-1, required=True)
@db_option
@workers_option
@click.option(
    "--period",
    default=None,
    metavar="START..END",
    help="Dates the collection covers (YYYY-MM-DD..YYYY-MM-DD); bounds date estimates.",
)
@click.option(
    "--max-input-bytes",
    type=click.IntRange(1, 4 * GIB),
    default=None,
    help="Largest file or record accepted (default 50 MB).",
)
@click.option(
    "--fetch-timeout",
    type=click.FloatRange(0.1, 3600),
    default=None,
    help="Seconds before an HTTP request is abandoned (default 20).",
)
@allow_option
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Process again inputs that failed before (network failures always are).",
)
@click.option(
    "--extract/--no-extract",
    "run_extract",
    default=True,
    show_default=True,
    help="Extract evidence from the new articles afterwards (as `tocsin extract`).",
)
@model_option
@aliases_option
@engine_option
@ray_address_option
@quiet_option
@json_option
def ingest_cli(
    targets: tuple[str, ...],
    db: Path,
    workers: int | None,
    period: str | None,
    max_input_bytes: int | None,
    fetch_timeout: float | None,
    allow_address: tuple[str, ...],
    retry_failed: bool,
    run_extract: bool,
    model: str,
    aliases: tuple[Path, ...],
    engine: str,
    ray_address: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Ingest files, folders (recursively), feeds, WARC files and http(s) URLs.

    Reads .html/.htm (also .gz), .txt/.md, .jsonl, RSS/Atom (.xml/.rss/.atom or feed URLs)
    and .warc/.warc.gz. Inputs already stored are skipped; failed inputs are recorded with
    their reason and the batch goes on. Exit status 1 when any input failed.
    """
    config = Config.load(
        db=db, workers=workers, max_input_bytes=max_input_bytes, fetch_timeout=fetch_timeout
    )
    config = with_allowed(config, allow_address)
    span = parse_period(period)
    quiet = quiet or as_json
    steady_malloc()  # this process is the writer: keep its memory flat over long batches
    with (
        open_store(db, create=True) as store,
        make_engine(engine, config.worker_count, ray_address) as runner,
    ):
        report = with_progress(
            lambda tick: ingest(targets, store=store, config=config, period=span, progress=tick,
                                retry_failed=retry_failed, engine=runner),
            quiet,
            None if quiet else count_inputs(targets),
        )  # fmt: skip
        extracted = None
        if run_extract and not report.interrupted:
            options = Options(model, aliases, config.extract_budget)
            extracted = run_extraction(store, config.worker_count, options, False, quiet, runner)
    finish(report, db, as_json, extracted)


def finish(
    report: IngestReport, db: Path, as_json: bool, extracted: ExtractReport | None = None
) -> None:
    """Print an ingest's report (and its extraction's), then exit with its status."""
    if as_json:
        data = {**report.to_dict(), "db": str(db)}
        if extracted is not None:
            data["extract"] = extracted.to_dict()
        emit(data)
    else:
        show(terminal.ingest_report(report, db))
        if extracted is not None:
            show(terminal.extract_report(extracted))
    if report.interrupted or (extracted is not None and extracted.interrupted):
        sys.exit(EXIT_INTERRUPTED)
    if report.failures:
        sys.exit(EXIT_FAILED_INPUTS)


def run_extraction(
    store: Store,
    workers: int,
    options: Options,
    redo: bool,
    quiet: bool,
    engine: Engine | None = None,
) -> ExtractReport:
    """Run extraction on the store with ``engine`` (default: ``workers`` local processes),
    under a progress bar unless ``quiet``."""
    from tocsin.extract.run import extract  # spaCy loads here, not for every command

    todo = extraction_counts(store, EXTRACTOR_VERSION)

    def run(tick: Callable[[str, str], None] | None) -> ExtractReport:
        def progress(article_id: int, outcome: str) -> None:
            if tick is not None:
                tick(f"article #{article_id}", outcome)

        return extract(store, workers=workers, options=options, redo=redo, progress=progress,
                       engine=engine)  # fmt: skip

    total = sum(todo.values()) if redo else todo["pending"]
    return with_progress(run, quiet, total, "extracting")


@click.command("extract")
@db_option
@workers_option
@model_option
@aliases_option
@click.option(
    "--redo",
    is_flag=True,
    help="Extract every article again, failed ones included (after a code or model change).",
)
@engine_option
@ray_address_option
@quiet_option
@json_option
def extract_cli(
    db: Path,
    workers: int | None,
    model: str,
    aliases: tuple[Path, ...],
    redo: bool,
    engine: str,
    ray_address: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Extract entities, quotes, claims, figures, dates and events from stored articles.

    Only articles never tried, unless --redo: an article that failed is recorded with its
    reason (see `tocsin status`) and skipped. Results carry the extractor version and
    model, so `tocsin status` shows articles extracted by an older version as stale.
    """
    config = Config.load(db=db, workers=workers)
    with open_store(db) as store, make_engine(engine, config.worker_count, ray_address) as runner:
        options = Options(model, aliases, config.extract_budget)
        report = run_extraction(store, config.worker_count, options, redo, quiet or as_json, runner)
    if as_json:
        emit(report.to_dict())
    else:
        show(terminal.extract_report(report))
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if report.failed:
        sys.exit(EXIT_FAILED_INPUTS)


@click.command("status")
@db_option
@json_option
def status_cli(db: Path, as_json: bool) -> None:
    """Counts of stored inputs and articles by state, every failure with its reason, every
    warning of the ingest, and the watched sources' state and last cycles."""
    with open_store(db, read_only=True, check=True) as store:
        found = status(store, EXTRACTOR_VERSION)
    if as_json:
        emit({"db": str(db), **found.as_dict()})
        return
    show(terminal.status(db, found.counts, found.extraction, found.failures,
                         found.extraction_failures, found.warnings,
                         found.not_extracted, found.watched, found.cycles))  # fmt: skip


@click.command("show")
@click.argument("article_id", type=ROW_ID)
@db_option
@json_option
def show_cli(article_id: int, db: Path, as_json: bool) -> None:
    """One article: its metadata, provenance, evidence state and clean text."""
    with open_store(db, read_only=True) as store:
        article = store.article(article_id)
        if article is None:
            store.ensure_intact()  # not found, or lost to damage?
            raise NotFound(f"no article {article_id} in {db}")
        extra = store.article_extra(article_id)
        extraction = extraction_state(store, article_id)
    if as_json:
        emit({**article.model_dump(mode="json"), **(asdict(extra) if extra else {}),
              "extraction": extraction_record(extraction)})  # fmt: skip
        return
    show(terminal.article(article, extra, extraction))


@click.command("search")
@click.argument("query")
@db_option
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=20,
    show_default=True,
    help="Most results shown.",
)
@json_option
def search_cli(query: str, db: Path, limit: int, as_json: bool) -> None:
    """Full-text search (SQLite FTS5 syntax: words, "phrases", OR, NOT, prefix*), best first."""
    with open_store(db, read_only=True) as store:
        hits = store.search(query, limit)
        if not hits:
            store.ensure_intact()  # an empty result is never a damaged store's
    if as_json:
        found = [{"id": h.article_id, "title": h.title, "snippet": h.snippet,
                  "score": float(f"{h.score:.4g}")} for h in hits]  # fmt: skip
        emit(found)
        return
    show(terminal.search_hits(hits))


@click.command("entities")
@db_option
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=None, help="Most entities shown."
)
@json_option
def entities_cli(db: Path, limit: int | None, as_json: bool) -> None:
    """Canonical entities with their spellings and mention counts, most mentioned first."""
    with open_store(db, read_only=True) as store:
        rows = entity_table(store, limit)
        if not rows:
            store.ensure_intact()  # an empty result is never a damaged store's
    if as_json:
        emit([asdict(r) for r in rows])
    else:
        show(terminal.entities(rows))


@click.command("quotes")
@db_option
@click.option("--speaker", default=None, help="Only quotes of this speaker (any spelling).")
@json_option
def quotes_cli(db: Path, speaker: str | None, as_json: bool) -> None:
    """Quotes (direct, partial, indirect) with their speakers, by article."""
    from tocsin.extract.resolve import entities_named

    with open_store(db, read_only=True) as store:
        rows = quote_table(store, entities_named(store, speaker) if speaker else None)
        if not rows:
            store.ensure_intact()  # an empty result is never a damaged store's
    if as_json:
        emit([asdict(r) for r in rows])
    else:
        show(terminal.quotes(rows, speaker))


@click.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one article per line; parquet: one file per table (see docs/formats.md).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="jsonl: write to this file instead of standard output; parquet: the folder to write.",
)
@click.option("--no-duplicates", is_flag=True, help="Leave out near-duplicates.")
@click.option("--force", is_flag=True, help="parquet: replace files already in the folder.")
@json_option
def export_cli(
    db: Path, fmt: str, output: Path | None, no_duplicates: bool, force: bool, as_json: bool
) -> None:
    """Export articles as JSON lines, or every table as Parquet files (JSONL is already
    machine output; --json prints a summary of the export instead of nothing)."""
    if fmt == "parquet":
        export_parquet_cli(db, output, no_duplicates, force, as_json)
        return
    if output is not None and output.is_dir():
        raise click.BadParameter(
            f"{output} is a folder; jsonl writes a file", param_hint="--output"
        )
    refuse_overwrite(output or sys.stdout, database_files(db))
    with open_store(db, read_only=True, check=True) as store:
        if output is None:
            n = export_jsonl(store, sys.stdout, include_duplicates=not no_duplicates)
        else:
            try:
                with atomic_write(output, database_files(db)) as fh:
                    n = export_jsonl(store, fh, include_duplicates=not no_duplicates)
            except OSError as exc:
                raise click.BadParameter(
                    f"cannot write {output}: {exc.strerror or exc} (it is left as it was)",
                    param_hint="--output",
                ) from exc
    if output is not None:
        if as_json:
            emit({"exported": n, "format": fmt, "output": str(output)})
        else:
            from tocsin.commands.common import err

            err.print(terminal.safe(f"exported {n} articles to {output}"))


def export_parquet_cli(
    db: Path, output: Path | None, no_duplicates: bool, force: bool, as_json: bool
) -> None:
    """``export --format parquet``: every table into the folder ``--output``."""
    from tocsin.commands.common import err

    if output is None:
        raise click.UsageError("--format parquet writes a folder of files: give it --output DIR")
    with open_store(db, read_only=True, check=True) as store:
        try:
            summary = export_parquet(
                store,
                output,
                include_duplicates=not no_duplicates,
                force=force,
                protected=database_files(db),
            )
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write into {output}: {exc.strerror or exc} (files already there are"
                " left as they were)",
                param_hint="--output",
            ) from exc
    if as_json:
        emit(summary.to_dict())
        return
    err.print(
        terminal.safe(f"exported {len(summary.tables)} tables, {summary.rows} rows, to {output}")
    )
    for line in [*summary.notes, *summary.problems]:
        err.print(terminal.safe(f"  {line}"))
    if summary.problem_count > len(summary.problems):
        err.print(f"  … and {summary.problem_count - len(summary.problems)} more values as null")


COMMANDS = (
    ingest_cli,
    extract_cli,
    status_cli,
    show_cli,
    search_cli,
    entities_cli,
    quotes_cli,
    export_cli,
)
