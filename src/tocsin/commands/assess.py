"""Commands of the assessment: ``case``, ``evidence``, ``assess``, ``resolve``, ``track``.

Each parses its options and calls one function of ``tocsin.assess``; a CASE argument is the
path of a case file or the name of a bundled case (``belarus-2022``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from tocsin.commands.common import (
    db_option,
    emit,
    engine_option,
    json_option,
    linking_engine,
    open_store,
    ray_address_option,
    show,
)
from tocsin.errors import ConfigError
from tocsin.files import write_text_atomic
from tocsin.report import terminal

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
    invalid input (exit 5): every fault is printed with its key and line."""
    from tocsin.assess.case import bundled_case_path, load_case

    path = Path(value)
    if not path.exists() and not value.endswith((".yaml", ".yml")):
        path = bundled_case_path(value)
        if not path.exists():
            raise click.BadParameter(f"no case file {value!r} and no bundled case of that name")
    return load_case(path)


def load_embedder(enabled: bool) -> Any:
    """The sentence embedder, or None when disabled; a missing model is a configuration
    error (exit 6) that says how to do without it."""
    if not enabled:
        return None
    from tocsin.assess.embed import Embedder
    from tocsin.config import Config

    threads = Config.load().worker_count  # the linker embeds here: every core may help
    try:
        return Embedder(threads=threads)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (or pass --no-embeddings)") from exc


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
        write_text_atomic(file, template())  # whole or not at all; never over a database
    except OSError as exc:
        raise click.UsageError(f"cannot write {file}: {exc.strerror or exc}") from exc
    if as_json:
        emit({"written": str(file)})
    else:
        show(terminal.safe(f"wrote {file}; edit it, then run `tocsin case check {file}`"))


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
    show(terminal.line(Text("ok", style="green"), f" case {case.id}: {summary}"))


# -- evidence -----------------------------------------------------------------------------


@click.group("evidence")
def evidence_group() -> None:
    """List the links from stored text to a case's indicators; accept, reject, relink."""


@evidence_group.command("link")
@click.argument("case_ref", metavar="CASE")
@db_option
@embeddings_option
@engine_option
@ray_address_option
@json_option
def evidence_link(
    case_ref: str, db: Path, embeddings: bool, engine: str, ray_address: str | None, as_json: bool
) -> None:
    """Recompute the links of CASE (the analyst's decisions are kept)."""
    from tocsin.assess.relink import relink

    case = resolve_case(case_ref)
    embedder = load_embedder(embeddings)
    with open_store(db) as store, linking_engine(engine, ray_address) or nullcontext() as runner:
        made = relink(store, case, embedder, runner)
    if as_json:
        emit({"case": case.id, "links": made})
    else:
        show(terminal.safe(f"{made} links for case {case.id}"))


@evidence_group.command("list")
@click.argument("case_ref", metavar="CASE")
@db_option
@click.option("--indicator", default=None, help="Only links to this indicator.")
@json_option
def evidence_list(case_ref: str, db: Path, indicator: str | None, as_json: bool) -> None:
    """The stored links of CASE with their score, reason and the analyst's decision."""
    from tocsin.store import assessment as queries

    case = resolve_case(case_ref)
    with open_store(db, read_only=True) as store:
        rows = queries.link_rows(store, case.id)
    if indicator:
        rows = [r for r in rows if indicator in (r.key.indicator_id, r.new_indicator)]
    if as_json:
        emit([r.as_dict() for r in rows])
    else:
        show(terminal.links(rows, case.id))


class LinkId(click.ParamType[int]):
    """A stored link's id as listings print it ('L12') or as its number ('12')."""

    name = "LINK_ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        digits = text[1:] if text[:1] in ("L", "l") else text
        if not digits.isdigit():
            self.fail(f"{value!r} is no link id (as `evidence list` prints it: L12, or 12)")
        if len(digits) > 19 or int(digits) > 2**63 - 1:
            self.fail(f"{value!r} is not in the range of link ids (1 to 2**63 - 1)")
        return int(digits)


def _decide(
    case_ref: str, db: Path, link_id: int, decision: str, as_json: bool, **kwargs: Any
) -> None:
    from tocsin.store import assessment as queries

    case = resolve_case(case_ref)
    new = kwargs.get("new_indicator")
    if new and new not in {i.id for i in case.indicators}:
        raise click.BadParameter(f"{new!r} is not an indicator of case {case.id}")
    with open_store(db) as store:
        row = queries.decide(store, case.id, link_id, decision, **kwargs)  # NotFound: exit 4
    indicator = row.new_indicator or row.key.indicator_id
    if as_json:
        emit({"link": link_id, "decision": decision, "indicator": indicator})
    else:
        show(terminal.safe(f"link {row.label}: {decision} ({indicator})"))


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
                click.argument("link_id", type=LinkId()),
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
    from tocsin.models.assessment import Resolution
    from tocsin.store import assessment as queries

    when = _as_date(resolved_on) or date.today()
    with open_store(db) as store:
        queries.record_resolution(store, Resolution(case.id, question, outcome, when, note))
    if as_json:
        emit({"case": case.id, "question": question, "outcome": outcome, "resolved_on": when})
        return
    show(terminal.safe(f"{case.id}/{question} resolved as {outcome} on {when}"))


@click.command("track")
@db_option
@click.option("--case", "case_refs", multiple=True, help="Case files for question texts.")
@json_option
def track_cli(db: Path, case_refs: tuple[str, ...], as_json: bool) -> None:
    """The track record across every case in the store: Brier, log score, calibration."""
    from tocsin.assess.track import as_dict, track_record
    from tocsin.store import assessment as queries

    cases = {c.id: c for c in map(resolve_case, case_refs)}
    with open_store(db, read_only=True) as store:
        record = track_record(cases, queries.forecasts(store), queries.resolutions(store))
    if as_json:
        emit(as_dict(record))
        return
    show(terminal.track(record))
