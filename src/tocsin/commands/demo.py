"""``tocsin demo``: the whole chain on the bundled Belarus 2022 case."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from tocsin.commands.common import EXIT_FAILED_INPUTS, emit, json_option, open_store, show
from tocsin.commands.common import with_progress as progress
from tocsin.commands.store import run_extraction
from tocsin.config import Config
from tocsin.demo import QUESTION, articles_dir, run_demo
from tocsin.extract.report import Options
from tocsin.ingest.pipeline import count_inputs
from tocsin.report import terminal
from tocsin.store.evidence import entity_table, quote_table

DEMO_ENTITIES = 15  # top entities the demo shows


@click.command("demo")
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

    if not as_json:
        show(terminal.line(Text("tocsin demo", style="bold"), f": {QUESTION}"))
    report = progress(lambda cb: run_demo(db, progress=cb), as_json, count_inputs([articles_dir()]))
    with open_store(db) as store:
        extracted = run_extraction(store, Config.load().worker_count, Options(), False, as_json)
        if not as_json:
            show(terminal.ingest_report(report, db.resolve()), terminal.extract_report(extracted))
            show(terminal.entities(entity_table(store, limit=DEMO_ENTITIES)))
            show(terminal.speakers(quote_table(store)))
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
        emit(data)
    else:
        show(terminal.line(Text("Bottom line", style="bold"), f": {bottom_line(assessment)}"))
        if assessment.actor_probabilities:
            actors = distribution(assessment.actor_probabilities)
            show(terminal.safe(f"The actor model's Monte Carlo: {actors}."))
        show(terminal.safe(f"Report: {files.html.resolve()}"))
        show(terminal.safe(f"Review it in the browser: tocsin serve --db {db}"))
    if report.failures or extracted.failed:
        sys.exit(EXIT_FAILED_INPUTS)
