"""The ``tocsin`` command line: thin commands over the importable library.

Exit status: 0 success; 1 at least one input failed (the rest were stored); 2 usage error;
3 the database cannot be used; 4 not found (show); 5 invalid input (a case file with
faults); 130 interrupted (what was done is kept).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from tocsin import __version__
from tocsin.commands.common import (
    EXIT_FAILED_INPUTS,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    MAX_LIMIT,
    ROW_ID,
    db_option,
    err,
    json_option,
    out,
)
from tocsin.commands.common import emit as _emit
from tocsin.commands.common import open_store as _open
from tocsin.config import GIB, MAX_WORKERS, Config
from tocsin.demo import QUESTION, articles_dir, run_demo
from tocsin.errors import ConfigError
from tocsin.export import export_jsonl
from tocsin.extract.report import EXTRACTOR_VERSION, MODELS, ExtractReport, Options
from tocsin.ingest.pipeline import IngestReport, count_inputs, ingest
from tocsin.parallel import steady_malloc
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table, extraction_counts, quote_table

SUMMARY_ROWS = 50  # articles shown in the summary table after an ingest
DEMO_ENTITIES = 15  # top entities the demo shows
workers_option = click.option(
    "--workers",
    type=click.IntRange(0, MAX_WORKERS),
    default=None,
    envvar="TOCSIN_WORKERS",
    help="Worker processes (cleaning, spaCy); 0 or unset means one per core.",
)
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


def _config(**overrides: Any) -> Config:
    """The settings; a bad value in a TOCSIN_* variable is a usage error, not a traceback."""
    try:
        return Config.load(**overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _period(value: str | None) -> tuple[date, date] | None:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tocsin")
def main() -> None:
    """tocsin: news reporting into an auditable assessment of a geopolitical question."""


@main.command("ingest")
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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@json_option
def ingest_cli(
    targets: tuple[str, ...],
    db: Path,
    workers: int | None,
    period: str | None,
    max_input_bytes: int | None,
    fetch_timeout: float | None,
    retry_failed: bool,
    run_extract: bool,
    model: str,
    aliases: tuple[Path, ...],
    quiet: bool,
    as_json: bool,
) -> None:
    """Ingest files, folders (recursively), feeds, WARC files and http(s) URLs.

    Reads .html/.htm (also .gz), .txt/.md, .jsonl, RSS/Atom (.xml/.rss/.atom or feed URLs)
    and .warc/.warc.gz. Inputs already stored are skipped; failed inputs are recorded with
    their reason and the batch goes on. Exit status 1 when any input failed.
    """
    try:
        config = Config.load(
            db=db, workers=workers, max_input_bytes=max_input_bytes, fetch_timeout=fetch_timeout
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    span = _period(period)
    steady_malloc()  # this process is the writer: keep its memory flat over long batches
    with _open(db, create=True) as store:
        report = _with_progress(
            lambda cb: ingest(
                targets,
                store=store,
                config=config,
                period=span,
                progress=cb,
                retry_failed=retry_failed,
            ),
            quiet or as_json,
            None if quiet or as_json else count_inputs(targets),
        )
        extracted = None
        if run_extract and not report.interrupted:
            options = Options(model=model, alias_files=aliases)
            extracted = _extract(store, config.worker_count, options, False, quiet or as_json)
    _finish(report, db, as_json, extracted)


_COLUMNS = (
    SpinnerColumn(),
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)


R = TypeVar("R")


def _with_progress(
    run: Callable[[Callable[[str, str], None] | None], R],
    quiet: bool,
    expected: int | None = None,
    label: str = "ingesting",
) -> R:
    """Run ``run(tick)`` under a progress bar on stderr, out of ``expected`` items if known;
    ``tick(name, outcome)`` marks one item done."""
    if quiet:
        return run(None)
    with Progress(*_COLUMNS, console=err, transient=True) as bar:
        task = bar.add_task(label, total=expected)

        def tick(name: str, outcome: str) -> None:
            # Feeds, WARC and JSONL files hold many items each: the total grows past them.
            done = bar.tasks[0].completed + 1
            total = max(done, bar.tasks[0].total or 0)
            bar.update(
                task, completed=done, total=total, description=f"{outcome}: {Path(name).name[:40]}"
            )

        return run(tick)


def _finish(
    report: IngestReport, db: Path, as_json: bool, extracted: ExtractReport | None = None
) -> None:
    if as_json:
        data = {**report.to_dict(), "db": str(db)}
        if extracted is not None:
            data["extract"] = extracted.to_dict()
        _emit(data)
    else:
        _print_report(report, db)
        if extracted is not None:
            _print_extract(extracted)
    if report.interrupted or (extracted is not None and extracted.interrupted):
        sys.exit(EXIT_INTERRUPTED)
    if report.failures:
        sys.exit(EXIT_FAILED_INPUTS)


def _print_report(report: IngestReport, db: Path) -> None:
    if report.added:
        table = Table(title="Articles added", show_lines=False)
        for col in ("id", "title", "outlet", "published", "words", "duplicate of"):
            table.add_column(col, overflow="fold")
        for a in report.added[:SUMMARY_ROWS]:
            when = "—" if a.published is None else a.published.isoformat()
            if a.published and a.estimated:
                when += " (est.)"
            dup = "" if a.duplicate_of is None else f"#{a.duplicate_of} ({a.similarity:.0%})"
            table.add_row(
                str(a.id), a.title or "(no title)", a.outlet or "—", when, str(a.words), dup
            )
        out.print(table)
        if report.added_count > SUMMARY_ROWS:
            more = report.added_count - SUMMARY_ROWS
            out.print(f"… and {more} more (tocsin export lists them all)")
    for source, article in report.duplicates[:SUMMARY_ROWS]:
        out.print(f"[yellow]duplicate[/yellow] {source} = article #{article}")
    if report.failures:
        table = Table(title="Failed inputs", title_style="red")
        for col in ("input", "code", "reason"):
            table.add_column(col, overflow="fold")
        for source, code, reason in report.failures:
            table.add_row(source, code, reason)
        out.print(table)
    out.print(
        f"{report.added_count} added ({report.near_duplicates} near-duplicates), "
        f"{len(report.duplicates)} exact duplicates, {report.unchanged} already stored, "
        f"{report.skipped} skipped, {len(report.failures)} failed "
        f"in {report.seconds:.1f}s. Database: {db}"
    )
    if report.interrupted:
        out.print("[yellow]Interrupted[/yellow]: what was done is stored; run again to finish.")


@main.command("demo")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default="tocsin-demo.db",
    show_default=True,
    help="Database to create afresh for the demo.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the demo's HTML report and Markdown brief [default: DB's name"
    " with -report, beside it: tocsin-demo-report/].",
)
@click.option(
    "--embeddings/--no-embeddings",
    default=True,
    show_default=True,
    help="Link evidence by sentence embeddings as well as by patterns.",
)
@json_option
def demo_cli(db: Path, out_dir: Path | None, embeddings: bool, as_json: bool) -> None:
    """The whole chain on the bundled Belarus 2022 case: ingest and extract the five
    articles, assess the case, write its report, and print the bottom line."""
    from tocsin.assess.case import bundled_case_path, load_case
    from tocsin.commands.report import write_case_report
    from tocsin.report.common import bottom_line, distribution

    config = _config()
    if not as_json:
        out.print(f"[bold]tocsin demo[/bold]: {QUESTION}")
    report = _with_progress(
        lambda cb: run_demo(db, config, progress=cb), as_json, count_inputs([articles_dir()])
    )
    with _open(db) as store:
        extracted = _extract(store, config.worker_count, Options(), False, as_json)
        if not as_json:
            _print_report(report, db.resolve())
            _print_extract(extracted)
            _print_entities(entity_table(store, limit=DEMO_ENTITIES))
            _print_speakers(quote_table(store))
    case = load_case(bundled_case_path())
    out_dir = out_dir or db.parent / f"{db.stem}-report"
    assessment, files = write_case_report(case, db, None, embeddings, True, out_dir, as_json)
    if as_json:
        data = {**report.to_dict(), "db": str(db.resolve()), "extract": extracted.to_dict()}
        data["assessment"] = {
            "case": case.id,
            "leader": assessment.leader,
            "posterior": assessment.posterior.probabilities,
            "actor_model": assessment.actor_probabilities,
            "bottom_line": bottom_line(assessment),
        }
        data["report"] = {"html": str(files.html.resolve()), "markdown": str(files.markdown)}
        _emit(data)
    else:
        out.print(f"[bold]Bottom line[/bold]: {escape(bottom_line(assessment))}")
        if assessment.actor_probabilities:
            actors = distribution(assessment.actor_probabilities)
            out.print(f"The actor model's Monte Carlo: {escape(actors)}.")
        out.print(f"Report: {escape(str(files.html.resolve()))}")
    if report.failures or extracted.failed:
        sys.exit(EXIT_FAILED_INPUTS)


@main.command("status")
@db_option
@json_option
def status_cli(db: Path, as_json: bool) -> None:
    """Counts of stored inputs by state, and every failure with its reason."""
    with _open(db) as store:
        counts, failures = store.counts(), store.failures()
        extraction = extraction_counts(store, EXTRACTOR_VERSION)
    if as_json:
        _emit(
            {
                "db": str(db),
                "counts": counts,
                "extraction": {**extraction, "extractor_version": EXTRACTOR_VERSION},
                "failures": failures,
            }
        )
        return
    table = Table(title=f"tocsin store {db}")
    table.add_column("state")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), str(value))
    for key, value in extraction.items():
        table.add_row(
            f"articles {key}" + (" (older extractor)" if key == "stale" else ""), str(value)
        )
    out.print(table)
    if failures:
        ftable = Table(title="Failures", title_style="red")
        for col in ("id", "input", "code", "reason", "attempts"):
            ftable.add_column(col, overflow="fold")
        for f in failures:
            ftable.add_row(
                str(f["id"]), f["locator"], f["error_code"], f["error"], str(f["attempts"])
            )
        out.print(ftable)


@main.command("show")
@click.argument("article_id", type=ROW_ID)
@db_option
@json_option
def show_cli(article_id: int, db: Path, as_json: bool) -> None:
    """One article: its metadata, provenance and clean text."""
    with _open(db) as store:
        article = store.article(article_id)
        extra = store.article_extra(article_id) if article else {}
    if article is None:
        err.print(f"[red]error:[/red] no article {article_id} in {db}")
        sys.exit(EXIT_NOT_FOUND)
    if as_json:
        _emit({**article.model_dump(mode="json"), **extra})
        return
    out.print(f"[bold]#{article.id} {article.title or '(no title)'}[/bold]")
    rows = {
        "source": article.source,
        "url": article.url,
        "outlet": article.outlet,
        "authors": ", ".join(article.authors) or None,
        "published": _date_text(
            article.published, article.published_estimated, article.published_range
        ),
        "dated by": extra.get("published_method"),
        "language": article.language,
        "words": article.words,
        "duplicate of": article.duplicate_of,
        "boilerplate removed": len(extra.get("removed", [])),
    }
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows.items():
        if value not in (None, ""):
            grid.add_row(key, str(value))
    out.print(grid)
    out.print()
    out.print(article.text, highlight=False, markup=False)


def _date_text(value: date | None, estimated: bool, span: tuple[date, date] | None) -> str | None:
    if value is None:
        return None
    if not estimated:
        return value.isoformat()
    return f"{value.isoformat()} (estimated, between {span[0]} and {span[1]})" if span else None


@main.command("search")
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
    with _open(db) as store:
        hits = store.search(query, limit)
    if as_json:
        _emit(
            [
                {
                    "id": h.article_id,
                    "title": h.title,
                    "snippet": h.snippet,
                    "score": float(f"{h.score:.4g}"),
                }
                for h in hits
            ]
        )
        return
    if not hits:
        out.print("no matches")
    for h in hits:
        out.print(
            f"[bold]#{h.article_id}[/bold] {h.title or '(no title)'} [dim]({h.score:.3g})[/dim]"
        )
        out.print(f"    {h.snippet}", highlight=False, markup=False)


def _extract(
    store: Store, workers: int, options: Options, redo: bool, quiet: bool
) -> ExtractReport:
    """Run extraction on the store, under a progress bar unless ``quiet``."""
    from tocsin.extract.run import extract  # spaCy loads here, not for every command

    todo = extraction_counts(store, EXTRACTOR_VERSION)

    def run(tick: Callable[[str, str], None] | None) -> ExtractReport:
        def progress(article_id: int, outcome: str) -> None:
            if tick is not None:
                tick(f"article #{article_id}", outcome)

        return extract(store, workers=workers, options=options, redo=redo, progress=progress)

    total = sum(todo.values()) if redo else todo["pending"]
    return _with_progress(run, quiet, total, "extracting")


def _print_extract(report: ExtractReport) -> None:
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
    out.print(
        f"Extracted {report.processed} articles ({len(report.failed)} failed) with model "
        f"{report.model}, extractor {report.version} in {report.seconds:.1f}s: "
        f"{counts or 'nothing'}"
    )
    for article_id, error in report.failed:
        out.print(f"[red]failed[/red] article #{article_id}: {error}")
    if report.interrupted:
        out.print("[yellow]Interrupted[/yellow]: run `tocsin extract` again to finish.")


def _print_entities(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Entities")
    for col in ("id", "entity", "label", "mentions", "articles", "spellings"):
        table.add_column(col, overflow="fold")
    for r in rows:
        spellings = ", ".join(f"{s} ({n})" for s, n in r["spellings"].items())
        table.add_row(
            str(r["id"]), r["canonical"], r["label"], str(r["mentions"]), str(r["articles"]),
            spellings,
        )  # fmt: skip
    out.print(table)


def _print_speakers(rows: list[dict[str, Any]]) -> None:
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        name = r["speaker"] or (f"({r['speaker_text']})" if r["speaker_text"] else "(unattributed)")
        per.setdefault(name, {"direct": 0, "partial": 0, "indirect": 0})[r["kind"]] += 1
    table = Table(title="Quotes per speaker")
    for col in ("speaker", "direct", "partial", "indirect", "total"):
        table.add_column(col, justify="left" if col == "speaker" else "right")
    for name, kinds in sorted(per.items(), key=lambda kv: -sum(kv[1].values())):
        table.add_row(name, *(str(kinds[k]) for k in ("direct", "partial", "indirect")),
                      str(sum(kinds.values())))  # fmt: skip
    out.print(table)


@main.command("extract")
@db_option
@workers_option
@model_option
@aliases_option
@click.option(
    "--redo", is_flag=True, help="Extract every article again (after a code or model change)."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@json_option
def extract_cli(
    db: Path,
    workers: int | None,
    model: str,
    aliases: tuple[Path, ...],
    redo: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Extract entities, quotes, claims, figures, dates and events from stored articles.

    Only articles not extracted yet, unless --redo. Results carry the extractor version
    and model, so `tocsin status` shows articles extracted by an older version as stale.
    """
    config = _config(db=db, workers=workers)
    with _open(db) as store:
        try:
            report = _extract(
                store, config.worker_count, Options(model, aliases), redo, quiet or as_json
            )
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
    if as_json:
        _emit(report.to_dict())
    else:
        _print_extract(report)
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if report.failed:
        sys.exit(EXIT_FAILED_INPUTS)


