"""What every command shares: the --db and --json options, opening the store, output, and
the command group that turns an error of tocsin's tree from any command into one line and
its exit status (``tocsin.errors`` draws the tree)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from tocsin.errors import TocsinError
from tocsin.store.db import Store, store_errors
from tocsin.store.faults import missing

EXIT_FAILED_INPUTS = 1
EXIT_USAGE = 2
EXIT_STORE = 3
EXIT_NOT_FOUND = 4
EXIT_INVALID = 5
EXIT_CONFIG = 6
EXIT_INTERRUPTED = 130

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
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    raise click.exceptions.Exit(status)


class TocsinGroup(click.Group):
    """The ``tocsin`` group: any error of tocsin's tree (``tocsin.errors``) that a command
    lets through is one line and that branch's exit status; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TocsinError as exc:
            fail(str(exc), exc.exit_status)
