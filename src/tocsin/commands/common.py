"""What every command shares: the --db and --json options, opening the store, output, and
the command group that turns an error of tocsin's tree from any command into one line and
its exit status (``tocsin.errors`` draws the tree)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from tocsin.config import MAX_WORKERS, Config, allow_entries
from tocsin.engine import ENGINES, Engine, make_engine
from tocsin.errors import ConfigError, TocsinError
from tocsin.store.db import Store, store_errors
from tocsin.store.faults import missing

EXIT_FAILED_INPUTS = 1
EXIT_USAGE = 2
EXIT_STORE = 3
EXIT_NOT_FOUND = 4
EXIT_INVALID = 5
EXIT_CONFIG = 6
EXIT_INTERRUPTED = 130

MAX_LIMIT = 1_000_000  # the most rows a --limit may ask for
# An id as SQLite stores it (a signed 64-bit integer); a larger one is a usage error.
ROW_ID = click.IntRange(-(2**63), 2**63 - 1)

out = Console()
err = Console(stderr=True)

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TOCSIN_DB",
    default="tocsin.db",
    show_default=True,
    help="SQLite database file (or set TOCSIN_DB).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
workers_option = click.option(
    "--workers",
    type=click.IntRange(0, MAX_WORKERS),
    default=None,
    envvar="TOCSIN_WORKERS",
    help="Worker processes (cleaning, spaCy); 0 or unset means one per core.",
)


def emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def open_store(
    db: Path, *, create: bool = False, read_only: bool = False, check: bool = False
) -> Iterator[Store]:
    """The store at ``db`` for the block, closed after it; SQLite's storage faults inside
    the block become StoreErrors naming ``db``. Only ``create`` makes a missing database.
    Commands that only read pass ``read_only``; the others check the store with PRAGMA
    quick_check before they write (``check``, which ``status`` asks for too)."""
    if not create and not db.exists():
        raise missing(db)
    with store_errors(db), Store.open(db, read_only=read_only, check=check or not read_only) as s:
        yield s


def fail(message: str, status: int) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``status``."""
    from tocsin.report.terminal import error_line

    err.print(error_line(message), soft_wrap=True, highlight=False)
    raise click.exceptions.Exit(status)


def show(*renderables: Any) -> None:
    """Print what ``tocsin.report.terminal`` built, on standard output."""
    for renderable in renderables:
        out.print(renderable, highlight=False)


_COLUMNS = (
    SpinnerColumn(),
    TextColumn("{task.description}", markup=False),  # file names are never markup
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)
R = TypeVar("R")


def with_progress(
    run: Callable[[Callable[[str, str], None] | None], R],
    quiet: bool,
    expected: int | None = None,
    label: str = "ingesting",
) -> R:
    """Run ``run(tick)`` under a progress bar on stderr, out of ``expected`` items if known;
    ``tick(name, outcome)`` marks one item done."""
    from tocsin.report.terminal import neutralised

    if quiet:
        return run(None)
    with Progress(*_COLUMNS, console=err, transient=True) as bar:
        task = bar.add_task(label, total=expected)

        def tick(name: str, outcome: str) -> None:
            # Feeds, WARC and JSONL files hold many items each: the total grows past them.
            done = bar.tasks[0].completed + 1
            total = max(done, bar.tasks[0].total or 0)
            shown = neutralised(f"{outcome}: {Path(name).name[:40]}")
            bar.update(task, completed=done, total=total, description=shown)

        return run(tick)


class TocsinGroup(click.Group):
    """The ``tocsin`` group: any error of tocsin's tree (``tocsin.errors``) that a command
    lets through is one line and that branch's exit status; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TocsinError as exc:
            fail(str(exc), exc.exit_status)


allow_option = click.option(
    "--allow-address",
    "allow_address",
    multiple=True,
    metavar="CIDR_OR_HOST",
    help="Fetch from this network or host although it is private, loopback or reserved "
    "(repeatable; adds to TOCSIN_FETCH_ALLOW).",
)


def with_allowed(config: Config, allow_address: tuple[str, ...]) -> Config:
    """``config`` with the ``--allow-address`` entries added to its fetch allow-list."""
    if not allow_address:
        return config
    try:
        allowed = allow_entries((*config.fetch_allow, *allow_address))
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-address") from exc
    return dataclasses.replace(config, fetch_allow=allowed)


engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where the work runs: local worker processes, or Ray (docs/engine.md).",
)


def linking_engine(name: str, address: str | None) -> Engine | None:
    """The engine linking runs on: None (this process, whose embedder uses every core) for
    the local engine, else ``make_engine``'s, which starts Ray only when first used."""
    if name == "local":
        return None
    return make_engine(name, Config.load().worker_count, address)


ray_address_option = click.option(
    "--ray-address",
    default=None,
    envvar="TOCSIN_RAY_ADDRESS",
    metavar="ADDRESS",
    help=(
        "A running Ray cluster for --engine ray (default: start a local Ray of as many CPUs"
        " as the workers setting)."
    ),
)
