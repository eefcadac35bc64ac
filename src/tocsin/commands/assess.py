"""Commands of the assessment: ``case``, ``evidence``, ``assess``, ``resolve``, ``track``.

Each parses its options and calls one function of ``tocsin.assess``; a CASE argument is the
path of a case file or the name of a bundled case (``belarus-2022``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from tocsin.commands.common import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    ROW_ID,
    db_option,
    emit,
    err,
    json_option,
    open_store,
    out,
)
from tocsin.errors import ConfigError

if TYPE_CHECKING:
    from tocsin.assess.case import Case

# The assessment's modules (pydantic models, numpy, the linker) load inside the commands,
# so that `tocsin --help` and the ingest commands start as fast as before.

as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Assess with only what was published by this date (YYYY-MM-DD).",
)
embeddings_option = click.option(
    "--embeddings/--no-embeddings",
    default=True,
    show_default=True,
    help="Link by sentence embeddings as well as by the indicators' patterns.",
)


def resolve_case(value: str) -> Case:
    """The case file at ``value``, or the bundled case of that name. A file with faults is
    invalid input, not a usage error: its faults are printed, and the exit status is 5."""
    from tocsin.assess.case import bundled_case_path, load_case

    path = Path(value)
    if not path.exists() and not value.endswith((".yaml", ".yml")):
        path = bundled_case_path(value)
        if not path.exists():
            raise click.BadParameter(f"no case file {value!r} and no bundled case of that name")
    try:
        return load_case(path)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
        sys.exit(EXIT_INVALID_INPUT)


def load_embedder(enabled: bool) -> Any:
    """The sentence embedder, or None when disabled; a missing model is a usage error."""
    if not enabled:
        return None
    from tocsin.assess.embed import Embedder
    from tocsin.config import Config

    try:
        # The linker embeds in this process, so the model may use every core (TOCSIN_WORKERS).
        threads = Config.load().worker_count
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        return Embedder(threads=threads)
    except ConfigError as exc:
        raise click.UsageError(f"{exc} (or pass --no-embeddings)") from exc


def _as_date(value: Any) -> date | None:
    return value.date() if value is not None else None


# -- case ---------------------------------------------------------------------------------


@click.group("case")
def case_group() -> None:
    """Write and check case files (docs/case-files.md)."""


@case_group.command("new")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@json_option
def case_new(file: Path, force: bool, as_json: bool) -> None:
    """Write a commented case-file template to FILE."""
    from tocsin.assess.case import template

    if file.exists() and not force:
        raise click.UsageError(f"{file} exists (use --force to overwrite)")
    try:
        file.write_text(template(), encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"cannot write {file}: {exc.strerror or exc}") from exc
    if as_json:
        emit({"written": str(file)})
    else:
        out.print(f"wrote {escape(str(file))}; edit it, then run `tocsin case check {file}`")


@case_group.command("check")
@click.argument("file")
@json_option
def case_check(file: str, as_json: bool) -> None:
    """Validate a case file; errors name the key and the line."""
    case = resolve_case(file)
    counts = {
        key: len(getattr(case, key))
        for key in ("hypotheses", "indicators", "actors", "sources", "evidence", "questions")
    }
    if as_json:
        emit({"id": case.id, "valid": True, **counts})
        return
    summary = ", ".join(f"{n} {key}" for key, n in counts.items())
    out.print(f"[green]ok[/green] case {escape(case.id)}: {summary}")


# -- evidence -----------------------------------------------------------------------------


@click.group("evidence")
def evidence_group() -> None:
    """List the links from stored text to a case's indicators; accept, reject, relink."""


@evidence_group.command("link")
@click.argument("case_ref", metavar="CASE")
@db_option
@embeddings_option
@json_option
def evidence_link(case_ref: str, db: Path, embeddings: bool, as_json: bool) -> None:
    """Recompute the links of CASE (the analyst's decisions are kept)."""
    from tocsin.assess.assessment import relink

    case = resolve_case(case_ref)
    embedder = load_embedder(embeddings)
    with open_store(db) as store:
        made = relink(store, case, embedder)
    if as_json:
        emit({"case": case.id, "links": made})
    else:
        out.print(f"{made} links for case {escape(case.id)}")


@evidence_group.command("list")
@click.argument("case_ref", metavar="CASE")
@db_option
@click.option("--indicator", default=None, help="Only links to this indicator.")
@json_option
def evidence_list(case_ref: str, db: Path, indicator: str | None, as_json: bool) -> None:
    """The stored links of CASE with their score, reason and the analyst's decision."""
    from tocsin.store import assessment as queries

    case = resolve_case(case_ref)
    with open_store(db) as store:
        rows = queries.link_rows(store, case.id)
    if indicator:
        rows = [r for r in rows if indicator in (r["indicator_id"], r["new_indicator"])]
    if as_json:
        emit(rows)
        return
    if not rows:
        out.print(f"no links for case {escape(case.id)}: run `tocsin assess` or `evidence link`")
        return
    table = Table(title=f"Evidence links of {case.id}")
    for col in ("id", "date", "indicator", "polarity", "score", "source", "grade", "decision"):
        table.add_column(col, no_wrap=col != "source")
    table.add_column("text", overflow="fold", ratio=1)
    for r in rows:
        moved = f" → {r['new_indicator']}" if r["new_indicator"] else ""
        table.add_row(
            str(r["id"]),
            r["published"] or "",
            escape(r["indicator_id"] + moved),
            r["decided_polarity"] or r["polarity"],
            f"{r['score']:.2f}",
            escape(r["source"] or ""),
            f"{r['reliability']}{r['credibility']}",
            r["decision"] or "",
            escape(r["text"][:160]),
        )
    out.print(table)