@main.command("entities")
@db_option
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=None, help="Most entities shown."
)
@json_option
def entities_cli(db: Path, limit: int | None, as_json: bool) -> None:
    """Canonical entities with their spellings and mention counts, most mentioned first."""
    with _open(db) as store:
        rows = entity_table(store, limit)
    if as_json:
        _emit(rows)
    else:
        _print_entities(rows)


@main.command("quotes")
@db_option
@click.option("--speaker", default=None, help="Only quotes of this speaker (any spelling).")
@json_option
def quotes_cli(db: Path, speaker: str | None, as_json: bool) -> None:
    """Quotes (direct, partial, indirect) with their speakers, by article."""
    with _open(db) as store:
        rows = quote_table(store, speaker)
    if as_json:
        _emit(rows)
        return
    table = Table(title="Quotes" + (f" of {speaker}" if speaker else ""))
    for col in ("article", "speaker", "kind", "cue", "quote"):
        table.add_column(col, overflow="fold")
    for r in rows:
        who = r["speaker"] or r["speaker_text"] or "—"
        table.add_row(str(r["article_id"]), who, r["kind"], r["cue"] or "", r["text"])
    out.print(table)


@main.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format (see docs/formats.md).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.option("--no-duplicates", is_flag=True, help="Leave out near-duplicates.")
@json_option
def export_cli(db: Path, fmt: str, output: Path | None, no_duplicates: bool, as_json: bool) -> None:
    """Export articles, one JSON object per line (JSONL is already machine output; --json
    prints a summary of the export instead of nothing)."""
    with _open(db) as store:
        if output is None:
            n = export_jsonl(store, sys.stdout, include_duplicates=not no_duplicates)
        else:
            try:
                with output.open("w", encoding="utf-8") as fh:
                    n = export_jsonl(store, fh, include_duplicates=not no_duplicates)
            except OSError as exc:
                raise click.BadParameter(
                    f"cannot write {output}: {exc.strerror}", param_hint="--output"
                ) from exc
    if output is not None:
        if as_json:
            _emit({"exported": n, "format": fmt, "output": str(output)})
        else:
            err.print(f"exported {n} articles to {output}")


def _register() -> None:
    from tocsin.commands.actors import actors
    from tocsin.commands.assess import case_group, evidence_group, resolve_cli, track_cli
    from tocsin.commands.report import assess_cli, report_cli

    for command in (case_group, evidence_group, assess_cli, report_cli, resolve_cli, track_cli):
        main.add_command(command)
    main.add_command(actors)


_register()


if __name__ == "__main__":
    main()
