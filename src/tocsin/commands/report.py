"""``tocsin assess`` and ``tocsin report``: score a case from the store and show or write it."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tocsin.commands.assess import (
    _as_date,
    as_of_option,
    embeddings_option,
    load_embedder,
    resolve_case,
)
from tocsin.commands.common import (
    db_option,
    emit,
    engine_option,
    json_option,
    linking_engine,
    open_store,
    out,
    ray_address_option,
    show,
)
from tocsin.files import database_files
from tocsin.report import terminal

if TYPE_CHECKING:
    from tocsin.assess.case import Case
    from tocsin.assess.score import Assessment
    from tocsin.engine import Engine


def run_assessment(
    case: Case,
    db: Path,
    as_of: Any,
    embeddings: bool,
    link: bool,
    quiet: bool,
    record: bool = True,
    engine: Engine | None = None,
) -> Assessment:
    """Assess from the store; the embedding model is loaded only if linking must happen.
    A full assessment records its forecasts unless ``record`` is off; a look back never.
    ``engine`` links (None: in this process)."""
    from tocsin.assess.assessment import assess
    from tocsin.assess.embed import MODEL_ID
    from tocsin.assess.relink import links_stale

    with open_store(db) as store:
        relinking = link or links_stale(store, case, MODEL_ID if embeddings else None)
        embedder = load_embedder(embeddings and relinking)
        when = _as_date(as_of)
        args: dict[str, Any] = {
            "as_of": when,
            "embedder": embedder,
            "link": relinking,
            "record": record and when is None,
            "engine": engine,
        }
        if quiet:
            return assess(store, case, **args)
        with out.status("assessing") as status:
            return assess(store, case, progress=lambda m: status.update(m), **args)


_relink_option = click.option(
    "--link/--no-link",
    default=True,
    show_default=True,
    help="Recompute the evidence links first (decisions are kept), or reuse the stored ones.",
)
_record_option = click.option(
    "--record/--no-record",
    default=True,
    show_default=True,
    help="Keep the forecasts of a full assessment for `tocsin track` (never with --as-of).",
)


@click.command("assess")
@click.argument("case_ref", metavar="CASE")
@db_option
@as_of_option
@embeddings_option
@_relink_option
@_record_option
@engine_option
@ray_address_option
@json_option
def assess_cli(
    case_ref: str,
    db: Path,
    as_of: Any,
    embeddings: bool,
    link: bool,
    record: bool,
    engine: str,
    ray_address: str | None,
    as_json: bool,
) -> None:
    """Score CASE (a case file, or a bundled case's name) from the stored articles."""
    from tocsin.assess.assessment import to_dict

    case = resolve_case(case_ref)
    with linking_engine(engine, ray_address) or nullcontext() as runner:
        result = run_assessment(case, db, as_of, embeddings, link, as_json, record, runner)
    if as_json:
        emit(to_dict(result))
    else:
        show(terminal.summary(result))


@click.command("report")
@click.argument("case_ref", metavar="CASE")
@db_option
@as_of_option
@embeddings_option
@_relink_option
@_record_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the HTML report and the Markdown brief.",
)
@engine_option
@ray_address_option
@json_option
def report_cli(
    case_ref: str,
    db: Path,
    as_of: Any,
    embeddings: bool,
    link: bool,
    record: bool,
    out_dir: Path,
    engine: str,
    ray_address: str | None,
    as_json: bool,
) -> None:
    """Write CASE's self-contained HTML report and Markdown brief, and print a summary."""
    case = resolve_case(case_ref)
    with linking_engine(engine, ray_address) or nullcontext() as runner:
        files = write_case_report(
            case, db, as_of, embeddings, link, out_dir, as_json, record, runner
        )
    if as_json:
        emit(
            {
                "html": str(files[1].html),
                "markdown": str(files[1].markdown),
                "leader": files[0].leader,
                "posterior": files[0].posterior.probabilities,
            }
        )


def write_case_report(
    case: Case,
    db: Path,
    as_of: Any,
    embeddings: bool,
    link: bool,
    out_dir: Path,
    quiet: bool,
    record: bool = True,
    engine: Engine | None = None,
) -> tuple[Assessment, Any]:
    from tocsin.report.write import write_report

    try:  # fail before the work, not after it
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".tocsin-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise click.UsageError(f"cannot write the report to {out_dir}: {exc}") from exc
    result = run_assessment(case, db, as_of, embeddings, link, quiet, record, engine)
    try:
        files = write_report(result, out_dir, protected=database_files(db))
    except OSError as exc:
        raise click.UsageError(f"cannot write the report to {out_dir}: {exc}") from exc
    if not quiet:
        show(terminal.summary(result))
        show(terminal.safe(f"report: {files.html.resolve()}"))
        show(terminal.safe(f"brief:  {files.markdown.resolve()}"))
    return result, files