def _decide(
    case_ref: str, db: Path, link_id: int, decision: str, as_json: bool, **kwargs: Any
) -> None:
    from tocsin.store import assessment as queries

    case = resolve_case(case_ref)
    new = kwargs.get("new_indicator")
    if new and new not in {i.id for i in case.indicators}:
        raise click.BadParameter(f"{new!r} is not an indicator of case {case.id}")
    with open_store(db) as store:
        try:
            result = queries.decide(store, case.id, link_id, decision, **kwargs)
        except ConfigError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            sys.exit(EXIT_NOT_FOUND)
    if as_json:
        emit(result)
    else:
        out.print(f"link {link_id}: {result['decision']} ({escape(result['indicator'])})")


_polarity = click.option(
    "--polarity", type=click.Choice(["seen", "negated"]), default=None, help="Set the polarity."
)
Decorator = Callable[[Any], Any]


def _decision(name: str, *extra: Decorator) -> Callable[[Callable[..., None]], click.Command]:
    """An `evidence` subcommand on CASE and LINK_ID, with --db, --note, --analyst, --json."""

    def wrap(fn: Callable[..., None]) -> click.Command:
        decorated: Any = fn
        for option in reversed(
            (
                click.argument("case_ref", metavar="CASE"),
                click.argument("link_id", type=ROW_ID),
                *extra,
                db_option,
                click.option("--note", default="", help="Why (kept with the decision)."),
                click.option(
                    "--analyst", default="analyst", show_default=True, help="Who decided."
                ),
                json_option,
            )
        ):
            decorated = option(decorated)
        return evidence_group.command(name)(decorated)

    return wrap


@_decision("accept", _polarity)
def evidence_accept(case_ref: str, link_id: int, as_json: bool, db: Path, **given: Any) -> None:
    """Confirm link LINK_ID of CASE (optionally correcting its polarity)."""
    _decide(case_ref, db, link_id, "accept", as_json, **given)


@_decision("reject")
def evidence_reject(case_ref: str, link_id: int, as_json: bool, db: Path, **given: Any) -> None:
    """Drop link LINK_ID of CASE from the assessment."""
    _decide(case_ref, db, link_id, "reject", as_json, **given)


@_decision("relink", click.argument("indicator"), _polarity)
def evidence_relink(
    case_ref: str, link_id: int, indicator: str, as_json: bool, db: Path, **given: Any
) -> None:
    """Move link LINK_ID of CASE to INDICATOR."""
    _decide(case_ref, db, link_id, "relink", as_json, new_indicator=indicator, **given)


# -- resolve and track ----------------------------------------------------------------------


@click.command("resolve")
@click.argument("case_ref", metavar="CASE")
@click.argument("question")
@click.argument("outcome")
@db_option
@click.option(
    "--on",
    "resolved_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="When it was resolved (default: today).",
)
@click.option("--note", default="", help="Why, or the source of the outcome.")
@json_option
def resolve_cli(
    case_ref: str,
    question: str,
    outcome: str,
    db: Path,
    resolved_on: Any,
    note: str,
    as_json: bool,
) -> None:
    """Record what happened: QUESTION is 'main' (OUTCOME a hypothesis id) or a side
    question's id (OUTCOME yes or no)."""
    case = resolve_case(case_ref)
    if question == "main":
        if outcome not in case.hypothesis_ids():
            raise click.BadParameter(
                f"the main question resolves to a hypothesis: {', '.join(case.hypothesis_ids())}"
            )
    elif question in {q.id for q in case.questions}:
        if outcome not in ("yes", "no"):
            raise click.BadParameter("a side question resolves to yes or no")
    else:
        known = ", ".join(["main", *(q.id for q in case.questions)])
        raise click.BadParameter(f"no question {question!r} in case {case.id} ({known})")
    from tocsin.store import assessment as queries

    when = _as_date(resolved_on) or date.today()
    with open_store(db) as store:
        queries.record_resolution(store, case.id, question, outcome, when, note)
    if as_json:
        emit({"case": case.id, "question": question, "outcome": outcome, "resolved_on": when})
        return
    out.print(f"{escape(case.id)}/{escape(question)} resolved as {escape(outcome)} on {when}")


@click.command("track")
@db_option
@click.option("--case", "case_refs", multiple=True, help="Case files for question texts.")
@json_option
def track_cli(db: Path, case_refs: tuple[str, ...], as_json: bool) -> None:
    """The track record across every case in the store: Brier, log score, calibration."""
    from tocsin.assess.track import as_dict, track_record

    cases = {c.id: c for c in map(resolve_case, case_refs)}
    with open_store(db) as store:
        record = track_record(store, cases)
    if as_json:
        emit(as_dict(record))
        return
    print_track(record)


def print_track(record: Any) -> None:
    table = Table(title="Track record")
    for col in ("case", "question", "method", "outcome", "forecast", "Brier", "log", "mean Brier"):
        table.add_column(col)
    for s in record.scores:
        table.add_row(
            escape(s.case_id),
            escape(s.question_id),
            s.method,
            escape(s.outcome),
            f"{s.last.get(s.outcome, 0.0):.2f} on {s.last_as_of}",
            f"{s.brier:.3f}",
            f"{s.log:.3f}",
            f"{s.mean_brier:.3f}",
        )
    out.print(table)
    cal = Table(title="Calibration (every forecast as binary events)")
    for col in ("bin", "events", "mean forecast", "observed"):
        cal.add_column(col, justify="right")
    for b in record.calibration:
        cal.add_row(
            f"{b.low:.1f}-{b.high:.1f}", str(b.count), f"{b.mean_forecast:.2f}", f"{b.observed:.2f}"
        )
    out.print(cal)
